/**
 * CPU reference of the token (+ position) embedding. Token ids ≥ V give a zero token row and positions ≥ P add
 * nothing (forward), and both are skipped in the backward, exactly as the GPU does. `scale` (default 1; Gemma
 * √hidden) multiplies the token row only and is rounded to f32 first, as the kernel receives it.
 */
type Floats = Float32Array | Float64Array;

/** out (N, C) = scale · wte[tokens[n]] (+ wpe[positions[n]]). V defaults to the number of rows in wte. */
export function embeddingForward(
  out: Floats, tokens: Uint32Array, wte: Floats, wpe: Floats | null, positions: Uint32Array, N: number, C: number,
  V = Math.floor(wte.length / C), opts: { scale?: number } = {},
): void {
  const scale = Math.fround(opts.scale ?? 1);
  const P = wpe ? Math.floor(wpe.length / C) : 0;
  for (let n = 0; n < N; n++) {
    const t = tokens[n], p = positions[n];
    for (let c = 0; c < C; c++) {
      let v = t < V ? wte[t * C + c] * scale : 0;
      if (wpe && p < P) v += wpe[p * C + c];
      out[n * C + c] = v;
    }
  }
}

/** dwte[tokens[n]] += scale · dout[n], dwpe[positions[n]] += dout[n]; null tables are skipped. */
export function embeddingBackward(
  dwte: Floats | null, dwpe: Floats | null, dout: Floats, tokens: Uint32Array, positions: Uint32Array, N: number, C: number, V: number,
  opts: { scale?: number } = {},
): void {
  const scale = Math.fround(opts.scale ?? 1);
  const P = dwpe ? Math.floor(dwpe.length / C) : 0;
  for (let n = 0; n < N; n++) {
    const t = tokens[n], p = positions[n];
    for (let c = 0; c < C; c++) {
      if (dwte && t < V) dwte[t * C + c] += scale * dout[n * C + c];
      if (dwpe && p < P) dwpe[p * C + c] += dout[n * C + c];
    }
  }
}
