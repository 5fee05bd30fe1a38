import type { StateCreator } from 'zustand';
import type { StudioState } from '../index';

/** What the UI knows about the WebGPU device (owned by the engine Worker; mirrored here for display). */
export interface GpuSlice {
  gpuStatus: 'probing' | 'ready' | 'unavailable' | 'lost';
  gpuError: string | null;
}

export const createGpuSlice: StateCreator<StudioState, [], [], GpuSlice> = () => ({
  gpuStatus: 'probing',
  gpuError: null,
});
