/**
 * CPU reference of dropout with a recomputed mask: keep(i) = hash(seed, i) ≥ round(p·2^32), kept values scaled by
 * the f32 value of 1/(1 − p). Stored into a Float32Array, src·scale (exact in float64) rounds exactly like the GPU's
 * f32 product, so written results are bit-identical to shaders/dropout.wgsl; Float64Array keeps full precision.
 */
type Floats = Float32Array | Float64Array;

function pcg(v: number): number {
  const state = (Math.imul(v, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** The u32 threshold the hash is compared with (host side, shared with the wrapper). */
export function dropoutThreshold(p: number): number {
  return Math.min(Math.round(p * 2 ** 32), 2 ** 32 - 1);
}

/** The f32 scale 1 / (1 − p) both sides use. */
export function dropoutScale(p: number): number {
  return Math.fround(1 / (1 - p));
}

/** Whether element i survives dropout with probability p and this seed. */
export function dropoutKeep(seed: number, i: number, p: number): boolean {
  return pcg((pcg(i) ^ pcg((seed ^ 0x9e3779b9) >>> 0)) >>> 0) >= dropoutThreshold(p);
}

function apply(dst: Floats, src: Floats, N: number, p: number, seed: number, accumulate: boolean): void {
  const scale = dropoutScale(p);
  for (let i = 0; i < N; i++) {
    const v = p === 0 ? src[i] : dropoutKeep(seed, i, p) ? src[i] * scale : 0;
    dst[i] = accumulate ? dst[i] + v : v;
  }
}

export function dropoutForward(out: Floats, inp: Floats, N: number, p: number, seed: number): void {
  apply(out, inp, N, p, seed, false);
}

/** dinp = mask · dout · scale with the forward's mask; written, or added with accumulate. */
export function dropoutBackward(dinp: Floats, dout: Floats, N: number, p: number, seed: number, opts: { accumulate?: boolean } = {}): void {
  apply(dinp, dout, N, p, seed, !!opts.accumulate);
}
