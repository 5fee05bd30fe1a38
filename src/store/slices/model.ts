import type { StateCreator } from 'zustand';
import type { StudioState } from '../index';

/** UI state of the Model section. Persistent data lives in IndexedDB (src/db), not here. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ModelSlice {}

export const createModelSlice: StateCreator<StudioState, [], [], ModelSlice> = () => ({});
