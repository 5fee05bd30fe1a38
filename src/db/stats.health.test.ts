import { describe, expect, it } from 'vitest';
import { duplicateRate, findDuplicates, isOriginTag, lengthHealth, sizeGuidance, tagBalance } from './index';

const ex = (id: string, instruction: string, tags: string[] = []) => ({ id, tags, body: { kind: 'pair' as const, instruction, input: '', output: 'ok' } });

describe('dataset health', () => {
  it('size guidance by scale', () => {
    expect(sizeGuidance(10).level).toBe('tiny');
    expect(sizeGuidance(120).level).toBe('small');
    expect(sizeGuidance(200).level).toBe('typical');
    expect(sizeGuidance(5000).level).toBe('typical');
    expect(sizeGuidance(5001).level).toBe('large');
    expect(sizeGuidance(300).text).toMatch(/few hundred to a few thousand/);
  });
  it('task balance leaves origin tags out and flags a dominant or a starved task', () => {
    const rows = [...Array(7).fill(['qa']), ['summarization', 'flan:sum-brief'], ['qa', 'self-instruct'], ['code']].map((tags: string[], i) => ex(String(i), `i${i}`, tags));
    const b = tagBalance(rows);
    expect(b.tags).toEqual([
      { tag: 'qa', count: 8, share: 0.8 },
      { tag: 'code', count: 1, share: 0.1 },
      { tag: 'summarization', count: 1, share: 0.1 },
    ]);
    expect(b.ratio).toBe(8);
    expect(b.note).toMatch(/"qa" is 80%/);
    expect(b.generatedShare).toBeCloseTo(0.2, 12);
    expect(isOriginTag('evol:deepen')).toBe(true);
    expect(isOriginTag('evolution')).toBe(false);
    const starved = tagBalance([...Array(10).fill('a'), ...Array(10).fill('b'), 'c'].map((t: string, i) => ex(String(i), `i${i}`, [t])));
    expect(starved.note).toMatch(/"c" has 10× fewer/);
    expect(tagBalance([ex('1', 'x', ['qa']), ex('2', 'y', ['code'])]).note).toBeNull();
  });
  it('duplicate rate counts the copies beyond the first of each group', () => {
    const long = 'Name three planets of the solar system and, for each one, say how far it is from the sun and how long its year lasts';
    const rows = [
      ex('1', long),
      ex('2', long.toUpperCase()), // exact after normalisation
      ex('3', long),
      // near: one character more changes ≤ 5 of ~125 character 5-grams (Jaccard ≈ 0.93 ≥ 0.9)
      ex('4', `${long}!`),
      ex('5', 'Something else entirely'),
    ];
    const r = duplicateRate(findDuplicates(rows), rows.length);
    expect(r.exactExtra + r.nearExtra).toBe(3);
    expect(r.rate).toBeCloseTo(3 / 5, 12);
    expect(duplicateRate({ groups: [] }, 0).rate).toBe(0);
  });
  it('length health: over the max length, trained share, examples without targets, failures apart', () => {
    const h = lengthHealth(
      [
        { untruncated: 100, tokens: 64, trained: 30, targets: 30 },
        { untruncated: 64, tokens: 64, trained: 10, targets: 10 }, // exactly at the limit: not over
        { untruncated: 20, tokens: 20, trained: 0, targets: 0 },
        null,
      ],
      64,
    );
    expect(h).toEqual({ maxLength: 64, over: 1, failed: 1, noTargets: 1, trainedTokens: 40, totalTokens: 148, trainedShare: 40 / 148 });
  });
});
