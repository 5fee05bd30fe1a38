import { describe, expect, it } from 'vitest';
import {
  answerTokens,
  difference,
  exactMatch,
  formatDifference,
  formatMetric,
  lcsLength,
  normalizeAnswer,
  normalizedExactMatch,
  rougeL,
  scoreOutput,
  summarize,
  summarizeByTag,
  tokenF1,
} from './metrics';
import { isExactMatch } from '../train/exactMatch';

describe('normalizeAnswer (SQuAD)', () => {
  it('lower-cases, drops punctuation and a/an/the, collapses whitespace', () => {
    expect(normalizeAnswer('  The  Eiffel\tTower, in Paris! ')).toBe('eiffel tower in paris');
    expect(normalizeAnswer("An apple a day — isn't it?")).toBe('apple day isnt it');
    expect(normalizeAnswer('theatre another then')).toBe('theatre another then'); // whole words only
    expect(normalizeAnswer('Café À LA carte')).toBe('café à la carte');
    expect(answerTokens(' ... ')).toEqual([]);
  });
});

describe('exact match', () => {
  it('is the Try-it check: trimmed text equal, case and punctuation count, the turn ended', () => {
    expect(exactMatch(' York', 'York')).toBe(1);
    expect(exactMatch(' york', 'York')).toBe(0);
    expect(exactMatch('York.', 'York')).toBe(0);
    expect(exactMatch(' York', 'York', 'max-tokens')).toBe(0);
    // Same verdicts as the Try-it module it calls.
    for (const [g, e, r] of [[' York', 'York', 'eos'], ['york', 'York', 'eos'], ['York', 'York', 'max-tokens']] as const) {
      expect(exactMatch(g, e, r)).toBe(isExactMatch({ expected: e, generated: g, reason: r }) ? 1 : 0);
    }
  });

  it('normalised exact ignores case, punctuation, articles and the stop reason', () => {
    expect(normalizedExactMatch('the  York.', 'York')).toBe(1);
    expect(normalizedExactMatch('New York', 'York')).toBe(0);
  });

  it('is null (not 0) without a reference', () => {
    expect(exactMatch('x', null)).toBeNull();
    expect(normalizedExactMatch('x', undefined)).toBeNull();
    expect(rougeL('x', '  ')).toBeNull();
    expect(tokenF1('x', null)).toBeNull();
    expect(scoreOutput('x', null)).toEqual({ exact: null, normalizedExact: null, rougeL: null, tokenF1: null });
  });
});

describe('ROUGE-L', () => {
  it('LCS length', () => {
    expect(lcsLength(['a', 'b', 'c', 'd'], ['b', 'd'])).toBe(2);
    expect(lcsLength(['w', 'y'], ['y', 'w'])).toBe(1);
    expect(lcsLength([], ['x'])).toBe(0);
  });

  it('hand-computed precision/recall/F1', () => {
    // [cat sat on mat] vs [cat is on mat]: LCS 3 (cat on mat) → 3/4, 3/4.
    expect(rougeL('The cat sat on the mat.', 'the cat is on the mat')).toEqual({ precision: 0.75, recall: 0.75, f1: 0.75 });
    // [x y z w] vs [y w]: LCS 2 → P 2/4, R 2/2, F1 2·0.5·1/1.5 = 2/3.
    const r = rougeL('x y z w', 'y w')!;
    expect(r.precision).toBe(0.5);
    expect(r.recall).toBe(1);
    expect(r.f1).toBeCloseTo(2 / 3, 12);
    // Order matters: [w y] vs [y w] has LCS 1.
    expect(rougeL('w y', 'y w')!.f1).toBe(0.5);
    expect(rougeL('nothing', 'in common')).toEqual({ precision: 0, recall: 0, f1: 0 });
  });

  it('an empty side gives 0 (1 when both are empty)', () => {
    expect(rougeL('', 'word')).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(rougeL('the', '!')).toEqual({ precision: 1, recall: 1, f1: 1 });
  });
});

describe('token F1 (SQuAD)', () => {
  it('counts overlap as a multiset, order-free', () => {
    expect(tokenF1('w y', 'y w')).toBe(1);
    // [to to to] vs [to be]: overlap 1 → P 1/3, R 1/2, F1 = 2·(1/6)/(5/6) = 0.4.
    expect(tokenF1('to to to', 'to be')).toBeCloseTo(0.4, 12);
    expect(tokenF1('New York City', 'the city of New York')).toBeCloseTo((2 * 1 * 0.75) / 1.75, 12);
    expect(tokenF1('', 'x')).toBe(0);
  });
});

describe('aggregation', () => {
  const rows = [
    { tags: ['geo'], scores: scoreOutput('Paris', 'Paris') },
    { tags: ['geo', 'hard'], scores: scoreOutput('paris', 'Paris') },
    { tags: ['hard'], scores: scoreOutput('x', null) },
  ];

  it('averages over rows with a score; nulls are left out, not zeros', () => {
    const s = summarize(rows);
    expect(s.rows).toBe(3);
    expect(s.exact).toEqual({ n: 2, mean: 0.5 });
    expect(s.normalizedExact).toEqual({ n: 2, mean: 1 });
    expect(summarize([]).tokenF1).toEqual({ n: 0, mean: null });
  });

  it('per tag, sorted', () => {
    const { all, byTag } = summarizeByTag(rows);
    expect(all.exact.mean).toBe(0.5);
    expect(byTag.map(([t]) => t)).toEqual(['geo', 'hard']);
    expect(byTag[1][1].exact).toEqual({ n: 1, mean: 0 });
    expect(byTag[1][1].rows).toBe(2);
  });

  it('differences and formatting', () => {
    expect(difference(0.75, 0.5)).toBe(0.25);
    expect(difference(null, 0.5)).toBeNull();
    expect(formatMetric(0.735)).toBe('73.5%');
    expect(formatMetric(null)).toBe('n/a');
    expect(formatDifference(0.12)).toBe('+12.0 pts');
    expect(formatDifference(-0.035)).toBe('−3.5 pts');
    expect(formatDifference(0)).toBe('±0.0 pts');
    expect(formatDifference(null)).toBe('n/a');
  });
});
