import type { StateCreator } from 'zustand';
import type { StudioState } from '../index';

/** UI state of the Dataset section. Persistent data lives in IndexedDB (src/db), not here. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DatasetSlice {}

export const createDatasetSlice: StateCreator<StudioState, [], [], DatasetSlice> = () => ({});
