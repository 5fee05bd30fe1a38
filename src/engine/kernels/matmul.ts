/**
 * General matrix multiply on the GPU (shaders/matmul.wgsl): every Linear / Conv1D / LM head / LoRA product of the
 * model, forward and backward, goes through this one wrapper.
 *
 *   out (M, N) = alpha · op(a) · op(b) [+ bias (N) broadcast over rows] [+ out when accumulate]
 *   a (M, K), or stored (K, M) when transA;  b (K, N), or stored (N, K) when transB. Row-major; a, bias and out
 *   are f32, b is f32 or (bFormat 'f16') f16 packed two per 32-bit word, low half first (a frozen base weight stored
 *   at half size; see src/engine/transformer/weights.ts). Products are computed in f32 either way.
 *
 * Typical calls: forward x·Wᵀ with HF Linear weights [out, in] → transB; dx = dy·W → plain; dW += dyᵀ·x → transA
 * with accumulate; LoRA B·(A·x) → alpha = scale, accumulate into the base output.
 *
 * Which kernel variant runs (vec4-along-k entry point, workgroup shape, split-K for the skinny LoRA products that
 * allow it) is decided per adapter class and shape by matmulPlan.ts; every variant computes the same sums up to f32
 * rounding order.
 */
import type { Gpu } from '../gpu/device';
import { f32, type Param, type Recorder } from '../gpu/recorder';
import { grid1d } from './grid';
import { planMatmul, SPLITK_SCRATCH_FLOATS } from './matmulPlan';
import { dropoutScale, dropoutThreshold } from '../reference/dropout';

export interface MatmulOptions {
  /** a is stored (K, M) and used transposed. */
  transA?: boolean;
  /** b is stored (N, K) and used transposed. */
  transB?: boolean;
  /** Scales the product (not the bias). Default 1. */
  alpha?: number;
  /** Add to what is already in out instead of overwriting it. */
  accumulate?: boolean;
  /** Storage format of b: 'f32' (default) or 'f16' packed two per u32 (ceil(K·N / 2) words). */
  bFormat?: 'f32' | 'f16';
  /**
   * Where each matrix starts in its buffer, in elements (default 0): a row block of a larger activation, e.g. rows
   * [r0, r0 + M) of an (N, K) buffer is aOffset = r0·K. An f16 b needs an even bOffset (whole words).
   */
  aOffset?: number;
  bOffset?: number;
  outOffset?: number;
  /**
   * Allow split-K (see matmulPlan.ts): for the LoRA products, whose outputs are skinny and K long. Results then
   * differ from the single pass by f32 rounding order only.
   */
  splitK?: boolean;
  /**
   * out = … + addend (M, N) (at out's offset) instead of reading out: the residual connection y = x + x'·Wᵀ in one
   * pass, without first copying x into out. Not with `accumulate`.
   */
  addend?: GPUBuffer;
  /** out += alpha · u (M, r) · V (r, N) after everything else (a LoRA path's update folded into its base product). */
  lowRank?: LowRankTerm;
}

/**
 * The rank-r epilogue term: element (j, n) of V is v[j·vStrideJ + n·vStrideN] — LoRA B (out, r) seen as Bᵀ is
 * (1, r); LoRA A (r, in) is (in, 1). u is (M, r) row-major from offset 0.
 */
export interface LowRankTerm {
  u: GPUBuffer;
  v: GPUBuffer;
  r: number;
  alpha: number;
  vStrideJ: number;
  vStrideN: number;
  /**
   * LoRA dropout's backward on the term: it is masked and scaled exactly as kernels/dropout.ts `dropoutBackward`
   * with this (p, seed) over out's flat index m·N + n (out must then start at offset 0).
   */
  dropout?: { p: number; seed: number };
}

/** Output rows / columns computed by one invocation (fixed: the shader is unrolled for 8 x 8). */
const BLOCK = 8;

const ACCUMULATE = 1;
const HAS_BIAS = 2;
const HAS_ADDEND = 4;
const LOW_RANK = 8;
const LOW_RANK_DROPOUT = 16;

function checkDim(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new Error(`matmul: ${name} must be a non-negative integer, got ${v}`);
}

/**
 * Checks a buffer holds `elements` values after `offset` ones (f32: 4 bytes each; f16: 2 each, rounded up to whole
 * 4-byte words); returns the bytes bound (from the buffer's start: offsets are applied in the shader).
 */
function checkBuffer(gpu: Gpu, what: string, buf: GPUBuffer, elements: number, format: 'f32' | 'f16' = 'f32', offset = 0): number {
  const end = offset + elements;
  const bytes = format === 'f16' ? Math.ceil(end / 2) * 4 : end * 4;
  gpu.checkBinding(`matmul ${what}`, bytes);
  if (buf.size < bytes) throw new Error(`matmul: ${what} needs ${bytes} bytes but its buffer has ${buf.size}`);
  return bytes;
}

/** Records out = alpha · op(a) · op(b) [+ bias] [+ out]. See the file comment for layouts. */
export function matmul(
  rec: Recorder,
  out: GPUBuffer,
  a: GPUBuffer,
  b: GPUBuffer,
  bias: GPUBuffer | null,
  M: number,
  K: number,
  N: number,
  opts: MatmulOptions = {},
): void {
  const { transA = false, transB = false, alpha = 1, accumulate = false, bFormat = 'f32', aOffset = 0, bOffset = 0, outOffset = 0 } = opts;
  const allowSplit = opts.splitK ?? false;
  checkDim('M', M);
  checkDim('K', K);
  checkDim('N', N);
  checkDim('aOffset', aOffset);
  checkDim('bOffset', bOffset);
  checkDim('outOffset', outOffset);
  if (bFormat === 'f16' && bOffset % 2 !== 0) throw new Error(`matmul: an f16 b needs an even bOffset (whole words), got ${bOffset}`);
  if (!Number.isFinite(alpha)) throw new Error(`matmul: alpha must be finite, got ${alpha}`);
  if (bFormat !== 'f32' && bFormat !== 'f16') throw new Error(`matmul: bFormat must be 'f32' or 'f16', got ${String(bFormat)}`);
  if (out === a || out === b || out === bias) throw new Error('matmul: out must not be the same buffer as a, b or bias');
  const { addend, lowRank } = opts;
  if (addend && accumulate) throw new Error('matmul: addend and accumulate both add to the product; pass one');
  if (addend === out) throw new Error('matmul: addend must not be out (use accumulate)');
  if (lowRank) {
    const { r, alpha: la, vStrideJ, vStrideN } = lowRank;
    if (!Number.isInteger(r) || r < 1) throw new Error(`matmul: lowRank.r must be a positive integer, got ${r}`);
    if (!Number.isFinite(la)) throw new Error(`matmul: lowRank.alpha must be finite, got ${la}`);
    checkDim('lowRank.vStrideJ', vStrideJ);
    checkDim('lowRank.vStrideN', vStrideN);
    if (lowRank.u === out || lowRank.v === out) throw new Error('matmul: lowRank u and v must not be out');
    const d = lowRank.dropout;
    if (d) {
      if (!(d.p > 0 && d.p < 1)) throw new Error(`matmul: lowRank.dropout.p must be in (0, 1), got ${d.p}`);
      if (!Number.isInteger(d.seed) || d.seed < 0 || d.seed > 0xffffffff) throw new Error(`matmul: lowRank.dropout.seed must be a u32, got ${d.seed}`);
      if (outOffset !== 0) throw new Error('matmul: a lowRank dropout mask is over out from offset 0; outOffset must be 0');
    }
  }
  if (M === 0 || N === 0) return;

  const gpu = rec.gpu;
  const aShape = transA ? `a (K=${K}, M=${M})` : `a (M=${M}, K=${K})`;
  const bShape = (transB ? `b (N=${N}, K=${K})` : `b (K=${K}, N=${N})`) + (bFormat === 'f16' ? ' f16' : '');
  const outBytes = checkBuffer(gpu, `out (M=${M}, N=${N})`, out, M * N, 'f32', outOffset);
  // A zero-size binding is invalid: with K = 0 bind 4 bytes that are never read.
  const aBytes = Math.max(4, checkBuffer(gpu, aShape, a, M * K, 'f32', aOffset));
  const bBytes = Math.max(4, checkBuffer(gpu, bShape, b, K * N, bFormat, bOffset));
  // Without a bias the slot still needs a buffer: reuse `a` (read-only twice is allowed); the shader never reads it.
  const biasBinding = bias ? { buffer: bias, size: checkBuffer(gpu, `bias (N=${N})`, bias, N) } : { buffer: a, size: aBytes };
  // Epilogue bindings, `a` again (never read) when absent.
  const unused = { buffer: a, size: aBytes };
  const addendBinding = addend ? { buffer: addend, size: checkBuffer(gpu, `addend (M=${M}, N=${N})`, addend, M * N, 'f32', outOffset) } : unused;
  let lrBindings = [unused, unused];
  let lrParams: Param[] = [0, f32(0), 0, 0, 0, 0, f32(0)];
  if (lowRank) {
    const { u, v, r, vStrideJ, vStrideN } = lowRank;
    const vElems = (r - 1) * vStrideJ + (N - 1) * vStrideN + 1;
    lrBindings = [{ buffer: u, size: checkBuffer(gpu, `lowRank u (M=${M}, r=${r})`, u, M * r) }, { buffer: v, size: checkBuffer(gpu, `lowRank v (r=${r}, N=${N})`, v, vElems) }];
    const d = lowRank.dropout;
    lrParams = [r, f32(lowRank.alpha), vStrideJ, vStrideN, d ? dropoutThreshold(d.p) : 0, d?.seed ?? 0, f32(d ? dropoutScale(d.p) : 0)];
  }

  // Entry point (f16 words, vec4 along k, scalar), workgroup shape and split-K: see matmulPlan.ts.
  const f16 = bFormat === 'f16';
  const plan = planMatmul({ M, K, N, transA, transB, bFormat, aOffset, bOffset, splitK: allowSplit }, gpu.adapter.isSoftware);
  const { entryPoint, wgX, wgY, kChunk, chunks } = plan;
  const constants = { TRANS_A: transA ? 1 : 0, TRANS_B: transB ? 1 : 0, B_F16: f16 ? 1 : 0, WG_X: wgX, WG_Y: wgY };
  const workgroups = (rows: number): [number, number] => [Math.ceil(N / (BLOCK * wgX)), Math.ceil(rows / (BLOCK * wgY))];
  const flags = (accumulate ? ACCUMULATE : 0) | (bias ? HAS_BIAS : 0) | (addend ? HAS_ADDEND : 0) | (lowRank ? LOW_RANK : 0) | (lowRank?.dropout ? LOW_RANK_DROPOUT : 0);
  if (chunks > 1 && (addend || lowRank)) throw new Error('matmul: addend / lowRank epilogues are for single-pass (base) products, not split-K');
  const label =
    `matmul ${M}x${K}x${N}${transA ? ' tA' : ''}${transB ? ' tB' : ''}${f16 ? ' b16' : ''}` +
    `${entryPoint === 'main' ? '' : ` ${entryPoint.slice(5)}`}${wgX === wgY ? '' : ` wg${wgX}x${wgY}`}` +
    `${addend ? ' +residual' : ''}${lowRank ? ` +rank${lowRank.r}` : ''}`;
  const bindings = (o: GPUBuffer, size: number) => [
    { buffer: o, size }, { buffer: a, size: aBytes }, { buffer: b, size: bBytes }, biasBinding, addendBinding, ...lrBindings,
  ];
  if (chunks === 1) {
    rec.dispatch({
      shader: 'matmul',
      entryPoint,
      constants,
      params: [M, K, N, f32(alpha), flags, aOffset, bOffset, outOffset, 0, ...lrParams],
      bindings: bindings(out, outBytes),
      workgroups: workgroups(M),
      label,
    });
    return;
  }
  // Split-K: chunk z's partial product (alpha 1, no bias, no accumulate) into part[z·rows·N ..], then the ordered sum
  // applies alpha, bias and accumulate exactly as the single pass does; `plan.rows` output rows at a time (only a
  // row-wise product may need more than one block: transA products are planned to fit the scratch whole).
  const part = splitKScratch(rec);
  for (let m0 = 0; m0 < M; m0 += plan.rows) {
    const rows = Math.min(plan.rows, M - m0);
    const partBytes = chunks * rows * N * 4;
    rec.dispatch({
      shader: 'matmul',
      entryPoint,
      constants,
      params: [rows, K, N, f32(1), 0, aOffset + m0 * K, bOffset, 0, kChunk, 0, f32(0), 0, 0, 0, 0, f32(0)],
      bindings: bindings(part, partBytes),
      workgroups: [...workgroups(rows), chunks],
      label: `${label} splitK ${chunks}x${kChunk}${rows === M ? '' : ` rows ${m0}+${rows}`}`,
    });
    rec.dispatch({
      shader: 'matmul_splitk_sum',
      params: [rows * N, N, chunks, f32(alpha), flags, outOffset + m0 * N],
      bindings: [{ buffer: out, size: outBytes }, { buffer: part, size: partBytes }, bias ? biasBinding : { buffer: part, size: 4 }],
      workgroups: grid1d(rows * N, 256),
      label: `matmul ${M}x${K}x${N} splitK sum`,
    });
  }
}

/**
 * The split-K partials buffer of this device: SPLITK_SCRATCH_FLOATS floats, allocated once (pool "matmul") on the
 * first split-K product and shared by all of them — each product's sum pass reads it before the next product's first
 * pass overwrites it (dispatches in one pass or command buffer run in order, WebGPU inserting the barriers).
 */
const scratchByDevice = new WeakMap<GPUDevice, GPUBuffer>();
function splitKScratch(rec: Recorder): GPUBuffer {
  const { device, buffers } = rec.gpu;
  let buf = scratchByDevice.get(device);
  if (!buf) {
    buf = buffers.storage('matmul', 'split-K partials', SPLITK_SCRATCH_FLOATS * 4);
    scratchByDevice.set(device, buf);
  }
  return buf;
}
