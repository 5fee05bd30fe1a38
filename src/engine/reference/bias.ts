/** CPU reference of `biasBackward`: dbias (C) += column sums of dout (N, C). */
export function biasBackward(dbias: Float32Array | Float64Array, dout: Float32Array | Float64Array, N: number, C: number): void {
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) s += dout[n * C + c];
    dbias[c] += s;
  }
}
