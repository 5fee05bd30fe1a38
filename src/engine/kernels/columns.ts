import type { Recorder } from '../gpu/recorder';
import { grid1d } from './grid';
import { requireCount, requireFloats } from './validate';

const WG = 256;

/** Where the copied column block sits in each matrix. Strides default to `width`, offsets to 0. */
export interface CopyColumnsOptions {
  /** Row stride (columns per row) of dst. */
  dstStride?: number;
  /** First column of dst written. */
  dstOffset?: number;
  /** Row stride (columns per row) of src. */
  srcStride?: number;
  /** First column of src read. */
  srcOffset?: number;
  /** Add into dst instead of overwriting it. */
  accumulate?: boolean;
}

/**
 * dst (N, dstStride)[:, dstOffset : dstOffset + width] (= or +=) src (N, srcStride)[:, srcOffset : srcOffset + width].
 * The other columns of dst are left as they are. E.g. Phi-3's fused qkv_proj output qkv (N, qW + 2·kvW):
 *   copyColumns(rec, k, qkv, N, kvW, { srcStride: qW + 2 * kvW, srcOffset: qW })            // k ← qkv[:, qW : qW + kvW]
 *   copyColumns(rec, dqkv, dk, N, kvW, { dstStride: qW + 2 * kvW, dstOffset: qW })          // backward
 * dst and src must be different buffers (WebGPU cannot bind one buffer as both).
 */
export function copyColumns(rec: Recorder, dst: GPUBuffer, src: GPUBuffer, N: number, width: number, opts: CopyColumnsOptions = {}): void {
  const { dstStride = width, dstOffset = 0, srcStride = width, srcOffset = 0, accumulate = false } = opts;
  const kernel = 'copyColumns';
  requireCount(kernel, 'N', N);
  requireCount(kernel, 'width', width);
  requireCount(kernel, 'dstStride', dstStride);
  requireCount(kernel, 'srcStride', srcStride);
  for (const [k, v] of [['dstOffset', dstOffset], ['srcOffset', srcOffset]] as const)
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${kernel}: ${k} must be a non-negative integer, got ${v}`);
  if (dstOffset + width > dstStride)
    throw new RangeError(`${kernel}: dstOffset + width (${dstOffset} + ${width}) exceeds dstStride (${dstStride})`);
  if (srcOffset + width > srcStride)
    throw new RangeError(`${kernel}: srcOffset + width (${srcOffset} + ${width}) exceeds srcStride (${srcStride})`);
  if (dst === src) throw new RangeError(`${kernel}: dst and src must be different buffers`);
  requireFloats(kernel, (N - 1) * dstStride + dstOffset + width, [[dst, 'dst']]);
  requireFloats(kernel, (N - 1) * srcStride + srcOffset + width, [[src, 'src']]);
  rec.dispatch({
    shader: 'columns',
    constants: { WG },
    params: [N, width, dstStride, dstOffset, srcStride, srcOffset, accumulate ? 1 : 0],
    bindings: [dst, src],
    workgroups: grid1d(N * width, WG),
    label: 'copy_columns',
  });
}

/** Checks for splitColumns3 / mergeColumns3: positive widths, distinct buffers, sizes. */
function check3(kernel: string, fused: GPUBuffer, parts: [GPUBuffer, GPUBuffer, GPUBuffer], N: number, widths: [number, number, number]): void {
  requireCount(kernel, 'N', N);
  widths.forEach((w, i) => requireCount(kernel, `width ${i}`, w));
  const all = [fused, ...parts];
  if (new Set(all).size !== all.length) throw new RangeError(`${kernel}: the fused matrix and the three parts must be four different buffers`);
  requireFloats(kernel, N * (widths[0] + widths[1] + widths[2]), [[fused, 'fused']]);
  parts.forEach((p, i) => requireFloats(kernel, N * widths[i], [[p, `part ${i}`]]));
}

/**
 * All three column blocks of a fused (N, w0 + w1 + w2) matrix in one dispatch: part_i (N, w_i) ← its block (e.g. q, k,
 * v ← a fused qkv_proj / c_attn output, GQA widths allowed). Exactly the three copyColumns it replaces.
 */
export function splitColumns3(rec: Recorder, parts: [GPUBuffer, GPUBuffer, GPUBuffer], fused: GPUBuffer, N: number, widths: [number, number, number]): void {
  check3('splitColumns3', fused, parts, N, widths);
  columns3(rec, 'split3', [...parts, fused], N, widths);
}

/** The backward of splitColumns3: fused (N, w0 + w1 + w2) ← [part0 | part1 | part2] per row, written. */
export function mergeColumns3(rec: Recorder, fused: GPUBuffer, parts: [GPUBuffer, GPUBuffer, GPUBuffer], N: number, widths: [number, number, number]): void {
  check3('mergeColumns3', fused, parts, N, widths);
  columns3(rec, 'merge3', [fused, ...parts], N, widths);
}

/** One thread per element of the fused (N, w0 + w1 + w2) matrix; `bindings` are the entry point's, outputs first. */
function columns3(rec: Recorder, entryPoint: 'split3' | 'merge3', bindings: GPUBuffer[], N: number, widths: [number, number, number]): void {
  rec.dispatch({
    shader: 'columns',
    entryPoint,
    constants: { WG },
    params: [N, widths[0], widths[1], widths[2], 0, 0, 0],
    bindings,
    workgroups: grid1d(N * (widths[0] + widths[1] + widths[2]), WG),
    label: entryPoint === 'split3' ? 'copy_columns_split' : 'copy_columns_merge',
  });
}
