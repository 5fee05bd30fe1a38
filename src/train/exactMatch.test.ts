import { describe, expect, it } from 'vitest';
import { constantGuessRate, formatScore, isExactMatch, normalizeAnswer, scoreExactMatch } from './exactMatch';

describe('exact match', () => {
  it('compares trimmed text with whitespace runs as one space, case and punctuation exact', () => {
    expect(normalizeAnswer('  New \n York ')).toBe('New York');
    expect(isExactMatch({ expected: 'York', generated: ' York', reason: 'eos' })).toBe(true);
    expect(isExactMatch({ expected: 'York', generated: ' york', reason: 'eos' })).toBe(false);
    expect(isExactMatch({ expected: 'York', generated: ' York.', reason: 'eos' })).toBe(false);
  });

  it('counts only answers the model ended itself', () => {
    expect(isExactMatch({ expected: 'York', generated: ' York', reason: 'max-tokens' })).toBe(false);
    const s = scoreExactMatch([
      { expected: 'to', generated: ' to', reason: 'eos' },
      { expected: 'of', generated: ' to', reason: 'eos' },
      { expected: 'the', generated: ' the the the', reason: 'max-tokens' },
      { expected: 'be', generated: ' be', reason: 'eos' },
    ]);
    expect(s).toEqual({ n: 4, exact: 2, stopped: 3, rate: 0.5 });
    expect(formatScore(s)).toBe('2 of 4 (50%)');
    expect(scoreExactMatch([])).toEqual({ n: 0, exact: 0, stopped: 0, rate: 0 });
  });

  it('gives the rate of always answering the most common reference answer', () => {
    expect(constantGuessRate(['to', 'to', 'of', 'the'], ['to', 'of', 'of', 'be'])).toEqual({ answer: 'to', rate: 0.25 });
    expect(constantGuessRate([], [])).toEqual({ answer: '', rate: 0 });
  });
});
