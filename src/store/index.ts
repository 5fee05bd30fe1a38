/**
 * The studio's one UI store, composed of slices (one file per section under ./slices). Components read it through
 * narrow selectors (`useStudio((s) => s.gpuStatus)`); actions are plain functions in the slice files.
 */
import { create } from 'zustand';
import { createGpuSlice, type GpuSlice } from './slices/gpu';
import { createModelSlice, type ModelSlice } from './slices/model';
import { createDatasetSlice, type DatasetSlice } from './slices/dataset';
import { createTrainSlice, type TrainSlice } from './slices/train';

export type StudioState = GpuSlice & ModelSlice & DatasetSlice & TrainSlice;

export const useStudio = create<StudioState>()((...a) => ({
  ...createGpuSlice(...a),
  ...createModelSlice(...a),
  ...createDatasetSlice(...a),
  ...createTrainSlice(...a),
}));
