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
 */
import type { Gpu } from '../gpu/device';
import { f32, type Recorder } from '../gpu/recorder';

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
}

/** Output rows / columns computed by one invocation (fixed: the shader is unrolled for 8 x 8). */
const BLOCK = 8;
/** Invocations per workgroup in x (columns) and y (rows). */
const WG_X = 8;
const WG_Y = 8;

const ACCUMULATE = 1;
const HAS_BIAS = 2;

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

  // f16 b in whole words where the layout allows (adjacent k with transB and an even K, adjacent n with an even N).
  const f16 = bFormat === 'f16';
  const entryPoint = f16 && transB && K % 2 === 0 ? 'main_f16_k' : f16 && !transB && N % 2 === 0 ? 'main_f16_n' : 'main';
  rec.dispatch({
    shader: 'matmul',
    entryPoint,
    constants: { TRANS_A: transA ? 1 : 0, TRANS_B: transB ? 1 : 0, B_F16: bFormat === 'f16' ? 1 : 0, WG_X, WG_Y },
    params: [M, K, N, f32(alpha), (accumulate ? ACCUMULATE : 0) | (bias ? HAS_BIAS : 0), aOffset, bOffset, outOffset],
    bindings: [
      { buffer: out, size: outBytes },
      { buffer: a, size: aBytes },
      { buffer: b, size: bBytes },
      biasBinding,
    ],
    workgroups: [Math.ceil(N / (BLOCK * WG_X)), Math.ceil(M / (BLOCK * WG_Y))],
    label: `matmul ${M}x${K}x${N}${transA ? ' tA' : ''}${transB ? ' tB' : ''}${f16 ? ' b16' : ''}${entryPoint === 'main' ? '' : ` ${entryPoint.slice(5)}`}`,
  });
}
