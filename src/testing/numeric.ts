/**
 * Numeric helpers shared by the Vitest tier and the browser lab (no Vitest import here, so pages can bundle it).
 * Tolerance rule everywhere: |actual − expected| ≤ atol + rtol·|expected|.
 */

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

export interface Worst {
  index: number;
  actual: number;
  expected: number;
  /** How far past the tolerance the worst element is; ≤ 0 means every element is within tolerance. */
  excess: number;
}

/**
 * The element furthest outside the tolerance. A length mismatch is infinitely bad. NaN matches NaN only when
 * `nanEqual` (tests of NaN propagation); otherwise any NaN is infinitely bad.
 */
export function maxError(actual: ArrayLike<number>, expected: ArrayLike<number>, { rtol = 1e-4, atol = 1e-5 }: Tolerance = {}, nanEqual = true): Worst {
  if (actual.length !== expected.length) return { index: -1, actual: actual.length, expected: expected.length, excess: Infinity };
  let worst: Worst = { index: -1, actual: 0, expected: 0, excess: -Infinity };
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    const nan = Number.isNaN(a) || Number.isNaN(e);
    const excess = nan ? (nanEqual && Number.isNaN(a) && Number.isNaN(e) ? 0 : Infinity) : Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (excess > worst.excess) worst = { index: i, actual: a, expected: e, excess };
  }
  return worst;
}

/** Deterministic uniform(−scale, scale) values (mulberry32), so failures reproduce from their seed. */
export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** Small deterministic integer generator for picking shapes: uniform in [lo, hi]. */
export function randomInts(seed: number): (lo: number, hi: number) => number {
  const u = randomArray(1024, seed, 1);
  let i = 0;
  return (lo, hi) => lo + Math.floor(((u[i++ % u.length] + 1) / 2) * (hi - lo + 1 - 1e-9));
}
