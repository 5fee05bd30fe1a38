import { describe, expect, it } from 'vitest';
import { brownTexts } from '../../pretrain/prepare';
import { countPhrases, topFollower } from './phraseStats';
import { PHRASE_ANSWERS, PHRASES, phraseAnswer, phraseQuestion, tryItPhrases } from './phrases';

describe('phrase counts', () => {
  it('count word pairs within sentences only, case kept, punctuation stripped', () => {
    const c = countPhrases(['He was able to go. "Able to" hold it, able; to', 'able (to)']);
    expect(c.words.get('able')).toBe(3);
    expect(c.words.get('Able')).toBe(1);
    expect(c.pairs.get('able to')).toBe(1);
    expect(c.pairs.get('Able to')).toBe(1);
    expect(topFollower(c, 'able')).toEqual({ next: 'to', count: 1, share: 1 / 3 });
    expect(topFollower(c, 'nothing')).toBeNull();
  });
});

describe('the Try-it phrases', () => {
  it('are distinct, balanced over the answers, with a held-out part that no single answer dominates', () => {
    expect(new Set(PHRASES.map((p) => p.start)).size).toBe(PHRASES.length);
    const held = PHRASES.filter((p) => p.split === 'validation');
    const trained = PHRASES.filter((p) => p.split === 'train');
    expect(held.length).toBeGreaterThanOrEqual(20);
    expect(trained.length).toBeGreaterThanOrEqual(30);
    for (const a of PHRASE_ANSWERS) {
      expect(trained.some((p) => p.next === a)).toBe(true);
      expect(held.some((p) => p.next === a)).toBe(true);
    }
    const top = Math.max(...PHRASE_ANSWERS.map((a) => held.filter((p) => p.next === a).length));
    expect(top / held.length).toBeLessThanOrEqual(0.3);
  });

  it('are what the corpus says: each answer is the word that most often follows, at least 20 times and 25% of uses', () => {
    const counts = countPhrases(brownTexts().train);
    for (const p of PHRASES) {
      const f = topFollower(counts, p.start);
      expect(f, p.start).not.toBeNull();
      expect({ start: p.start, next: f!.next, count: f!.count, share: Number(f!.share.toFixed(3)) }).toEqual({ start: p.start, next: p.next, count: p.count, share: p.share });
      expect(p.count).toBeGreaterThanOrEqual(20);
      expect(p.share).toBeGreaterThanOrEqual(0.25);
    }
  }, 60_000);

  it('become a starter dataset of pairs with the validation split kept', () => {
    expect(tryItPhrases.examples).toHaveLength(PHRASES.length);
    const first = tryItPhrases.examples[0];
    expect(first.body).toEqual({ kind: 'pair', instruction: phraseQuestion(PHRASES[0].start), input: '', output: phraseAnswer(PHRASES[0].next) });
    expect(phraseAnswer('to')).toBe(' to');
    expect(tryItPhrases.examples.filter((e) => e.split === 'validation')).toHaveLength(PHRASES.filter((p) => p.split === 'validation').length);
  });
});
