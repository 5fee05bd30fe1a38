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
