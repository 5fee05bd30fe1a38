/**
 * The overfitting warning: validation loss rising over its last k evaluations — every one of them above its best,
 * which is older, and the latest clearly higher — while the (smoothed) training loss kept falling over the same steps:
 * the model gets better at the training set and worse at held-out data. (Early stopping's "patience", with the
 * training side checked too: both rising is divergence, not overfitting.)
 */
import { SMOOTHING, emaSeries } from './lossStats';

export interface OverfitSignal {
  /** The best (lowest) validation loss and its step: every later evaluation was higher. */
  bestStep: number;
  bestVal: number;
  /** The latest evaluation. */
  step: number;
  val: number;
  /** Smoothed training loss at those two steps (it fell). */
  trainAtBest: number;
  trainNow: number;
  /** Evaluations since the best (at least k). */
  evals: number;
}

export interface OverfitOptions {
  /** Evaluations after the best that must all be higher (default 3). */
  k?: number;
  /** Smallest rise of the latest over the best, relative (default 1 %): noise does not warn. */
  minRise?: number;
}

interface Point {
  step: number;
  loss: number;
}

/** The smoothed training loss at `step` (its last value at or before it), with `ema` aligned to `steps`. */
function trainAt(steps: readonly Point[], ema: (number | null)[], step: number): number | null {
  let lo = 0, hi = steps.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid].step <= step) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  for (let i = found; i >= 0; i--) if (ema[i] !== null) return ema[i];
  return null;
}

/** null when there is nothing to warn about. `steps` are in step order (as a run records them). */
export function detectOverfitting(steps: readonly Point[], evals: readonly Point[], opts: OverfitOptions = {}): OverfitSignal | null {
  const k = Math.max(1, opts.k ?? 3);
  const minRise = opts.minRise ?? 0.01;
  // One evaluation per step (the final evaluation can repeat the last periodic one): keep the latest.
  const byStep = new Map<number, number>();
  for (const e of evals) if (Number.isFinite(e.loss)) byStep.set(e.step, e.loss);
  const val = [...byStep].sort((a, b) => a[0] - b[0]);
  const n = val.length;
  if (n < k + 1) return null;
  // The best evaluation (the latest one if tied): it must come before the last k.
  let best = 0;
  for (let i = 1; i < n; i++) if (val[i][1] <= val[best][1]) best = i;
  if (best > n - 1 - k) return null;
  const [bestStep, bestVal] = val[best];
  const [step, latest] = val[n - 1];
  if (latest - bestVal < minRise * Math.abs(bestVal)) return null;
  const ema = emaSeries(steps.map((p) => p.loss), SMOOTHING);
  const trainAtBest = trainAt(steps, ema, bestStep);
  const trainNow = trainAt(steps, ema, step);
  if (trainAtBest === null || trainNow === null || !(trainNow < trainAtBest)) return null;
  return { bestStep, bestVal, step, val: latest, trainAtBest, trainNow, evals: n - 1 - best };
}
