import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer, type StudioTokenizer } from '../text/tokenizer';
import { GENERAL_DOC_SEPARATOR, forgetting, generalScore, mixCount, mixExamples, scoreWindows, splitDocuments } from './generalText';

const MODEL = 'public/models/studio-base';
const readJson = (f: string) => JSON.parse(readFileSync(`${MODEL}/${f}`, 'utf8')) as Record<string, unknown>;
let tok: StudioTokenizer;
beforeAll(async () => {
  tok = await loadTokenizer({ tokenizerJson: readJson('tokenizer.json'), tokenizerConfig: readJson('tokenizer_config.json') });
});

describe('general text', () => {
  it('splits the shipped files into their documents, and the two parts share none', () => {
    const held = splitDocuments(readFileSync('public/general/heldout.txt', 'utf8'));
    const mix = splitDocuments(readFileSync('public/general/mix.txt', 'utf8'));
    expect(held).toHaveLength(10);
    expect(mix).toHaveLength(30);
    const firstLines = new Set(held.map((d) => d.slice(0, 200)));
    expect(mix.filter((d) => firstLines.has(d.slice(0, 200)))).toEqual([]);
    expect(splitDocuments(`a\n${GENERAL_DOC_SEPARATOR}\n\nb c\n`)).toEqual(['a', 'b c']);
    expect(splitDocuments('pasted text, no separators')).toEqual(['pasted text, no separators']);
  });

  it('cuts windows of exactly T tokens whose target bytes are the text they stand for', () => {
    const doc = 'The quick brown fox jumps over the lazy dog. '.repeat(20).trim();
    const T = 16;
    const w = scoreWindows(tok, [doc], T, 1000);
    const ids = tok.encode(doc);
    expect(w).toHaveLength(Math.floor(ids.length / T));
    for (const [i, win] of w.entries()) {
      expect(win.inputIds).toEqual(ids.slice(i * T, (i + 1) * T));
      // Targets are tokens 1..T-1: their text re-encodes to the same bytes.
      expect(win.targetBytes).toBe(new TextEncoder().encode(tok.decode(win.inputIds.slice(1))).length);
    }
    const few = scoreWindows(tok, [doc], T, 3);
    expect(few.map((x) => x.inputIds[0])).toEqual([w[0], w[Math.floor(w.length / 3)], w[Math.floor((2 * w.length) / 3)]].map((x) => x.inputIds[0]));
  });

  it('scores mean nats per token and bits per byte, and forgetting as the relative change', () => {
    const windows = [{ inputIds: [1, 2, 3], targetBytes: 4 }, { inputIds: [4, 5], targetBytes: 2 }];
    const s = generalScore(windows, [[1, 2, 99], [3]]);
    expect(s.tokens).toBe(3);
    expect(s.natsPerToken).toBeCloseTo(2, 12);
    expect(s.bitsPerByte).toBeCloseTo(6 / Math.LN2 / 6, 12);
    const t = generalScore(windows, [[1.5, 2.5], [3.5]]);
    expect(forgetting(s, t)).toBeCloseTo(0.25, 12);
    expect(() => generalScore(windows, [[1]])).toThrow(/2 windows but 1/);
    expect(() => generalScore([], [])).toThrow(/shorter than one window/);
  });

  it('mixes the requested share as whole paragraphs within the token budget', () => {
    expect(mixCount(30, 0)).toBe(0);
    expect(mixCount(30, 0.25)).toBe(10);
    expect(mixCount(3, 0.5)).toBe(3);
    expect(() => mixCount(3, 1)).toThrow(/\[0, 1\)/);
    const docs = splitDocuments(readFileSync('public/general/mix.txt', 'utf8'));
    const ex = mixExamples(tok, docs, 64, 12, 7);
    expect(ex).toHaveLength(12);
    for (const e of ex) {
      expect(e.kind).toBe('text');
      expect(tok.encode(e.text).length).toBeLessThanOrEqual(64);
      expect(e.text.length).toBeGreaterThan(20);
    }
    expect(mixExamples(tok, docs, 64, 12, 7)).toEqual(ex); // seeded
    expect(mixExamples(tok, docs, 64, 12, 8)).not.toEqual(ex);
  });
});
