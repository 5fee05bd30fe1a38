/**
 * The optimizer's status buffer: a small header the step reads back, then partial sums at offsets fixed by the
 * trainable list, so each trainable tensor costs one grad-norm `partial` dispatch and one AdamW dispatch (which also
 * writes the NaN guard's Σ p² partials), and one pass each sums all gradient partials (grad_norm `finish`) and all
 * parameter partials (grad_norm `sums`) at the end. See shaders/grad_norm.wgsl and shaders/adamw.wgsl.
 *
 *   [0] Σ g²   [1] clipScale   [2] nonFinite (0/1)   [3] Σ p² before the update   [4] Σ p² after it   [5..8) unused
 *   [8 .. 8+G)            gradient partials, tensor after tensor (gradNormGroups each)
 *   [8+G .. 8+G+P)        Σ p² partials before the update, tensor after tensor (adamwGroups each)
 *   [8+G+P .. 8+G+2P)     the same after the update
 * The split into partials depends only on each tensor's length and the device's reduction width, so every sum is
 * bitwise reproducible run to run on one device.
 */
import { CPU_REDUCTION_THREADS } from './reductionThreads';

export const STATUS_NORM_SQ = 0;
export const STATUS_CLIP_SCALE = 1;
export const STATUS_NON_FINITE = 2;
export const STATUS_PARAM_SQ_BEFORE = 3;
export const STATUS_PARAM_SQ_AFTER = 4;
export const STATUS_HEADER_FLOATS = 8;

/** Workgroup width on a GPU (a CPU adapter uses reductionThreads' CPU width). */
export const OPTIMIZER_WG = 256;
/** Elements per invocation below which fewer workgroups are used. */
const MIN_PER_THREAD = 4;
/** Most gradient-norm partials per tensor. */
export const GRAD_NORM_MAX_PARTIALS = 256;
/** Most AdamW workgroups (so Σ p² partials) per tensor: 1,024 × 256 invocations fill a large GPU. */
export const ADAMW_MAX_GROUPS = 1024;

/** First-stage workgroups of the gradient norm for a tensor of n elements at width wg. */
export function gradNormGroups(n: number, wg = OPTIMIZER_WG): number {
  return Math.max(1, Math.min(GRAD_NORM_MAX_PARTIALS, Math.ceil(n / (wg * MIN_PER_THREAD))));
}

/** AdamW workgroups for a tensor of n elements at width wg (each takes a strided share of the tensor). */
export function adamwGroups(n: number, wg = OPTIMIZER_WG): number {
  return Math.max(1, Math.min(ADAMW_MAX_GROUPS, Math.ceil(n / (wg * MIN_PER_THREAD))));
}

export interface OptimizerStatusLayout {
  /** Workgroup width the partials were laid out for (the kernels dispatch with it). */
  wg: number;
  /** Elements of each trainable tensor. */
  sizes: number[];
  /** Per tensor: its gradient-norm partials at status[offset .. offset + groups). */
  grad: { offset: number; groups: number }[];
  /** Per tensor: AdamW's Σ p² partials at status[before ..) and status[after ..), groups each. */
  param: { before: number; after: number; groups: number }[];
  /** All gradient partials: status[gradFrom .. gradFrom + gradCount). */
  gradFrom: number;
  gradCount: number;
  /** All Σ p² partials before the update: status[paramFrom .. + paramCount); after it: the next paramCount floats. */
  paramFrom: number;
  paramCount: number;
  /** Floats of the whole buffer. */
  floats: number;
}

/** The layout for trainable tensors of these sizes at reduction width wg (reductionThreads(gpu, OPTIMIZER_WG)). */
export function optimizerStatusLayout(sizes: number[], wg: number): OptimizerStatusLayout {
  sizes.forEach((n, i) => {
    if (!Number.isInteger(n) || n < 1) throw new Error(`optimizerStatusLayout: tensor ${i} must have a positive integer size, got ${n}`);
  });
  const gradFrom = STATUS_HEADER_FLOATS;
  let at = gradFrom;
  const grad = sizes.map((n) => {
    const groups = gradNormGroups(n, wg);
    const slot = { offset: at, groups };
    at += groups;
    return slot;
  });
  const paramFrom = at;
  const paramCount = sizes.reduce((a, n) => a + adamwGroups(n, wg), 0);
  const param = sizes.map((n) => {
    const groups = adamwGroups(n, wg);
    const slot = { before: at, after: at + paramCount, groups };
    at += groups;
    return slot;
  });
  return { wg, sizes: [...sizes], grad, param, gradFrom, gradCount: paramFrom - gradFrom, paramFrom, paramCount, floats: paramFrom + 2 * paramCount };
}

/** Bytes of the status buffer for these trainable sizes on a software (CPU) adapter or a GPU (memory planning). */
export function optimizerStatusBytes(sizes: number[], isSoftware: boolean): number {
  return optimizerStatusLayout(sizes, isSoftware ? CPU_REDUCTION_THREADS : OPTIMIZER_WG).floats * 4;
}
