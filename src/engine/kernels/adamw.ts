/** AdamW with torch.optim.AdamW semantics on one parameter tensor, gated by the grad-norm status (shaders/adamw.wgsl). */
import { f32, type Recorder } from '../gpu/recorder';
import { checkStatus } from './grad_norm';
import type { OptimizerStatusLayout } from './optimizerStatus';

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1-based step count t used for bias correction. */
  step: number;
}

/** The step-dependent factors, folded in float64 on the host exactly as torch does with Python floats. */
export function adamwFactors(hp: AdamWHyper): { decay: number; stepSize: number; bc2Sqrt: number } {
  return {
    decay: 1 - hp.lr * hp.weightDecay,
    stepSize: hp.lr / (1 - hp.beta1 ** hp.step),
    bc2Sqrt: Math.sqrt(1 - hp.beta2 ** hp.step),
  };
}

export function checkHyper(what: string, hp: AdamWHyper): void {
  const bad = (name: string, value: number, rule: string) => new Error(`${what}: ${name} must be ${rule}, got ${value}`);
  if (!(Number.isFinite(hp.lr) && hp.lr >= 0)) throw bad('lr', hp.lr, 'a finite number ≥ 0');
  if (!(hp.beta1 >= 0 && hp.beta1 < 1)) throw bad('beta1', hp.beta1, 'in [0, 1)');
  if (!(hp.beta2 >= 0 && hp.beta2 < 1)) throw bad('beta2', hp.beta2, 'in [0, 1)');
  if (!(Number.isFinite(hp.eps) && hp.eps >= 0)) throw bad('eps', hp.eps, 'a finite number ≥ 0');
  if (!(Number.isFinite(hp.weightDecay) && hp.weightDecay >= 0)) throw bad('weightDecay', hp.weightDecay, 'a finite number ≥ 0');
  if (!(Number.isInteger(hp.step) && hp.step >= 1)) throw bad('step', hp.step, 'an integer ≥ 1 (torch counts from 1)');
}

/**
 * params, m, v (N) of trainable tensor i updated in place from grads (N) × status[1] (clipScale); nothing is written
 * when status[2] (nonFinite) is set. grads is left all zero either way (ready for the next step's accumulation). status is the optimizer's status buffer (optimizerStatus.ts) after gradNormClip;
 * the dispatch also writes the tensor's Σ p² partials (before and after the update) for paramNorms. One dispatch of
 * adamwGroups(N) workgroups, each updating a fixed strided share of the tensor.
 */
export function adamwStep(
  rec: Recorder,
  params: GPUBuffer,
  grads: GPUBuffer,
  m: GPUBuffer,
  v: GPUBuffer,
  status: GPUBuffer,
  layout: OptimizerStatusLayout,
  i: number,
  hp: AdamWHyper,
): void {
  const what = 'adamwStep';
  checkHyper(what, hp);
  if (!Number.isInteger(i) || i < 0 || i >= layout.sizes.length) throw new Error(`${what}: tensor ${i} is not in the layout (${layout.sizes.length} tensors)`);
  const N = layout.sizes[i];
  for (const [name, buf] of [['params', params], ['grads', grads], ['m', m], ['v', v]] as const)
    if (buf.size < N * 4) throw new Error(`${what}: ${name} needs ${N * 4} bytes but its buffer has ${buf.size}`);
  checkStatus(what, status, layout);
  const { decay, stepSize, bc2Sqrt } = adamwFactors(hp);
  const { before, after, groups } = layout.param[i];
  rec.dispatch({
    shader: 'adamw',
    constants: { WG: layout.wg },
    params: [N, groups, before, after, f32(hp.beta1), f32(hp.beta2), f32(hp.eps), f32(decay), f32(stepSize), f32(bc2Sqrt)],
    bindings: [params, grads, m, v, status],
    workgroups: [groups],
    label: 'adamw',
  });
}
