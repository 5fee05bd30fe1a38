/**
 * CPU reference of the column-block copy (kernels/columns.ts): dst[n, dstOffset + j] (= or +=) src[n, srcOffset + j]
 * for n < N, j < width, with row strides dstStride / srcStride (default width) and offsets (default 0).
 */
type Floats = Float32Array | Float64Array;

export function copyColumns(
  dst: Floats, src: Floats, N: number, width: number,
  opts: { dstStride?: number; dstOffset?: number; srcStride?: number; srcOffset?: number; accumulate?: boolean } = {},
): void {
  const { dstStride = width, dstOffset = 0, srcStride = width, srcOffset = 0, accumulate = false } = opts;
  for (let n = 0; n < N; n++)
    for (let j = 0; j < width; j++) {
      const d = n * dstStride + dstOffset + j;
      const v = src[n * srcStride + srcOffset + j];
      dst[d] = accumulate ? dst[d] + v : v;
    }
}
