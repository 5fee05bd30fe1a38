import { describe, expect, it } from 'vitest';
import type { Example, ExampleBody } from '../data/types';
import { findDuplicates, jaccard, shingles } from './dedupe';
import { describeDbError, QUOTA_MESSAGE } from './errors';
import { assignSplits } from './split';
import { computeStats } from './stats';

const pair = (instruction: string, input = '', output = 'ok'): ExampleBody => ({ kind: 'pair', instruction, input, output });
const ex = (id: string, body: ExampleBody, extra: Partial<Example> = {}): Example => ({
  id, datasetId: 'd', body, tags: [], split: 'train', notes: '', order: 0, createdAt: 0, updatedAt: 0, ...extra,
});

function randomWords(rand: () => number, n: number): string {
  const words = ['alpha', 'river', 'stone', 'quiet', 'lamp', 'seven', 'orbit', 'maple', 'delta', 'frost', 'ember', 'cloud', 'pixel', 'tiger', 'novel'];
  return Array.from({ length: n }, () => words[Math.floor(rand() * words.length)] + Math.floor(rand() * 1000)).join(' ');
}

describe('duplicate detection', () => {
  it('finds exact duplicates modulo case and whitespace, and near duplicates above 0.9', () => {
    const long = 'The quick brown fox jumps over the lazy dog while the farmer watches from the old wooden fence near the barn.';
    const report = findDuplicates([
      ex('a', pair('Translate', 'Hello there')),
      ex('b', pair('translate ', 'hello   there')),
      ex('c', pair('Summarise', long)),
      ex('d', pair('Summarise', long.replace('lazy', 'lazzy'))),
      ex('e', pair('Summarise', 'Something completely different about cooking pasta at home.')),
      ex('f', { kind: 'text', text: 'Hello there' }),
    ]);
    const byKind = report.groups.map((g) => [g.kind, g.ids]);
    expect(byKind).toContainEqual(['exact', ['a', 'b']]);
    expect(byKind).toContainEqual(['near', ['c', 'd']]);
    expect(report.groupOf.has('e')).toBe(false);
    expect(report.groupOf.has('f')).toBe(false); // same words, but a text doc is not a pair
    const near = report.groups.find((g) => g.kind === 'near')!;
    expect(near.similarity).toBeGreaterThanOrEqual(0.9);
    expect(near.similarity).toBeLessThan(1);
  });

  it('does not join pairs below the threshold', () => {
    const s = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const t = s.slice(0, 30) + 'XYZXYZ';
    const sim = jaccard(shingles(s), shingles(t));
    expect(sim).toBeLessThan(0.9);
    expect(findDuplicates([ex('a', { kind: 'text', text: s }), ex('b', { kind: 'text', text: t })]).groups).toHaveLength(0);
  });

  it('agrees with brute force on a random set and handles 20,000 examples quickly', () => {
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const base = Array.from({ length: 300 }, () => randomWords(rand, 25));
    const docs = base.map((t, i) => (i % 10 === 0 ? base[i - (i ? 1 : 0)] + (rand() < 0.5 ? 'x' : '') : t));
    const examples = docs.map((t, i) => ex(String(i), { kind: 'text', text: t }));
    const report = findDuplicates(examples);
    const sets = docs.map((d) => shingles(d.toLowerCase()));
    for (let i = 0; i < docs.length; i++)
      for (let j = i + 1; j < docs.length; j++) {
        const sim = jaccard(sets[i], sets[j]);
        if (sim >= 0.9) expect(report.groupOf.get(String(i))).toBe(report.groupOf.get(String(j)));
      }
    expect(report.groups.length).toBeGreaterThan(10);

    const big = Array.from({ length: 20000 }, (_, i) => ex(String(i), pair('Answer the question.', randomWords(rand, 30), randomWords(rand, 10))));
    big[19999] = ex('19999', structuredClone(big[5].body));
    const t0 = performance.now();
    const r = findDuplicates(big);
    const ms = performance.now() - t0;
    expect(r.groups).toEqual([{ kind: 'exact', ids: ['5', '19999'], similarity: 1 }]);
    console.log(`findDuplicates(20k): ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(60000); // generous (shared CI cores): a quadratic scan takes many minutes
  });
});

describe('splits and stats', () => {
  it('assigns splits deterministically with the requested share', () => {
    const ids = Array.from({ length: 101 }, (_, i) => `id${i}`);
    const a = assignSplits(ids, 0.1, 42);
    expect([...a.values()].filter((s) => s === 'validation')).toHaveLength(10);
    expect([...assignSplits(ids, 0.1, 42)]).toEqual([...a]);
    expect([...assignSplits(ids, 0.1, 43)]).not.toEqual([...a]);
    expect(() => assignSplits(ids, 1.5, 1)).toThrow();
  });

  it('counts by split, kind and tag and builds histograms', () => {
    const s = computeStats(
      [
        ex('a', pair('hi'), { tags: ['qa'] }),
        ex('b', { kind: 'text', text: 'x'.repeat(500) }, { split: 'validation', tags: ['qa', 'code'] }),
        ex('c', { kind: 'chat', messages: [{ role: 'user', content: 'yo' }] }),
      ],
      (e) => e.id.charCodeAt(0),
    );
    expect(s.bySplit).toEqual({ train: 2, validation: 1 });
    expect(s.byKind).toEqual({ pair: 1, chat: 1, text: 1 });
    expect(s.byTag).toEqual([{ tag: 'qa', count: 2 }, { tag: 'code', count: 1 }]);
    expect(s.untagged).toBe(1);
    expect(s.chars.buckets.find((b) => b.label === '300–1k')!.count).toBe(1);
    expect(s.chars.max).toBe(500);
    expect(s.tokens!.buckets.find((b) => b.label === '32–128')!.count).toBe(3);
  });
});

describe('error messages', () => {
  it('maps quota errors (also nested inside dexie errors) and others to clear sentences', () => {
    expect(describeDbError({ name: 'AbortError', inner: { name: 'QuotaExceededError' } })).toBe(QUOTA_MESSAGE);
    expect(describeDbError({ name: 'BulkError', failures: [{ name: 'QuotaExceededError' }] })).toBe(QUOTA_MESSAGE);
    expect(describeDbError({ name: 'DatabaseClosedError' })).toMatch(/Reload this tab/);
    expect(describeDbError({ name: 'VersionError' })).toMatch(/newer version/);
    expect(describeDbError(new Error('boom'))).toMatch(/boom/);
  });
});
