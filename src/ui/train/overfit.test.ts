import { describe, expect, it } from 'vitest';
import { detectOverfitting } from './overfit';

/** Training loss falling smoothly from 4 over `n` steps. */
const falling = (n: number) => Array.from({ length: n }, (_, i) => ({ step: i + 1, loss: 4 * Math.exp(-i / 30) }));
const evals = (xs: number[], every = 10) => xs.map((loss, i) => ({ step: (i + 1) * every, loss }));

describe('detectOverfitting', () => {
  it('warns when validation loss rose over its last 3 evaluations while training loss kept falling', () => {
    const s = detectOverfitting(falling(60), evals([3, 2.5, 2.2, 2.3, 2.4, 2.6]));
    expect(s).toMatchObject({ bestStep: 30, bestVal: 2.2, step: 60, val: 2.6, evals: 3 });
    expect(s!.trainNow).toBeLessThan(s!.trainAtBest);
  });

  it('tolerates a noisy rise: every evaluation since the best is higher, not each above the last', () => {
    // As a real run does: best at step 30, then 3.1, 3.2, 3.0, 3.4, 3.3, 3.7.
    expect(detectOverfitting(falling(90), evals([4.2, 3.3, 3.0, 3.1, 3.2, 3.05, 3.4, 3.3, 3.7]))).toMatchObject({ bestStep: 30, evals: 6 });
  });

  it('does not warn while validation loss falls, when it rose for fewer than k evaluations, or on noise', () => {
    expect(detectOverfitting(falling(60), evals([3, 2.5, 2.2, 2.0, 1.9, 1.8]))).toBeNull();
    expect(detectOverfitting(falling(60), evals([3, 2.5, 2.2, 2.0, 1.9, 2.1]))).toBeNull();
    expect(detectOverfitting(falling(60), evals([3, 2.5, 2.0, 2.001, 2.002, 2.003]))).toBeNull(); // under 1 %
    expect(detectOverfitting(falling(60), evals([3, 2.5, 2.0, 2.4, 2.0, 2.5]))).toBeNull(); // tied best is recent
  });

  it('does not warn when training loss rises too (that is divergence, not overfitting)', () => {
    const rising = Array.from({ length: 60 }, (_, i) => ({ step: i + 1, loss: 1 + i / 20 }));
    expect(detectOverfitting(rising, evals([3, 2.5, 2.2, 2.3, 2.4, 2.6]))).toBeNull();
  });

  it('needs k evaluations after the best; k is configurable; the final evaluation repeating a step counts once', () => {
    expect(detectOverfitting(falling(20), evals([2, 2.5]))).toBeNull();
    expect(detectOverfitting(falling(20), evals([2, 2.5]), { k: 1 })).toMatchObject({ bestStep: 10, step: 20 });
    // Best 2.0, then 2.4, 2.6, 2.7 with the last one reported twice at step 40 (periodic + final): 3 evaluations.
    const e = [...evals([2.0, 2.4, 2.6, 2.7]), { step: 40, loss: 2.7 }];
    expect(detectOverfitting(falling(40), e)).toMatchObject({ bestStep: 10, step: 40, evals: 3 });
  });

  it('ignores non-finite evaluations and needs training steps', () => {
    expect(detectOverfitting([], evals([2, 2.5, 3, 3.5]))).toBeNull();
    expect(detectOverfitting(falling(40), [...evals([2, 2.5, 3]), { step: 40, loss: NaN }])).toBeNull();
  });
});
