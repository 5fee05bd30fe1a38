/**
 * The per-token loss heatmap's data: the model's per-position losses (position t scores labels[t + 1]) moved onto the
 * tokens they score, so each token shows how surprised the model was by it; masked (−100) tokens and the first token
 * (nothing predicts it) have no loss. Colours on a fixed yellow → red scale in nats.
 */
import { IGNORE_INDEX } from '../../data/labels';

export type HeatState = 'scored' | 'masked' | 'first';

export interface HeatCell {
  state: HeatState;
  /** Cross-entropy of this token given the ones before it (nats), null when not scored. */
  loss: number | null;
  /** The model's most likely token at this position (null when unknown or not scored). */
  predicted: number | null;
}

export function heatCells(labels: ArrayLike<number>, losses: ArrayLike<number>, predicted: ArrayLike<number> | null): HeatCell[] {
  const out: HeatCell[] = [];
  for (let t = 0; t < labels.length; t++) {
    if (labels[t] === IGNORE_INDEX) out.push({ state: 'masked', loss: null, predicted: null });
    else if (t === 0) out.push({ state: 'first', loss: null, predicted: null });
    else out.push({ state: 'scored', loss: losses[t - 1], predicted: predicted ? predicted[t - 1] : null });
  }
  return out;
}

export interface HeatSummary {
  scored: number;
  /** Mean loss over the scored tokens: the example's loss as training computes it. */
  mean: number | null;
  max: number | null;
  /** Scored tokens the model would have predicted itself (argmax = the token), when the predictions are known. */
  correct: number | null;
  /** Upper end of the colour scale (nats): the largest loss rounded up, at least 1. */
  scaleMax: number;
}

export function heatSummary(cells: readonly HeatCell[], ids: ArrayLike<number>): HeatSummary {
  let n = 0, sum = 0, max = -Infinity, correct = 0, known = true;
  cells.forEach((c, t) => {
    if (c.state !== 'scored' || c.loss === null) return;
    n++;
    sum += c.loss;
    max = Math.max(max, c.loss);
    if (c.predicted === null) known = false;
    else if (c.predicted === ids[t]) correct++;
  });
  return { scored: n, mean: n ? sum / n : null, max: n ? max : null, correct: n && known ? correct : null, scaleMax: n ? Math.max(1, Math.ceil(max)) : 1 };
}

/** ColorBrewer YlOrRd, low → high loss. */
const STOPS = ['#ffffcc', '#ffeda0', '#fed976', '#feb24c', '#fd8d3c', '#fc4e2a', '#e31a1c', '#b10026'];

function hexToRgb(h: string): [number, number, number] {
  return [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
}

/** WCAG 2 relative luminance of an sRGB colour (0–255 channels). */
function luminance(rgb: readonly number[]): number {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * The heat colour of `loss` on [0, scaleMax] (clamped), and whichever of black or white text contrasts more on it
 * (at least 4.5:1 on every colour of the scale, so chips pass WCAG AA).
 */
export function heatColor(loss: number, scaleMax: number): { background: string; color: string } {
  const x = Number.isFinite(loss) ? Math.min(1, Math.max(0, loss / scaleMax)) : 1;
  const pos = x * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(pos));
  const f = pos - i;
  const [a, b] = [hexToRgb(STOPS[i]), hexToRgb(STOPS[i + 1])];
  const rgb = a.map((v, k) => Math.round(v + (b[k] - v) * f));
  const l = luminance(rgb);
  return { background: `rgb(${rgb.join(' ')})`, color: (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000000' : '#ffffff' };
}

/** CSS gradient of the whole scale (the legend). */
export const HEAT_GRADIENT = `linear-gradient(90deg, ${STOPS.join(', ')})`;
