/**
 * A linear module of the model (nn.Linear [out, in] or GPT-2 Conv1D [in, out]) with its optional LoRA path, forward
 * and backward. LoRA exactly as PEFT: y = x·op(W) + b + scale · (dropout(x) · Aᵀ) · Bᵀ, A [r, in], B [out, r].
 *
 * The skinny LoRA products — u = x·Aᵀ and du = s·dy·B (N = r columns), dA and dB (r·in and out·r outputs reduced
 * over all N tokens) — allow split-K (see kernels/matmulPlan.ts): on a GPU they otherwise fill a few workgroups. The
 * up-product y += s·u·Bᵀ is already a single dispatch that scales and adds into the base output (alpha, accumulate).
 *
 * Saved for backward: u = dropout(x)·Aᵀ (N, r) per module. dropout(x) itself is never stored: the dropout kernel
 * regenerates its mask from (seed, index), so backward recomputes it into scratch.
 */
import type { Recorder } from '../gpu/recorder';
import { matmul } from '../kernels/matmul';
import { linearProduct } from '../kernels/matvec';
import { biasBackward } from '../kernels/bias';
import { dropoutForward, dropoutBackward } from '../kernels/dropout';
import type { WeightLayout } from '../model/tensors';
import type { WeightFormat } from './weights';

export interface LoraParams {
  r: number;
  scale: number;
  dropout: number;
  A: GPUBuffer; // (r, in)
  B: GPUBuffer; // (out, r)
  dA: GPUBuffer | null; // (r, in), accumulated
  dB: GPUBuffer | null; // (out, r), accumulated
}

export interface Linear {
  path: string;
  inF: number;
  outF: number;
  layout: WeightLayout;
  weight: GPUBuffer;
  /** How `weight` is stored: f16 only when frozen (then dWeight is null). */
  weightFormat: WeightFormat;
  bias: GPUBuffer | null;
  /** Full-parameter mode only; null when the base weight is frozen. */
  dWeight: GPUBuffer | null;
  dBias: GPUBuffer | null;
  lora: LoraParams | null;
}

/** Per-call buffers the LoRA path needs. */
export interface LinearScratch {
  /** u = dropout(x)·Aᵀ (N, r), saved from forward to backward. */
  u: GPUBuffer | null;
  /** (N, max r) gradient of u. */
  du: GPUBuffer;
  /** (N, max in) holds dropout(x) and the dropout-masked input gradient when dropout > 0. */
  xDrop: GPUBuffer;
  /** Dropout seed of this module for this step (forward and backward must agree). */
  seed: number;
}

/** y (N, out) = x (N, in) · op(W) + b [+ y if accumulate] + LoRA. */
export function linearForward(rec: Recorder, y: GPUBuffer, x: GPUBuffer, lin: Linear, N: number, s: LinearScratch | null, accumulate = false): void {
  const transB = lin.layout === 'linear';
  // linearProduct: a matrix-vector kernel when N is a decoding step's few rows, matmul otherwise.
  linearProduct(rec, y, x, lin.weight, lin.bias, N, lin.inF, lin.outF, { transB, accumulate, bFormat: lin.weightFormat });
  const lora = lin.lora;
  if (!lora) return;
  if (!s?.u) throw new Error(`${lin.path}: LoRA forward needs a u buffer`);
  let xa = x;
  if (lora.dropout > 0) {
    dropoutForward(rec, s.xDrop, x, N * lin.inF, lora.dropout, s.seed);
    xa = s.xDrop;
  }
  linearProduct(rec, s.u, xa, lora.A, null, N, lin.inF, lora.r, { transB: true, splitK: true }); // u (N, r) = xa · Aᵀ
  linearProduct(rec, y, s.u, lora.B, null, N, lora.r, lin.outF, { transB: true, alpha: lora.scale, accumulate: true }); // y += s·u·Bᵀ
}

/**
 * Given dy (N, out): dx (N, in) written (or accumulated), and the gradients of whatever is trainable accumulated.
 * `x` is the forward input (needed for dW and dA).
 */
export function linearBackward(
  rec: Recorder,
  dx: GPUBuffer | null,
  dy: GPUBuffer,
  x: GPUBuffer,
  lin: Linear,
  N: number,
  s: LinearScratch | null,
  accumulateDx = false,
): void {
  const { inF, outF } = lin;
  if (dx) {
    // linear: dx = dy · W (W stored (out, in)); conv1d: dx = dy · Wᵀ (W stored (in, out)).
    matmul(rec, dx, dy, lin.weight, null, N, outF, inF, { transB: lin.layout === 'conv1d', accumulate: accumulateDx, bFormat: lin.weightFormat });
  }
  if (lin.dWeight) {
    if (lin.layout === 'linear') matmul(rec, lin.dWeight, dy, x, null, outF, N, inF, { transA: true, accumulate: true });
    else matmul(rec, lin.dWeight, x, dy, null, inF, N, outF, { transA: true, accumulate: true });
  }
  if (lin.dBias) biasBackward(rec, lin.dBias, dy, N, outF);
  const lora = lin.lora;
  if (!lora || !s?.u) return;
  if (lora.dB) matmul(rec, lora.dB, dy, s.u, null, outF, N, lora.r, { transA: true, alpha: lora.scale, accumulate: true, splitK: true });
  // du (N, r) = scale · dy · B
  matmul(rec, s.du, dy, lora.B, null, N, outF, lora.r, { alpha: lora.scale, splitK: true });
  let xa = x;
  if (lora.dropout > 0) {
    dropoutForward(rec, s.xDrop, x, N * inF, lora.dropout, s.seed);
    xa = s.xDrop;
  }
  if (lora.dA) matmul(rec, lora.dA, s.du, xa, null, lora.r, N, inF, { transA: true, accumulate: true, splitK: true });
  if (!dx) return;
  if (lora.dropout > 0) {
    // dx += dropout'(du · A): reuse xDrop (dropout(x) is no longer needed) for du·A, then mask it into dx.
    matmul(rec, s.xDrop, s.du, lora.A, null, N, lora.r, inF, {});
    dropoutBackward(rec, dx, s.xDrop, N * inF, lora.dropout, s.seed, { accumulate: true });
  } else {
    matmul(rec, dx, s.du, lora.A, null, N, lora.r, inF, { accumulate: true });
  }
}
