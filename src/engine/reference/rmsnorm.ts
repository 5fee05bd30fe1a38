/**
 * CPU reference of RMSNorm (HF LlamaRMSNorm / Qwen2RMSNorm): y = x · rsqrt(mean(x²) + eps) · (offset + w), with
 * offset = `weightOffset` (0 default; Gemma's (1 + w) norm uses 1).
 * Plain loops; works on Float32Array (compare with the GPU) and Float64Array (finite-difference checks).
 */
type Floats = Float32Array | Float64Array;

/** out (N, C), rstd (N) ← inp (N, C), weight (C). */
export function rmsnormForward(
  out: Floats, rstd: Floats, inp: Floats, weight: Floats, N: number, C: number, eps: number,
  opts: { weightOffset?: number } = {},
): void {
  const offset = opts.weightOffset ?? 0;
  for (let n = 0; n < N; n++) {
    const row = n * C;
    let ss = 0;
    for (let c = 0; c < C; c++) ss += inp[row + c] * inp[row + c];
    const r = 1 / Math.sqrt(ss / C + eps);
    rstd[n] = r;
    for (let c = 0; c < C; c++) out[row + c] = inp[row + c] * r * (offset + weight[c]);
  }
}

/**
 * dinp (N, C) = r·w'·dy − x·r³/C · Σ_c(dy·w'·x) with w' = offset + w  (written, or added with accumulate);
 * dweight (C) += Σ_n dy·x·r  (skipped when null; independent of the offset).
 */
export function rmsnormBackward(
  dinp: Floats,
  dweight: Floats | null,
  dout: Floats,
  inp: Floats,
  weight: Floats,
  rstd: Floats,
  N: number,
  C: number,
  opts: { accumulate?: boolean; weightOffset?: number } = {},
): void {
  const offset = opts.weightOffset ?? 0;
  for (let n = 0; n < N; n++) {
    const row = n * C;
    const r = rstd[n];
    let s = 0;
    for (let c = 0; c < C; c++) s += dout[row + c] * (offset + weight[c]) * inp[row + c];
    const k = (r * r * r * s) / C;
    for (let c = 0; c < C; c++) {
      const g = r * (offset + weight[c]) * dout[row + c] - inp[row + c] * k;
      dinp[row + c] = opts.accumulate ? dinp[row + c] + g : g;
    }
  }
  if (dweight) {
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let n = 0; n < N; n++) s += dout[n * C + c] * inp[n * C + c] * rstd[n];
      dweight[c] += s;
    }
  }
}
