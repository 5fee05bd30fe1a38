/**
 * A linear module of the model (nn.Linear [out, in] or GPT-2 Conv1D [in, out]) with its optional LoRA path, forward
 * and backward. LoRA exactly as PEFT: y = x·op(W) + b + scale · (dropout(x) · Aᵀ) · Bᵀ, A [r, in], B [out, r].
 *
 * The skinny LoRA products — u = x·Aᵀ and du = s·dy·B (N = r columns), dA and dB (r·in and out·r outputs reduced
 * over all N tokens) — allow split-K (see kernels/matmulPlan.ts): on a GPU they otherwise fill a few workgroups.
 * The rank-r updates that land on a base product's output are folded into that product's epilogue (matmul
 * `lowRank`): forward y = x·op(W) + b + s·u·Bᵀ (u computed first), backward dx = dy·W' + dropout'(du·A) (du
 * first; the dropout mask is regenerated in the epilogue). A residual input is added the same way (`residual`: y = residual + x·op(W) + …, no copy). The fused
 * results equal the unfused dispatch sequence bit for bit (kernels/matmulEpilogue.test.ts). A decoding step's few
 * rows go through matvec, which has no epilogue: there, and on CPU adapters (linearFoldPolicy), the unfused sequence
 * runs.
 *
 * Saved for backward: u = dropout(x)·Aᵀ (N, r) per module. dropout(x) itself is never stored: the dropout kernel
 * regenerates its mask from (seed, index), so backward recomputes it into scratch.
 */
import type { Recorder } from '../gpu/recorder';
import { matmul } from '../kernels/matmul';
import { linearProduct, matvecPolicy, MATVEC_MAX_M } from '../kernels/matvec';
import { copy } from '../kernels/residual';
import { biasBackward } from '../kernels/bias';
import { dropoutBackward, dropoutForward } from '../kernels/dropout';
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

/**
 * Whether the rank-r LoRA terms and the residual go into the base product's epilogue: 'auto' folds on hardware
 * adapters (one pass and two dispatches fewer per module) and not on CPU adapters, where the epilogue variant of the
 * base matmul measured ~10% slower in SwiftShader (+6% on a SmolLM2-shaped LoRA step) for 1.4% more FLOPs. Both
 * paths give the same bits. STUDIO_LINEAR_FOLD=on|off|auto forces it (tests, benchmarks).
 */
export const linearFoldPolicy: { fold: 'auto' | 'on' | 'off' } = {
  fold: (() => {
    const v = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.STUDIO_LINEAR_FOLD ?? 'auto';
    if (v !== 'auto' && v !== 'on' && v !== 'off') throw new Error(`STUDIO_LINEAR_FOLD must be auto, on or off, got ${v}`);
    return v;
  })(),
};

function folds(rec: Recorder): boolean {
  return linearFoldPolicy.fold === 'on' || (linearFoldPolicy.fold === 'auto' && !rec.gpu.adapter.isSoftware);
}

/** Whether linearProduct takes matvec for N rows (a decoding step): no epilogue terms there. */
function usesMatvec(N: number): boolean {
  return N >= 1 && N <= Math.min(matvecPolicy.maxM, MATVEC_MAX_M);
}

/**
 * y (N, out) = x (N, in) · op(W) + b [+ y if accumulate] [+ residual (N, out)] + LoRA. `residual` (the skip
 * connection's input) must not be y; it and `accumulate` are exclusive.
 */
export function linearForward(
  rec: Recorder, y: GPUBuffer, x: GPUBuffer, lin: Linear, N: number, s: LinearScratch | null, accumulate = false,
  residual: GPUBuffer | null = null,
): void {
  const transB = lin.layout === 'linear';
  const lora = lin.lora;
  if (lora && !s?.u) throw new Error(`${lin.path}: LoRA forward needs a u buffer`);
  if (usesMatvec(N) || !folds(rec)) {
    // linearProduct: a matrix-vector kernel for a decoding step's few rows (else matmul); the terms are separate
    // dispatches.
    if (residual) copy(rec, y, residual, N * lin.outF);
    linearProduct(rec, y, x, lin.weight, lin.bias, N, lin.inF, lin.outF, { transB, accumulate: accumulate || !!residual, bFormat: lin.weightFormat });
    if (lora) {
      linearProduct(rec, s!.u!, loraInput(rec, x, lin, N, s!), lora.A, null, N, lin.inF, lora.r, { transB: true, splitK: true }); // u (N, r) = xa · Aᵀ
      linearProduct(rec, y, s!.u!, lora.B, null, N, lora.r, lin.outF, { transB: true, alpha: lora.scale, accumulate: true }); // y += s·u·Bᵀ
    }
    return;
  }
  // u (N, r) = dropout(x) · Aᵀ first, so the base product can add s·u·Bᵀ (B (out, r): element (j, n) at n·r + j).
  if (lora) matmul(rec, s!.u!, loraInput(rec, x, lin, N, s!), lora.A, null, N, lin.inF, lora.r, { transB: true, splitK: true });
  matmul(rec, y, x, lin.weight, lin.bias, N, lin.inF, lin.outF, {
    transB, accumulate, bFormat: lin.weightFormat, addend: residual ?? undefined,
    lowRank: lora ? { u: s!.u!, v: lora.B, r: lora.r, alpha: lora.scale, vStrideJ: 1, vStrideN: lora.r } : undefined,
  });
}

/** The LoRA path's input: x, or dropout(x) regenerated into s.xDrop from the module's seed. */
function loraInput(rec: Recorder, x: GPUBuffer, lin: Linear, N: number, s: LinearScratch): GPUBuffer {
  const p = lin.lora!.dropout;
  if (p <= 0) return x;
  dropoutForward(rec, s.xDrop, x, N * lin.inF, p, s.seed);
  return s.xDrop;
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
  const lora = lin.lora && s?.u ? lin.lora : null;
  // dx's LoRA term dropout'(du·A) (A (r, in): element (j, n) at j·in + n; the mask regenerated from the module's seed)
  // folds into the base product's epilogue: du first.
  const fold = !!(lora && dx) && folds(rec);
  if (lora && fold) matmul(rec, s!.du, dy, lora.B, null, N, outF, lora.r, { alpha: lora.scale, splitK: true }); // du (N, r) = scale · dy · B
  if (dx) {
    // linear: dx = dy · W (W stored (out, in)); conv1d: dx = dy · Wᵀ (W stored (in, out)).
    matmul(rec, dx, dy, lin.weight, null, N, outF, inF, {
      transB: lin.layout === 'conv1d', accumulate: accumulateDx, bFormat: lin.weightFormat,
      lowRank: fold ? {
        u: s!.du, v: lora!.A, r: lora!.r, alpha: 1, vStrideJ: inF, vStrideN: 1,
        dropout: lora!.dropout > 0 ? { p: lora!.dropout, seed: s!.seed } : undefined,
      } : undefined,
    });
  }
  if (lin.dWeight) {
    if (lin.layout === 'linear') matmul(rec, lin.dWeight, dy, x, null, outF, N, inF, { transA: true, accumulate: true });
    else matmul(rec, lin.dWeight, x, dy, null, inF, N, outF, { transA: true, accumulate: true });
  }
  if (lin.dBias) biasBackward(rec, lin.dBias, dy, N, outF);
  if (!lora) return;
  if (lora.dB) matmul(rec, lora.dB, dy, s!.u!, null, outF, N, lora.r, { transA: true, alpha: lora.scale, accumulate: true, splitK: true });
  if (!fold) matmul(rec, s!.du, dy, lora.B, null, N, outF, lora.r, { alpha: lora.scale, splitK: true }); // du (N, r) = scale · dy · B
  const xa = loraInput(rec, x, lin, N, s!);
  if (lora.dA) matmul(rec, lora.dA, s!.du, xa, null, lora.r, N, inF, { transA: true, accumulate: true, splitK: true });
  if (!dx || fold) return;
  if (lora.dropout > 0) {
    // dx += dropout'(du · A): xDrop (dropout(x) is no longer needed) takes du·A, then the mask is applied into dx.
    matmul(rec, s!.xDrop, s!.du, lora.A, null, N, lora.r, inF, {});
    dropoutBackward(rec, dx, s!.xDrop, N * inF, lora.dropout, s!.seed, { accumulate: true });
  } else {
    matmul(rec, dx, s!.du, lora.A, null, N, lora.r, inF, { accumulate: true });
  }
}
