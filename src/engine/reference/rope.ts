/**
 * CPU reference of rotary position embeddings, HF "rotate half" convention (Llama, Qwen2, Mistral): within each head,
 * over its first r = rotaryDim dims (default the head width d), element i < r/2 pairs with i + r/2 and both rotate by
 * angle = position · invFreq[i]:
 *   x1' = x1·cos − x2·sin,   x2' = x2·cos + x1·sin.
 * Dims r ≤ i < d pass through unchanged (partial rotary, Phi-3 / Phi-4-mini partial_rotary_factor).
 * The angle is rounded to f32 before cos/sin, as HF computes it (f32 inv_freq times f32 position); cos/sin
 * themselves are evaluated in float64 and then stored. Works on Float32Array and Float64Array.
 */
type Floats = Float32Array | Float64Array;

function rotate(
  x: Floats, positions: Uint32Array, invFreq: Float32Array, N: number, nHeads: number, headDim: number, sign: number, rotaryDim: number,
): void {
  if (!Number.isInteger(rotaryDim) || rotaryDim <= 0 || rotaryDim % 2 || rotaryDim > headDim)
    throw new RangeError(`rope: rotaryDim must be a positive even integer ≤ headDim (${headDim}), got ${rotaryDim}`);
  const half = rotaryDim / 2;
  const C = nHeads * headDim;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(positions[n] * invFreq[i]);
      const c = Math.cos(angle), s = sign * Math.sin(angle);
      for (let h = 0; h < nHeads; h++) {
        const a = n * C + h * headDim + i, b = a + half;
        const x1 = x[a], x2 = x[b];
        x[a] = x1 * c - x2 * s;
        x[b] = x2 * c + x1 * s;
      }
    }
  }
}

/** In place on x (N, nHeads·headDim); positions (N) u32; invFreq (rotaryDim/2), rotaryDim defaulting to headDim. */
export function ropeForward(
  x: Floats, positions: Uint32Array, invFreq: Float32Array, N: number, nHeads: number, headDim: number,
  opts: { rotaryDim?: number } = {},
): void {
  rotate(x, positions, invFreq, N, nHeads, headDim, 1, opts.rotaryDim ?? headDim);
}

/** In place on dx (N, nHeads·headDim): the transpose of the forward rotation, i.e. rotation by −angle. */
export function ropeBackward(
  dx: Floats, positions: Uint32Array, invFreq: Float32Array, N: number, nHeads: number, headDim: number,
  opts: { rotaryDim?: number } = {},
): void {
  rotate(dx, positions, invFreq, N, nHeads, headDim, -1, opts.rotaryDim ?? headDim);
}

/**
 * Default (unscaled) HF inverse frequencies, invFreq[i] = 1 / theta^(2i / headDim), i < headDim/2, computed the way
 * HF does in f32 (exponent rounded to f32, then the power and the reciprocal). Scaled variants (llama3, linear,
 * ...) are computed by the caller and uploaded the same way. For partial rotary pass the rotary width
 * (HF: dim = int(head_dim · partial_rotary_factor), inv_freq over that dim).
 */
export function ropeInvFreq(headDim: number, theta: number): Float32Array {
  if (!Number.isInteger(headDim) || headDim <= 0 || headDim % 2) throw new RangeError(`ropeInvFreq: headDim must be a positive even integer, got ${headDim}`);
  if (!(theta > 0)) throw new RangeError(`ropeInvFreq: theta must be > 0, got ${theta}`);
  const out = new Float32Array(headDim / 2);
  for (let i = 0; i < headDim / 2; i++) {
    const exponent = Math.fround((2 * i) / headDim);
    out[i] = Math.fround(1 / Math.fround(Math.pow(theta, exponent)));
  }
  return out;
}
