/**
 * Matrix-vector products for small M (shaders/matvec.wgsl): the decoding step, where every linear, LoRA product and
 * the LM head multiply 1 (or a few) rows by a weight. Same contract as `matmul` (see matmul.ts) without transA:
 *
 *   out (M, N) = alpha · a (M, K) · op(b) [+ bias (N)] [+ out when accumulate],  1 ≤ M ≤ MATVEC_MAX_M,
 *   b (K, N), or stored (N, K) when transB; f32 or f16 packed two per word (bFormat), offsets in elements.
 *
 * Each weight value is read once and used for all M rows, with consecutive invocations on consecutive addresses
 * (see the shader's prose). `linearProduct` is the one place that chooses between this and `matmul`.
 */
import type { Gpu } from '../gpu/device';
import { f32, type Recorder } from '../gpu/recorder';
import { matmul, type MatmulOptions } from './matmul';
import { grid1d } from './grid';

/** Rows one matvec dispatch handles (one vec4 accumulator per output column). */
export const MATVEC_MAX_M = 4;

/**
 * Widths per adapter class. GPU: 32 lanes per column of a transposed weight (a warp-sized coalesced run), 4 k-slices
 * per column of a plain one. CPU adapter (SwiftShader runs a workgroup's lanes on one thread and every barrier is a
 * lane switch): no trees — one invocation walks a whole column; 64 columns per workgroup.
 */
export interface MatvecWidths { LANES: number; COLS: number; TX: number; KS: number }
export const GPU_MATVEC: MatvecWidths = { LANES: 32, COLS: 8, TX: 64, KS: 4 };
export const CPU_MATVEC: MatvecWidths = { LANES: 1, COLS: 64, TX: 64, KS: 1 };

export function matvecWidths(gpu: Gpu): MatvecWidths {
  return gpu.adapter.isSoftware ? CPU_MATVEC : GPU_MATVEC;
}

/**
 * Which products take the matvec path: M ≤ maxM (0 turns it off everywhere — the benchmark's "before" setting).
 * Mutable on purpose, for benchmarks and tests; the engine never changes it.
 */
export const matvecPolicy = { maxM: MATVEC_MAX_M };

export type MatvecOptions = Omit<MatmulOptions, 'transA'>;

const ACCUMULATE = 1;
const HAS_BIAS = 2;

function bytesOf(gpu: Gpu, what: string, buf: GPUBuffer, elements: number, format: 'f32' | 'f16', offset: number): number {
  const end = offset + elements;
  const bytes = Math.max(4, format === 'f16' ? Math.ceil(end / 2) * 4 : end * 4);
  gpu.checkBinding(`matvec ${what}`, bytes);
  if (buf.size < bytes) throw new Error(`matvec: ${what} needs ${bytes} bytes but its buffer has ${buf.size}`);
  return bytes;
}

/** Records out (M, N) = alpha · a · op(b) [+ bias] [+ out], M ≤ MATVEC_MAX_M. */
export function matvec(
  rec: Recorder, out: GPUBuffer, a: GPUBuffer, b: GPUBuffer, bias: GPUBuffer | null, M: number, K: number, N: number,
  opts: MatvecOptions = {},
): void {
  const { transB = false, alpha = 1, accumulate = false, bFormat = 'f32', aOffset = 0, bOffset = 0, outOffset = 0 } = opts;
  for (const [name, v] of Object.entries({ M, K, N, aOffset, bOffset, outOffset })) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`matvec: ${name} must be a non-negative integer, got ${v}`);
  }
  if (M > MATVEC_MAX_M) throw new Error(`matvec: M must be at most ${MATVEC_MAX_M}, got ${M} (use matmul)`);
  if (!Number.isFinite(alpha)) throw new Error(`matvec: alpha must be finite, got ${alpha}`);
  if (bFormat !== 'f32' && bFormat !== 'f16') throw new Error(`matvec: bFormat must be 'f32' or 'f16', got ${String(bFormat)}`);
  if (out === a || out === b || out === bias) throw new Error('matvec: out must not be the same buffer as a, b or bias');
  if (M === 0 || N === 0) return;
  const gpu = rec.gpu;
  const outBytes = bytesOf(gpu, `out (M=${M}, N=${N})`, out, M * N, 'f32', outOffset);
  const aBytes = bytesOf(gpu, `a (M=${M}, K=${K})`, a, M * K, 'f32', aOffset);
  const bBytes = bytesOf(gpu, transB ? `b (N=${N}, K=${K})` : `b (K=${K}, N=${N})`, b, K * N, bFormat, bOffset);
  const biasBinding = bias ? { buffer: bias, size: bytesOf(gpu, `bias (N=${N})`, bias, N, 'f32', 0) } : { buffer: a, size: aBytes };
  const w = matvecWidths(gpu);
  const perGroup = transB ? w.COLS : w.TX;
  rec.dispatch({
    shader: 'matvec',
    entryPoint: transB ? 'main_t' : 'main_p',
    constants: transB ? { TRANS_B: 1, B_F16: bFormat === 'f16' ? 1 : 0, ROWS: M, LANES: w.LANES, COLS: w.COLS }
      : { TRANS_B: 0, B_F16: bFormat === 'f16' ? 1 : 0, ROWS: M, TX: w.TX, KS: w.KS },
    params: [M, K, N, f32(alpha), (accumulate ? ACCUMULATE : 0) | (bias ? HAS_BIAS : 0), aOffset, bOffset, outOffset],
    bindings: [{ buffer: out, size: outBytes }, { buffer: a, size: aBytes }, { buffer: b, size: bBytes }, biasBinding],
    workgroups: grid1d(N, perGroup),
    label: `matvec ${M}x${K}x${N}${transB ? ' tB' : ''}${bFormat === 'f16' ? ' b16' : ''}`,
  });
}

/**
 * out = alpha · a · op(b) [+ bias] [+ out]: matvec for M ≤ matvecPolicy.maxM (decoding), matmul otherwise — the
 * product every linear's forward uses.
 */
export function linearProduct(
  rec: Recorder, out: GPUBuffer, a: GPUBuffer, b: GPUBuffer, bias: GPUBuffer | null, M: number, K: number, N: number,
  opts: MatvecOptions = {},
): void {
  if (M >= 1 && M <= Math.min(matvecPolicy.maxM, MATVEC_MAX_M)) matvec(rec, out, a, b, bias, M, K, N, opts);
  else matmul(rec, out, a, b, bias, M, K, N, opts);
}
