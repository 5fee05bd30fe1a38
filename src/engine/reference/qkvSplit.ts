/** CPU references of the qkv split kernels; same names and argument order as src/engine/kernels/qkvSplit.ts. */
export function qkvSplitForward(q: Float32Array, k: Float32Array, v: Float32Array, qkv: Float32Array, N: number, C: number): void {
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      q[n * C + c] = qkv[n * 3 * C + c];
      k[n * C + c] = qkv[n * 3 * C + C + c];
      v[n * C + c] = qkv[n * 3 * C + 2 * C + c];
    }
}

export function qkvSplitBackward(dqkv: Float32Array, dq: Float32Array, dk: Float32Array, dv: Float32Array, N: number, C: number): void {
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      dqkv[n * 3 * C + c] = dq[n * C + c];
      dqkv[n * 3 * C + C + c] = dk[n * C + c];
      dqkv[n * 3 * C + 2 * C + c] = dv[n * C + c];
    }
}
