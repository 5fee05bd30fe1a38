import { describe, expect, it } from 'vitest';
import { edgeMean, emaSeries, finalLoss, finalLossText, firstLoss, lastValidationLoss, LOSS_LABELS, smoothedLoss, SMOOTHING } from './lossStats';

const pts = (xs: number[]) => xs.map((loss, i) => ({ step: i + 1, loss }));

describe('smoothing (EMA)', () => {
  it('is bias-corrected: the first value is itself, a constant series stays constant', () => {
    expect(emaSeries([5])).toEqual([5]);
    expect(emaSeries([2, 2, 2, 2]).map((v) => v!.toFixed(12))).toEqual(['2.000000000000', '2.000000000000', '2.000000000000', '2.000000000000']);
  });

  it('follows the TensorBoard formula', () => {
    const w = 0.6;
    const xs = [4, 2, 3];
    let acc = 0;
    const expected = xs.map((v, i) => ((acc = acc * w + (1 - w) * v), acc / (1 - w ** (i + 1))));
    emaSeries(xs, w).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  it('weight 0 is no smoothing; NaN/Inf leave a gap and do not poison the average', () => {
    expect(emaSeries([3, 1, 2], 0)).toEqual([3, 1, 2]);
    const s = emaSeries([1, NaN, Infinity, 1]);
    expect(s[1]).toBeNull();
    expect(s[2]).toBeNull();
    expect(s[3]).toBeCloseTo(1, 12);
  });
});

describe('final loss', () => {
  it('is the raw loss of the last completed step; a NaN marker step is not completed', () => {
    expect(finalLoss(pts([6, 4, 3]))).toBe(3);
    expect(finalLoss(pts([6, 4, NaN]))).toBe(4);
    expect(finalLoss([])).toBeNull();
    expect(firstLoss(pts([NaN, 5, 4]))).toBe(5);
  });

  it('the smoothed loss is the EMA at the last step, labelled with its weight', () => {
    const xs = [6, 4, 3, 3.5, 2];
    expect(smoothedLoss(pts(xs))).toBeCloseTo(emaSeries(xs).at(-1)!, 12);
    expect(smoothedLoss(pts([...xs, NaN]))).toBeCloseTo(emaSeries(xs).at(-1)!, 12);
    expect(smoothedLoss(pts([]))).toBeNull();
    expect(LOSS_LABELS.smoothed).toContain(String(SMOOTHING));
    expect(LOSS_LABELS.final).toBe('Final loss');
  });

  it('is written the same way in running text everywhere', () => {
    const f = (x: number | null) => (x === null ? '—' : x.toFixed(2));
    expect(finalLossText(pts([4, 2]), f)).toBe(`final loss 2.00 (smoothed ${f(smoothedLoss(pts([4, 2])))}, EMA 0.9)`);
    expect(finalLossText([], f, true)).toBe('Final loss — (smoothed —, EMA 0.9)');
  });

  it('validation and averaged numbers are separate helpers', () => {
    expect(lastValidationLoss([{ loss: 3 }, { loss: 2.5 }])).toBe(2.5);
    expect(lastValidationLoss([])).toBeNull();
    expect(edgeMean(pts([1, 2, 3, 4, 5, 6, 7]), 'first', 2)).toBe(1.5);
    expect(edgeMean(pts([1, 2, 3, 4, 5, 6, NaN]), 'last', 2)).toBe(5.5);
  });
});
