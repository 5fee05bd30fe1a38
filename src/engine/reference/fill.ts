/** CPU reference of `fill`. */
export function fill(out: Float32Array, n: number, value = 0): void {
  for (let i = 0; i < n; i++) out[i] = value;
}
