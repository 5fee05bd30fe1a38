/**
 * What each loss number the UI prints means, defined once, and the helpers that compute them. Every place that shows
 * a run's "final loss" (the live card, the runs list, the finish message, the export section) uses these.
 *
 *   Final loss      the raw training loss of the last completed optimizer step (a step whose loss was NaN/Inf is
 *                   not completed: the run stopped before it). The same number the CLI prints as "final train loss".
 *   Smoothed loss   an exponential moving average of the raw losses (TensorBoard's smoothing, bias-corrected), always
 *                   labelled with its weight.
 *   Validation loss the mean loss over the held-out split at the latest evaluation.
 */

/** Weight of the EMA (0 = no smoothing). */
export const SMOOTHING = 0.9;

export const LOSS_LABELS = {
  final: 'Final loss',
  last: 'Loss (last step)',
  smoothed: `Smoothed loss (EMA ${SMOOTHING})`,
  smoothedShort: `EMA ${SMOOTHING}`,
  validation: 'Validation loss',
} as const;

export const LOSS_HELP = {
  final: 'The raw training loss of the last completed step.',
  smoothed: `Exponential moving average of the raw training loss (weight ${SMOOTHING}, bias-corrected as in TensorBoard).`,
  validation: 'Mean loss over the validation split at the latest evaluation.',
} as const;

interface LossPoint {
  loss: number;
}

/**
 * The EMA of `values` (bias-corrected: the first value is not pulled towards 0). Non-finite values are skipped: their
 * slot is null and they do not enter the average. One pass, no allocation besides the output.
 */
export function emaSeries(values: ArrayLike<number>, weight = SMOOTHING): (number | null)[] {
  const out: (number | null)[] = new Array(values.length);
  let acc = 0, n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = null;
      continue;
    }
    n++;
    acc = acc * weight + (1 - weight) * v;
    out[i] = weight === 0 ? v : acc / (1 - weight ** n);
  }
  return out;
}

/** The final loss (see the file comment): the last finite raw loss, or null before the first step. */
export function finalLoss(steps: readonly LossPoint[]): number | null {
  for (let i = steps.length - 1; i >= 0; i--) if (Number.isFinite(steps[i].loss)) return steps[i].loss;
  return null;
}

/** The smoothed loss at the last completed step (EMA of the raw losses), or null before the first step. */
export function smoothedLoss(steps: readonly LossPoint[], weight = SMOOTHING): number | null {
  let acc = 0, n = 0;
  for (const p of steps) {
    if (!Number.isFinite(p.loss)) continue;
    n++;
    acc = acc * weight + (1 - weight) * p.loss;
  }
  return n === 0 ? null : weight === 0 ? finalLoss(steps) : acc / (1 - weight ** n);
}

/** The raw loss of the first completed step. */
export function firstLoss(steps: readonly LossPoint[]): number | null {
  for (const p of steps) if (Number.isFinite(p.loss)) return p.loss;
  return null;
}

/** The latest validation loss, or null without one. */
export function lastValidationLoss(evals: readonly LossPoint[]): number | null {
  for (let i = evals.length - 1; i >= 0; i--) if (Number.isFinite(evals[i].loss)) return evals[i].loss;
  return null;
}

/** "final loss 0.8582 (smoothed 0.8854, EMA 0.9)": how a run's final loss is written in running text. */
export function finalLossText(steps: readonly LossPoint[], format: (x: number | null) => string, sentence = false): string {
  return `${sentence ? 'Final' : 'final'} loss ${format(finalLoss(steps))} (smoothed ${format(smoothedLoss(steps))}, ${LOSS_LABELS.smoothedShort})`;
}

/** Mean of the first or last `n` finite losses (labelled as an average wherever shown). */
export function edgeMean(steps: readonly LossPoint[], edge: 'first' | 'last', n = 5): number | null {
  const xs = steps.map((p) => p.loss).filter(Number.isFinite);
  const part = edge === 'first' ? xs.slice(0, n) : xs.slice(-n);
  return part.length ? part.reduce((a, b) => a + b, 0) / part.length : null;
}
