import type { StateCreator } from 'zustand';
import type { StudioState } from '../index';
import { acquireGpu, type AdapterSummary, type Gpu } from '../../engine/gpu/device';
import { WebGpuUnavailableError } from '../../engine/gpu/errors';

/**
 * What the UI knows about the WebGPU device. The UI reads only this state, never the Gpu object: today the actions
 * below acquire the device on the main thread; later the engine Worker will own it and only the action bodies change.
 */
export type GpuStatus = 'probing' | 'ready' | 'unavailable' | 'lost';
/** Why the GPU is unavailable: the three WebGpuUnavailableError reasons, or 'error' for anything unexpected. */
export type GpuUnavailableReason = 'no-api' | 'no-adapter' | 'device-failed' | 'error';

/** Optional features actually enabled on the device (a subset of what the adapter offers). */
export interface GpuEnabledFeatures {
  shaderF16: boolean;
  subgroups: boolean;
  timestampQuery: boolean;
}

export interface GpuSlice {
  gpuStatus: GpuStatus;
  /** Why the GPU is unavailable or was lost, for the user (for 'lost', the browser's reason); null otherwise. */
  gpuError: string | null;
  gpuUnavailableReason: GpuUnavailableReason | null;
  /** The adapter of the current (or last lost) device. */
  gpuAdapter: AdapterSummary | null;
  gpuFeatures: GpuEnabledFeatures | null;
  /** Increments every time a new device becomes ready: GPU resources made for an older epoch are gone. */
  gpuEpoch: number;
}

type SetState = Parameters<StateCreator<StudioState, [], [], GpuSlice>>[0];
type GetState = Parameters<StateCreator<StudioState, [], [], GpuSlice>>[1];

// The store hands us set/get when it is created; capturing them avoids a circular import of ../index.
let setState: SetState | null = null;
let getState: GetState | null = null;
// The live device stays out of React state.
let current: Gpu | null = null;
// Each acquisition gets a number so a late result or loss of an older device is ignored.
let attempt = 0;
let pending: Promise<void> | null = null;

export const createGpuSlice: StateCreator<StudioState, [], [], GpuSlice> = (set, get) => {
  setState = set;
  getState = get;
  return {
    gpuStatus: 'probing',
    gpuError: null,
    gpuUnavailableReason: null,
    gpuAdapter: null,
    gpuFeatures: null,
    gpuEpoch: 0,
  };
};

function store(): { set: SetState; get: GetState } {
  if (!setState || !getState) throw new Error('The studio store has not been created yet.');
  return { set: setState, get: getState };
}

/** The current device for engine code, or null while probing, unavailable or lost. */
export function getGpu(): Gpu | null {
  return current;
}

async function acquire(): Promise<void> {
  const { set } = store();
  const mine = ++attempt;
  set({ gpuStatus: 'probing', gpuError: null, gpuUnavailableReason: null });
  let gpu: Gpu;
  try {
    gpu = await acquireGpu();
  } catch (e) {
    if (mine !== attempt) return;
    const reason: GpuUnavailableReason = e instanceof WebGpuUnavailableError ? e.reason : 'error';
    const message = e instanceof Error ? e.message : String(e);
    set({ gpuStatus: 'unavailable', gpuError: message, gpuUnavailableReason: reason, gpuFeatures: null });
    return;
  }
  if (mine !== attempt) {
    gpu.destroy();
    return;
  }
  current = gpu;
  set((s) => ({
    gpuStatus: 'ready',
    gpuAdapter: gpu.adapter,
    gpuFeatures: { shaderF16: gpu.hasF16, subgroups: gpu.hasSubgroups, timestampQuery: gpu.hasTimestamps },
    gpuEpoch: s.gpuEpoch + 1,
  }));
  // gpu.lost never resolves for a destroy() we asked for, so anything arriving here is a real loss. By then
  // device.lost has resolved too; its info carries the browser's own words, which we show as the reason.
  void gpu.lost.then(async (err) => {
    const info = await gpu.device.lost;
    if (mine !== attempt || current !== gpu) return;
    current = null;
    set({ gpuStatus: 'lost', gpuError: lostReason(info, err), gpuUnavailableReason: null });
  });
}

function lostReason(info: GPUDeviceLostInfo, err: Error): string {
  const said = info.message.trim().replace(/\.+$/, '');
  if (!said) return err.message;
  const showReason = info.reason !== 'unknown' && !said.toLowerCase().includes(info.reason);
  return showReason ? `${said} (${info.reason}).` : `${said}.`;
}

function run(): Promise<void> {
  pending ??= acquire().finally(() => {
    pending = null;
  });
  return pending;
}

/** Acquire the device once at startup. Calling it again while probing or ready does nothing. */
export function connectGpu(): Promise<void> {
  const { get } = store();
  if (pending) return pending;
  if (current && get().gpuStatus === 'ready') return Promise.resolve();
  return run();
}

/** Drop the current device (if any) and acquire a fresh one: after a loss, or to retry after a failure. */
export async function reconnectGpu(): Promise<void> {
  if (pending) await pending;
  const old = current;
  current = null;
  old?.destroy();
  return run();
}

/**
 * Test hook: destroy the underlying GPUDevice directly, as a driver reset would. acquireGpu's own destroy() marks a
 * loss as intentional, so we bypass it and the slice sees an unrequested loss. Returns false when there is no device.
 */
export function simulateGpuLoss(): boolean {
  if (!current) return false;
  current.device.destroy();
  return true;
}
