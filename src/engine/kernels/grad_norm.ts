/**
 * Global gradient norm over every trainable tensor and torch clip_grad_norm_'s clip factor, computed on the GPU
 * into a small status buffer that AdamW reads (see shaders/grad_norm.wgsl). Usage per optimizer step:
 *   gradNormBegin(rec, status); for each tensor gradNormAccumulate(rec, status, grad, n); gradNormFinish(rec, status, maxNorm)
 */
import { f32, type Recorder } from '../gpu/recorder';
import { reductionThreads } from './reductionThreads';

const WG = 256; // on a GPU; see reductionThreads.ts
/** Partial sums per tensor (one per workgroup of the first stage); they live in the status buffer after its header. */
const MAX_PARTIALS = 256;
/** Elements per invocation below which fewer workgroups are used. */
const MIN_PER_THREAD = 4;

/** status layout: [normSquared, clipScale, nonFinite, unused, partials × 256]. */
export const GRAD_NORM_STATUS_FLOATS = 4 + MAX_PARTIALS;
/** Allocate the status buffer with at least this many bytes. */
export const GRAD_NORM_STATUS_BYTES = GRAD_NORM_STATUS_FLOATS * 4;

function checkStatus(what: string, status: GPUBuffer): void {
  if (status.size < GRAD_NORM_STATUS_BYTES)
    throw new Error(`${what}: status needs ${GRAD_NORM_STATUS_BYTES} bytes (GRAD_NORM_STATUS_BYTES) but its buffer has ${status.size}`);
}

/** First-stage workgroups for a tensor of n elements at width wg (fixed per device, so its sums are reproducible). */
export function gradNormGroups(n: number, wg = WG): number {
  return Math.max(1, Math.min(MAX_PARTIALS, Math.ceil(n / (wg * MIN_PER_THREAD))));
}

/** status ← [0, 1, 0, 0]: start a new step's norm. */
export function gradNormBegin(rec: Recorder, status: GPUBuffer): void {
  checkStatus('gradNormBegin', status);
  rec.dispatch({ shader: 'grad_norm', entryPoint: 'begin', bindings: [status], workgroups: [1], label: 'grad_norm_begin' });
}

/** status[0] += Σ grads[0..N)² (two-stage deterministic reduction). Call once per trainable tensor. */
export function gradNormAccumulate(rec: Recorder, status: GPUBuffer, grads: GPUBuffer, N: number): void {
  const what = 'gradNormAccumulate';
  checkStatus(what, status);
  if (!Number.isInteger(N) || N < 1) throw new Error(`${what}: N must be a positive integer, got ${N}`);
  if (grads.size < N * 4) throw new Error(`${what}: grads needs ${N * 4} bytes but its buffer has ${grads.size}`);
  const wg = reductionThreads(rec.gpu, WG);
  const groups = gradNormGroups(N, wg);
  const params = [N, groups, f32(0)];
  rec.dispatch({ shader: 'grad_norm', entryPoint: 'partial', constants: { WG: wg }, params, bindings: [status, grads], workgroups: [groups], label: 'grad_norm_partial' });
  rec.dispatch({ shader: 'grad_norm', entryPoint: 'reduce', constants: { WG: wg }, params, bindings: [status], workgroups: [1], label: 'grad_norm_reduce' });
}

/**
 * status[1] ← clipScale = min(1, maxNorm / (norm + 1e-6)) (1 when maxNorm ≤ 0: no clipping);
 * status[2] ← 1 when the norm is NaN/Inf (then clipScale is 0 and AdamW skips the step), else 0.
 */
export function gradNormFinish(rec: Recorder, status: GPUBuffer, maxNorm: number): void {
  checkStatus('gradNormFinish', status);
  if (!Number.isFinite(maxNorm)) throw new Error(`gradNormFinish: maxNorm must be finite (≤ 0 disables clipping), got ${maxNorm}`);
  rec.dispatch({ shader: 'grad_norm', entryPoint: 'finish', params: [0, 0, f32(maxNorm)], bindings: [status], workgroups: [1], label: 'grad_norm_finish' });
}
