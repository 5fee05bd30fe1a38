/**
 * Browser-safe numeric helpers for lab checks and benches (src/testing/compare.ts imports Vitest, which must not end
 * up in a page bundle). Same tolerance rule as expectClose: |actual − expected| ≤ atol + rtol·|expected|.
 */

export interface Tolerance {
  rtol: number;
  atol: number;
}

export interface Worst {
  index: number;
  actual: number;
  expected: number;
  /** How far past the tolerance the worst element is; ≤ 0 means every element is within tolerance. */
  excess: number;
}

export function worstElement(actual: ArrayLike<number>, expected: ArrayLike<number>, { rtol, atol }: Tolerance): Worst {
  if (actual.length !== expected.length) return { index: -1, actual: actual.length, expected: expected.length, excess: Infinity };
  let worst: Worst = { index: -1, actual: 0, expected: 0, excess: -Infinity };
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const excess = Number.isNaN(a) || Number.isNaN(e) ? Infinity : Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (excess > worst.excess) worst = { index: i, actual: a, expected: e, excess };
  }
  return worst;
}

/** Deterministic uniform(−scale, scale) floats (xorshift32), so a failing case can be rerun with its seed. */
export function randomFloats(n: number, seed: number, scale = 1): Float32Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = (s / 4294967296) * 2 * scale - scale;
  }
  return out;
}

/** Small deterministic integer generator for picking shapes: uniform in [lo, hi]. */
export function randomInts(seed: number): (lo: number, hi: number) => number {
  const u = randomFloats(1024, seed, 1);
  let i = 0;
  return (lo, hi) => lo + Math.floor(((u[i++ % u.length] + 1) / 2) * (hi - lo + 1 - 1e-9));
}
