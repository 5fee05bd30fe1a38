import { describe, expect, it } from 'vitest';
import { heatCells, heatColor, heatSummary } from './heatmap';

describe('per-token loss heatmap', () => {
  // ids:     10 11 12 13 14 ; labels: −100 −100 12 13 −100 ; position t scores labels[t+1]
  const ids = [10, 11, 12, 13, 14];
  const labels = [-100, -100, 12, 13, -100];
  const losses = [0, 2.5, 0.25, 0, 0];
  const predicted = [5, 12, 7, 1, 2];

  it('puts each position’s loss on the token it scores; −100 and the first token have none', () => {
    const cells = heatCells(labels, losses, predicted);
    expect(cells.map((c) => c.state)).toEqual(['masked', 'masked', 'scored', 'scored', 'masked']);
    expect(cells[2]).toEqual({ state: 'scored', loss: 2.5, predicted: 12 });
    expect(cells[3]).toEqual({ state: 'scored', loss: 0.25, predicted: 7 });
    expect(heatCells([10, 11], [0.5, 0], null)[0].state).toBe('first');
    expect(heatCells([10, 11], [0.5, 0], null)[1]).toEqual({ state: 'scored', loss: 0.5, predicted: null });
  });

  it('summarises the example: mean (the training loss of it), max, tokens predicted right, scale', () => {
    const s = heatSummary(heatCells(labels, losses, predicted), ids);
    expect(s).toEqual({ scored: 2, mean: 1.375, max: 2.5, correct: 1, scaleMax: 3 });
    expect(heatSummary(heatCells(labels, losses, null), ids).correct).toBeNull();
    expect(heatSummary(heatCells([-100, -100], [0, 0], null), ids)).toMatchObject({ scored: 0, mean: null, scaleMax: 1 });
  });

  it('colours low losses pale and high ones dark red, with readable text, clamped to the scale', () => {
    expect(heatColor(0, 4)).toEqual({ background: 'rgb(255 255 204)', color: '#000000' });
    expect(heatColor(4, 4)).toEqual({ background: 'rgb(177 0 38)', color: '#ffffff' });
    expect(heatColor(99, 4)).toEqual(heatColor(4, 4));
    expect(heatColor(NaN, 4)).toEqual(heatColor(4, 4));
    // Every colour of the scale keeps its text at ≥ 4.5:1 (WCAG AA).
    const lum = (css: string) => {
      const [r, g, b] = css.match(/\d+/g)!.map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    for (let loss = 0; loss <= 4; loss += 0.05) {
      const { background, color } = heatColor(loss, 4);
      const [hi, lo] = [lum(background), color === '#000000' ? 0 : 1].sort((p, q) => q - p);
      expect((hi + 0.05) / (lo + 0.05), `loss ${loss}`).toBeGreaterThanOrEqual(4.5);
    }
  });
});
