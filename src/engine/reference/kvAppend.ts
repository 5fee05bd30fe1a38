/** CPU reference of kvAppend. */
export function kvAppend(cache: Float32Array, src: Float32Array, offset: number, n: number): void {
  for (let i = 0; i < n; i++) cache[offset + i] = src[i];
}
