/**
 * Tolerance checks for GPU vs CPU-reference results. Reports the worst element so a failure says where and by how much.
 */
import { expect } from 'vitest';

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

export function maxError(actual: ArrayLike<number>, expected: ArrayLike<number>, { rtol = 1e-4, atol = 1e-5 }: Tolerance = {}) {
  let worst = { index: -1, actual: 0, expected: 0, excess: -Infinity };
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    const excess = Number.isNaN(a) !== Number.isNaN(e) ? Infinity : Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (excess > worst.excess) worst = { index: i, actual: a, expected: e, excess };
  }
  return worst;
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance = {}, what = 'result'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const w = maxError(actual, expected, tol);
  expect(
    w.excess <= 0,
    `${what}: element ${w.index} is ${w.actual}, expected ${w.expected} (rtol ${tol.rtol ?? 1e-4}, atol ${tol.atol ?? 1e-5})`,
  ).toBe(true);
}

/** Deterministic uniform(-scale, scale) values (mulberry32), so failures reproduce. */
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
