/**
 * CPU reference of LayerNorm (GPT-2, torch.nn.LayerNorm: biased variance, eps inside the sqrt):
 * y = (x − mean) · rstd · w + b, rstd = 1 / sqrt(var + eps). Works on Float32Array and Float64Array.
 */
type Floats = Float32Array | Float64Array;

/** out (N, C), mean (N), rstd (N) ← inp (N, C), weight (C), bias (C). */
export function layernormForward(
  out: Floats, mean: Floats, rstd: Floats, inp: Floats, weight: Floats, bias: Floats, N: number, C: number, eps: number,
): void {
  for (let n = 0; n < N; n++) {
    const row = n * C;
    let s = 0;
    for (let c = 0; c < C; c++) s += inp[row + c];
    const m = s / C;
    let v = 0;
    for (let c = 0; c < C; c++) v += (inp[row + c] - m) * (inp[row + c] - m);
    const r = 1 / Math.sqrt(v / C + eps);
    mean[n] = m;
    rstd[n] = r;
    for (let c = 0; c < C; c++) out[row + c] = (inp[row + c] - m) * r * weight[c] + bias[c];
  }
}

/**
 * With xhat = (x − mean)·rstd and g = dy·w:
 *   dinp = rstd · (g − mean_c(g) − xhat · mean_c(g·xhat))   (written, or added with accumulate)
 *   dweight += Σ_n dy·xhat,  dbias += Σ_n dy                 (each skipped when null)
 */
export function layernormBackward(
  dinp: Floats,
  dweight: Floats | null,
  dbias: Floats | null,
  dout: Floats,
  inp: Floats,
  weight: Floats,
  mean: Floats,
  rstd: Floats,
  N: number,
  C: number,
  opts: { accumulate?: boolean } = {},
): void {
  for (let n = 0; n < N; n++) {
    const row = n * C;
    const m = mean[n], r = rstd[n];
    let sg = 0, sgx = 0;
    for (let c = 0; c < C; c++) {
      const g = dout[row + c] * weight[c];
      sg += g;
      sgx += g * (inp[row + c] - m) * r;
    }
    sg /= C;
    sgx /= C;
    for (let c = 0; c < C; c++) {
      const xhat = (inp[row + c] - m) * r;
      const d = r * (dout[row + c] * weight[c] - sg - xhat * sgx);
      dinp[row + c] = opts.accumulate ? dinp[row + c] + d : d;
    }
  }
  for (let c = 0; c < C; c++) {
    let sw = 0, sb = 0;
    for (let n = 0; n < N; n++) {
      const dy = dout[n * C + c];
      sw += dy * (inp[n * C + c] - mean[n]) * rstd[n];
      sb += dy;
    }
    if (dweight) dweight[c] += sw;
    if (dbias) dbias[c] += sb;
  }
}
