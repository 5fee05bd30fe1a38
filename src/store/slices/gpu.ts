import type { StateCreator } from 'zustand';
import type { StudioState } from '../index';
import type { AdapterSummary, Gpu } from '../../engine/gpu/device';
import { WebGpuUnavailableError } from '../../engine/gpu/errors';
import { engine, EngineError } from '../../worker/client';

/**
 * What the UI knows about the WebGPU device. The engine Worker owns the device (src/worker); these actions ask it
 * for one ('init' → 'ready'), and its 'deviceLost' event turns the status to 'lost'. The UI reads only this state.
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
// Each acquisition gets a number so a late answer to an older one is ignored.
let attempt = 0;
let pending: Promise<void> | null = null;
let watching = false;

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

/**
 * The device lives in the engine Worker, so there is no main-thread device to hand out: always null. Engine work
 * goes through `engine()` (src/worker/client.ts). Kept so older callers compile and fall back gracefully.
 */
export function getGpu(): Gpu | null {
  return null;
}

/** Listen for device losses reported by the Worker (once). */
function watch(): void {
  if (watching) return;
  watching = true;
  engine().subscribe((e) => {
    if (e.type !== 'deviceLost') return;
    const { set, get } = store();
    if (get().gpuStatus !== 'ready') return;
    set({ gpuStatus: 'lost', gpuError: e.message, gpuUnavailableReason: null });
  });
}

/**
 * The main thread sees the same WebGPU implementation as the Worker, and asking it first tells "no API" and "no
 * adapter" apart with the browser's own answers (and lets the page's own settings, e.g. a test that removes WebGPU,
 * decide). The device itself is created only in the Worker.
 */
async function preflight(): Promise<void> {
  const gpu = typeof navigator !== 'undefined' ? navigator.gpu : undefined;
  if (!gpu) throw new WebGpuUnavailableError('no-api');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new WebGpuUnavailableError('no-adapter');
}

function unavailable(e: unknown): { reason: GpuUnavailableReason; message: string } {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof WebGpuUnavailableError) return { reason: e.reason, message };
  if (e instanceof EngineError && e.kind === 'gpu-unavailable') return { reason: e.reason ?? 'error', message };
  return { reason: 'error', message };
}

async function acquire(): Promise<void> {
  const { set } = store();
  const mine = ++attempt;
  watch();
  set({ gpuStatus: 'probing', gpuError: null, gpuUnavailableReason: null });
  let ready;
  try {
    await preflight();
    ready = await engine().call({ type: 'init' }, ['ready']);
  } catch (e) {
    if (mine !== attempt) return;
    const { reason, message } = unavailable(e);
    set({ gpuStatus: 'unavailable', gpuError: message, gpuUnavailableReason: reason, gpuFeatures: null });
    return;
  }
  if (mine !== attempt) return;
  set((s) => ({
    gpuStatus: 'ready',
    gpuError: null,
    gpuAdapter: ready.adapter,
    gpuFeatures: ready.features,
    gpuEpoch: s.gpuEpoch + 1,
  }));
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
  if (get().gpuStatus === 'ready') return Promise.resolve();
  return run();
}

/**
 * Acquire a fresh device: after a loss (the Worker dropped its session with the lost device, so 'init' creates a new
 * one), or to retry after a failure.
 */
export async function reconnectGpu(): Promise<void> {
  if (pending) await pending;
  return run();
}

/**
 * Test hook: ask the Worker to destroy its GPUDevice directly, as a driver reset would; the loss then arrives as a
 * 'deviceLost' event. Returns false when there is no ready device.
 */
export function simulateGpuLoss(): boolean {
  if (!getState || getState().gpuStatus !== 'ready') return false;
  engine().send({ type: 'simulateDeviceLoss' });
  return true;
}
