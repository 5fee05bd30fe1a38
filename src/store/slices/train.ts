import type { StateCreator } from 'zustand';
import type { StudioState } from '../index';

/** UI state of the Train section. Persistent data lives in IndexedDB (src/db), not here. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TrainSlice {}

export const createTrainSlice: StateCreator<StudioState, [], [], TrainSlice> = () => ({});
