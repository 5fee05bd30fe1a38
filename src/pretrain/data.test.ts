import { describe, expect, it } from 'vitest';
import { BatchSampler, concatWithEos, evalBatches, permutation } from './data';
import { pretrainLr } from './lr';

describe('pretraining data', () => {
  it('permutations are seeded and complete', () => {
    const p = permutation(50, 7);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(permutation(50, 7)).toEqual(p);
    expect(permutation(50, 8)).not.toEqual(p);
  });

  it('joins documents with an eos after each', () => {
    expect([...concatWithEos([[5, 6], [7]], 0)]).toEqual([5, 6, 0, 7, 0]);
  });

  it('visits every window once per epoch, in a new order each epoch, resumable by position', () => {
    const stream = Int32Array.from({ length: 103 }, (_, i) => i);
    const s = new BatchSampler(stream, 10, 2, 3); // 10 windows, 5 batches per epoch
    expect(s.batchesPerEpoch).toBe(5);
    const starts = (pos: number) => {
      const b = s.batch(pos);
      expect(b.rows).toBe(2);
      expect(b.T).toBe(10);
      expect(b.batch.labels).toBe(b.batch.inputIds); // HF labels are unshifted
      return [b.batch.inputIds[0], b.batch.inputIds[10]];
    };
    const epoch0 = [0, 1, 2, 3, 4].flatMap(starts);
    expect([...epoch0].sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    const epoch1 = [5, 6, 7, 8, 9].flatMap(starts);
    expect([...epoch1].sort((a, b) => a - b)).toEqual([...epoch0].sort((a, b) => a - b));
    expect(epoch1).not.toEqual(epoch0);
    // A fresh sampler (a resumed run) gives the same batch at the same position.
    expect(new BatchSampler(stream, 10, 2, 3).batch(7)).toEqual(s.batch(7));
    expect(() => new BatchSampler(stream, 60, 2, 3)).toThrow(/shorter than one batch/);
  });

  it('evaluates on consecutive windows, or an even spread of them', () => {
    const stream = Int32Array.from({ length: 45 }, (_, i) => i);
    const all = evalBatches(stream, 10, 3);
    expect(all.map((b) => b.rows)).toEqual([3, 1]);
    expect(all[1].batch.inputIds[0]).toBe(30);
    const two = evalBatches(stream, 10, 3, 2);
    expect([two[0].batch.inputIds[0], two[0].batch.inputIds[10]]).toEqual([0, 20]);
  });
});

describe('pretraining learning rate', () => {
  const plan = { peak: 1e-3, warmupSteps: 10, minRatio: 0.1 };
  it('warms up linearly, then decays by a cosine to minRatio × peak', () => {
    expect(pretrainLr(plan, 0, 0)).toBeCloseTo(1e-4, 12);
    expect(pretrainLr(plan, 9, 0)).toBeCloseTo(1e-3, 12);
    expect(pretrainLr(plan, 50, 0.5)).toBeCloseTo(0.55e-3, 12);
    expect(pretrainLr(plan, 100, 1)).toBeCloseTo(1e-4, 12);
    expect(pretrainLr(plan, 100, 3)).toBeCloseTo(1e-4, 12);
  });
});
