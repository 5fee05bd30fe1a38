/**
 * Central finite differences in float64, to prove the CPU references' backward passes against their own forward.
 * The references are plain loops over Float32Array | Float64Array, so running them on Float64Array inputs gives a
 * float64 forward; with h = 1e-5 the truncation error is O(h²) ≈ 1e-10 and the rounding error ≈ 1e-16 / h ≈ 1e-11,
 * so analytic and numeric gradients agree to ~1e-8 relative unless the backward is wrong.
 */
import { randomArray } from './compare';

/** d f / d x[i] for every i by central differences. Perturbs x in place and restores it exactly. */
export function numericGrad(f: () => number, x: Float64Array, h = 1e-5): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i];
    x[i] = x0 + h;
    const fp = f();
    x[i] = x0 - h;
    const fm = f();
    x[i] = x0;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

/** Σ a[i]·b[i] in float64: the scalar "loss" L = <dout, forward(x)> whose gradient a backward pass computes. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`dot: lengths ${a.length} and ${b.length} differ`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Deterministic uniform(-scale, scale) float64 values (same stream as randomArray). */
export function random64(n: number, seed: number, scale = 1): Float64Array {
  return Float64Array.from(randomArray(n, seed, scale));
}
