/**
 * Tolerance checks for GPU vs CPU-reference results in Vitest. Reports the worst element so a failure says where
 * and by how much. (The vitest-free helpers live in ./numeric, shared with the browser lab.)
 */
import { expect } from 'vitest';
import { maxError, type Tolerance } from './numeric';

export { maxError, randomArray, type Tolerance } from './numeric';

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance = {}, what = 'result'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const w = maxError(actual, expected, tol);
  expect(
    w.excess <= 0,
    `${what}: element ${w.index} is ${w.actual}, expected ${w.expected} (rtol ${tol.rtol ?? 1e-4}, atol ${tol.atol ?? 1e-5})`,
  ).toBe(true);
}
