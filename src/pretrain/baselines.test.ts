import { describe, expect, it } from 'vitest';
import { countBaselines } from './baselines';

describe('count-model baselines', () => {
  it('score a predictable stream far below uniform, bigram below unigram', () => {
    const stream = Int32Array.from({ length: 1000 }, (_, i) => [3, 5, 7][i % 3]);
    const b = countBaselines(stream, stream.slice(0, 300), 10);
    expect(b.uniform).toBeCloseTo(Math.log(10), 12);
    // Unigram: each of 3 tokens ≈ 1/3 after add-one over 10 types.
    expect(b.unigram).toBeCloseTo(-Math.log((334 + 1) / 1010), 2);
    // Bigram: the next token is certain, so P = 0.7 + 0.3 · P_unigram.
    expect(b.bigram).toBeCloseTo(-Math.log(0.7 + 0.3 * (334 / 1010)), 2);
  });

  it('fall back to the unigram for a context never seen in training', () => {
    const train = Int32Array.from([1, 2, 1, 2]);
    const b = countBaselines(train, Int32Array.from([4, 1]), 5);
    expect(b.bigram).toBeCloseTo(b.unigram, 12);
  });
});
