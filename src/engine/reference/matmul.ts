/** CPU reference of `matmul` (see src/engine/kernels/matmul.ts): plain loops, f64 accumulation. */
import type { MatmulOptions } from '../kernels/matmul';

/**
 * out (M, N) = alpha · op(a) · op(b) [+ bias (N) on every row] [+ out when accumulate].
 * a (M, K), or stored (K, M) when transA; b (K, N), or stored (N, K) when transB. Row-major.
 */
export function matmul(
  out: Float32Array,
  a: Float32Array,
  b: Float32Array,
  bias: Float32Array | null,
  M: number,
  K: number,
  N: number,
  opts: MatmulOptions = {},
): void {
  const { transA = false, transB = false, alpha = 1, accumulate = false } = opts;
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (transA ? a[k * M + m] : a[m * K + k]) * (transB ? b[n * K + k] : b[k * N + n]);
      let v = alpha * s;
      if (bias) v += bias[n];
      if (accumulate) v += out[m * N + n];
      out[m * N + n] = v;
    }
  }
}
