/**
 * CPU reference of the fused cross-entropy (float64 arithmetic; stores into the caller's array type). Same names
 * and argument order as src/engine/kernels/cross_entropy.ts minus the recorder.
 */
import type { CrossEntropyOptions } from '../kernels/cross_entropy';

type Floats = Float32Array | Float64Array;

export function crossEntropyFused(
  losses: Floats, logits: Floats, targets: Int32Array, N: number, V: number, opts: CrossEntropyOptions,
): void {
  for (let r = 0; r < N; r++) {
    const t = targets[r];
    const row = logits.subarray(r * V, (r + 1) * V);
    if (t === -100) {
      losses[r] = 0;
      if (opts.backward) row.fill(0);
      continue;
    }
    const valid = t >= 0 && t < V;
    let m = -Infinity;
    for (let j = 0; j < V; j++) m = Math.max(m, row[j]);
    let s = 0;
    for (let j = 0; j < V; j++) s += Math.exp(row[j] - m);
    const lse = m + Math.log(s);
    losses[r] = valid ? lse - row[t] : NaN;
    if (opts.backward)
      for (let j = 0; j < V; j++) row[j] = valid ? (Math.exp(row[j] - lse) - (j === t ? 1 : 0)) * opts.lossScale : NaN;
  }
}

export function sumLoss(total: Floats, losses: Floats, N: number): void {
  let s = 0;
  for (let i = 0; i < N; i++) s += losses[i];
  total[0] = s;
}
