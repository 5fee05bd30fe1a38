import { describe, expect, it } from 'vitest';
import { pairShare, vocabularyOf, wordPairsOf, wordStats, wordsOf } from './wordStats';

describe('wordStats', () => {
  const vocab = vocabularyOf(['The old man said that he didn’t know.', 'A well-known committee met in 1961.']);

  it('splits words on letters, keeping inner apostrophes and hyphens, lower-cased', () => {
    expect(wordsOf('The old man didn’t — well-known, 1961!')).toEqual(['the', 'old', 'man', "didn't", 'well-known']);
    expect(vocab.has("didn't") && vocab.has('well-known') && vocab.has('committee')).toBe(true);
    expect(vocab.has('1961')).toBe(false);
  });

  it('counts known and distinct words of two letters or more', () => {
    const s = wordStats(' the old man met a satruran and the newor.', vocab);
    expect(s.words).toBe(8); // "a" is too short to count
    expect(s.unknown).toEqual(['satruran', 'and', 'newor']);
    expect(s.known).toBe(5);
    expect(s.share).toBeCloseTo(5 / 8, 12);
    expect(s.distinct).toBe(7);
  });

  it('sees through repetition: all known, one distinct word', () => {
    const s = wordStats(' the the the the', vocab);
    expect([s.share, s.distinct]).toEqual([1, 1]);
    expect(wordStats('', vocab).share).toBe(0);
  });

  it('pairShare counts adjacent word pairs seen in the corpus', () => {
    const pairs = wordPairsOf(['The old man said that he knew.']);
    expect(pairs.has('old man') && pairs.has('he knew')).toBe(true);
    expect(pairShare('the old man knew', pairs)).toEqual({ pairs: 3, known: 2, share: 2 / 3 });
    expect(pairShare('man', pairs).share).toBe(0);
  });
});
