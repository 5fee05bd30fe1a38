/**
 * Global gradient norm over every trainable tensor and torch clip_grad_norm_'s clip factor, computed on the GPU into
 * the optimizer's status buffer that AdamW reads (layout: optimizerStatus.ts; shader: shaders/grad_norm.wgsl). Usage
 * per optimizer step, with layout = optimizerStatusLayout(sizes, reductionThreads(gpu, OPTIMIZER_WG)):
 *   gradNormClip(rec, status, layout, grads, maxNorm)        one `partial` per tensor + one `finish`
 *   … adamwStep per tensor (writes Σ p² partials) …
 *   paramNorms(rec, status, layout)                           one `sums`: status[3], status[4] ← Σ p² before / after
 */
import { f32, type Recorder } from '../gpu/recorder';
import { STATUS_PARAM_SQ_BEFORE, type OptimizerStatusLayout } from './optimizerStatus';

export { gradNormGroups } from './optimizerStatus';

/** Width of the one-workgroup passes that add up all partials (once per step, so wide on every device). */
const SUM_WG = 256;

export function checkStatus(what: string, status: GPUBuffer, layout: OptimizerStatusLayout): void {
  if (status.size < layout.floats * 4)
    throw new Error(`${what}: status needs ${layout.floats * 4} bytes (optimizerStatusLayout(…).floats × 4) but its buffer has ${status.size}`);
}

/**
 * status[0] ← Σ over every tensor of Σ grads[t][0..N_t)²; status[1] ← clipScale = min(1, maxNorm / (norm + 1e-6))
 * (1 when maxNorm ≤ 0: no clipping); status[2] ← 1 when the norm is NaN/Inf (then clipScale is 0 and AdamW skips the
 * step), else 0. grads[t] has layout.sizes[t] elements. Dispatches: one `partial` per tensor, one `finish`. With no
 * tensors at all, the norm is 0.
 */
export function gradNormClip(rec: Recorder, status: GPUBuffer, layout: OptimizerStatusLayout, grads: GPUBuffer[], maxNorm: number): void {
  const what = 'gradNormClip';
  checkStatus(what, status, layout);
  if (grads.length !== layout.sizes.length) throw new Error(`${what}: the layout has ${layout.sizes.length} tensors but ${grads.length} gradients were given`);
  if (!Number.isFinite(maxNorm)) throw new Error(`${what}: maxNorm must be finite (≤ 0 disables clipping), got ${maxNorm}`);
  grads.forEach((g, i) => {
    const N = layout.sizes[i];
    if (g.size < N * 4) throw new Error(`${what}: gradient ${i} needs ${N * 4} bytes but its buffer has ${g.size}`);
  });
  grads.forEach((g, i) => {
    const { offset, groups } = layout.grad[i];
    rec.dispatch({
      shader: 'grad_norm', entryPoint: 'partial', constants: { WG: layout.wg },
      params: [layout.sizes[i], groups, f32(0), offset, 0, 0], bindings: [status, g], workgroups: [groups], label: 'grad_norm_partial',
    });
  });
  rec.dispatch({
    shader: 'grad_norm', entryPoint: 'finish', constants: { WG: SUM_WG },
    params: [0, 0, f32(maxNorm), layout.gradFrom, layout.gradCount, 0], bindings: [status], workgroups: [1], label: 'grad_norm_finish',
  });
}

/** status[3] ← Σ p² of every tensor before the AdamW update, status[4] ← after it (from AdamW's partials). One dispatch. */
export function paramNorms(rec: Recorder, status: GPUBuffer, layout: OptimizerStatusLayout): void {
  checkStatus('paramNorms', status, layout);
  rec.dispatch({
    shader: 'grad_norm', entryPoint: 'sums', constants: { WG: SUM_WG },
    params: [0, 0, f32(0), layout.paramFrom, layout.paramCount, STATUS_PARAM_SQ_BEFORE], bindings: [status], workgroups: [2], label: 'grad_norm_reduce',
  });
}
