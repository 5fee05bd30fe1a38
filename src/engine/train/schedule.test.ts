import { describe, it, expect } from 'vitest';
import { learningRate } from './schedule';

describe('learningRate (HF get_scheduler semantics)', () => {
  it('warms up linearly from 0', () => {
    const s = { kind: 'constant' as const, lr: 1e-3, warmupSteps: 4, totalSteps: 10 };
    expect([0, 1, 2, 3, 4, 9].map((i) => learningRate(s, i))).toEqual([0, 2.5e-4, 5e-4, 7.5e-4, 1e-3, 1e-3]);
  });
  it('linear decays to 0 at totalSteps', () => {
    const s = { kind: 'linear' as const, lr: 1, warmupSteps: 2, totalSteps: 10 };
    expect(learningRate(s, 2)).toBe(1);
    expect(learningRate(s, 6)).toBeCloseTo(0.5, 12);
    expect(learningRate(s, 10)).toBe(0);
  });
  it('cosine follows half a cosine after warmup', () => {
    const s = { kind: 'cosine' as const, lr: 2, warmupSteps: 0, totalSteps: 8 };
    expect(learningRate(s, 0)).toBe(2);
    expect(learningRate(s, 4)).toBeCloseTo(1, 12);
    expect(learningRate(s, 8)).toBeCloseTo(0, 12);
  });
});
