import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '../text/tokenizer';
import { MixedSampler } from './data';
import { ASK, DIALOGUE_TASKS, FORBIDDEN, dialogues, encodeDialogues, renderDialogue, sentenceWords, splitSentences, usableSentence } from './dialogue';
import { brownTexts } from './prepare';
import { IM_END, IM_START } from './tokenizerFiles';

const MODEL = 'public/models/studio-base';
const readJson = (f: string) => JSON.parse(readFileSync(`${MODEL}/${f}`, 'utf8')) as Record<string, unknown>;
const norm = (s: string) => s.replace(/\s+/g, ' ');

describe('dialogue documents', () => {
  it('splits paragraphs into sentences and sentences into words', () => {
    const doc = 'The jury said it was "fine." It recommended a change to the law. Mr. A. B. Allen left\n\nShort one. Another sentence of enough words here!';
    expect(splitSentences(doc)).toEqual([
      ['The jury said it was "fine."', 'It recommended a change to the law.', 'Mr. A. B. Allen left'],
      ['Short one.', 'Another sentence of enough words here!'],
    ]);
    expect(splitSentences(doc).flat().map(usableSentence)).toEqual([true, true, false, false, true]);
    expect(sentenceWords('"Only a relative handful," the jury said.')).toEqual(['Only', 'a', 'relative', 'handful', 'the', 'jury', 'said']);
  });

  it('is seeded, covers every task, and never asks about the word after a word', () => {
    const train = brownTexts().train;
    const a = dialogues(train, { seed: 7, chars: 300_000 });
    expect(dialogues(train, { seed: 7, chars: 300_000 })).toEqual(a);
    expect(dialogues(train, { seed: 8, chars: 300_000 })).not.toEqual(a);
    const wordings = Object.values(ASK).flat();
    for (const re of FORBIDDEN) expect(wordings.filter((t) => re.test(t))).toEqual([]);
    expect(a.flat().filter((t) => /finish the phrase|next word/i.test(t.content))).toEqual([]);
    const users = a.flat().filter((t) => t.role === 'user').map((t) => t.content);
    expect(users.some((u) => u.startsWith('Continue this text'))).toBe(true);
    expect(users.some((u) => u.startsWith('Repeat after me'))).toBe(true);
    expect(users.some((u) => /first word/i.test(u))).toBe(true);
    expect(users.some((u) => /last word/i.test(u))).toBe(true);
    expect(users.some((u) => /^Say /.test(u))).toBe(true);
    expect(DIALOGUE_TASKS).toHaveLength(5);
    for (const m of a) {
      expect(m.length % 2).toBe(0);
      m.forEach((t, i) => expect(t.role).toBe(i % 2 ? 'assistant' : 'user'));
    }
  });

  it('answers from the text: the next sentence of the same training document, the sentence, its words', () => {
    const { train, heldOut } = brownTexts();
    const docs = train.slice(0, 40).map(norm);
    const convs = dialogues(train.slice(0, 40), { seed: 1, chars: 250_000 });
    const held = heldOut.map(norm);
    let checked = 0;
    for (const m of convs)
      for (let i = 0; i < m.length; i += 2) {
        const [q, a] = [m[i].content, m[i + 1].content];
        const cont = /^Continue this text:\n\n(.*)$/s.exec(q);
        if (cont) {
          expect(docs.some((d) => d.includes(`${cont[1]} ${a}`))).toBe(true);
          expect(held.some((d) => d.includes(`${cont[1]} ${a}`))).toBe(false);
          checked++;
        }
        const rep = /^Repeat after me: (.*)$/s.exec(q);
        if (rep) expect(a).toBe(rep[1]);
        const first = /^What is the first word of this sentence\? (.*)$/s.exec(q);
        if (first) expect(a).toBe(sentenceWords(first[1])[0]);
        const say = /^Say ([^ "]+)\.$/.exec(q);
        if (say) expect(a).toBe(say[1]);
      }
    expect(checked).toBeGreaterThan(10);
  });

  it("renders through the model's chat template, so <|im_start|> and <|im_end|> are tokens of the stream", async () => {
    const tokenizer = await loadTokenizer({ tokenizerJson: readJson('tokenizer.json'), tokenizerConfig: readJson('tokenizer_config.json') });
    const convs = dialogues(brownTexts().train.slice(0, 5), { seed: 3, chars: 5_000 });
    const m = convs[0];
    const text = renderDialogue(tokenizer, m);
    expect(text).toBe(m.map((t) => `<|im_start|>${t.role}\n${t.content}<|im_end|>\n`).join(''));
    const [ids] = encodeDialogues(tokenizer, [m]);
    const imStart = tokenizer.tokenId(IM_START)!, imEnd = tokenizer.tokenId(IM_END)!;
    expect(ids.filter((t) => t === imStart)).toHaveLength(m.length);
    expect(ids.filter((t) => t === imEnd)).toHaveLength(m.length);
    expect(ids[0]).toBe(imStart);
    expect(tokenizer.decode(ids)).toBe(text);
  });
});

describe('MixedSampler', () => {
  const main = Int32Array.from({ length: 400 }, (_, i) => i);
  const extra = Int32Array.from({ length: 160 }, (_, i) => 10_000 + i);

  it('takes the given share of rows from the extra stream, evenly, and depends on the position alone', () => {
    const s = new MixedSampler(main, extra, 0.3, 8, 4, 5);
    let fromExtra = 0;
    for (let pos = 0; pos < 50; pos++) {
      const ids = s.batch(pos).batch.inputIds;
      for (let r = 0; r < 4; r++) if (ids[r * 8] >= 10_000) fromExtra++;
    }
    expect(fromExtra).toBe(60); // 30% of 200 rows
    expect(new MixedSampler(main, extra, 0.3, 8, 4, 5).batch(37)).toEqual(s.batch(37));
    expect(MixedSampler.route(0, 0.3)).toEqual({ extra: false, index: 0 });
    expect(MixedSampler.route(3, 0.3)).toEqual({ extra: true, index: 0 });
  });

  it('visits every window of each stream once per epoch of that stream', () => {
    const s = new MixedSampler(main, extra, 0.25, 8, 4, 1);
    const seen = new Map<number, number>();
    for (let pos = 0; pos < 20; pos++) { // 80 rows: 60 main = 1.2 epochs of 50 windows, 20 extra = 1 epoch of 20
      const ids = s.batch(pos).batch.inputIds;
      for (let r = 0; r < 4; r++) seen.set(ids[r * 8], (seen.get(ids[r * 8]) ?? 0) + 1);
    }
    const extraStarts = [...seen].filter(([k]) => k >= 10_000);
    expect(extraStarts).toHaveLength(20);
    expect(extraStarts.every(([, n]) => n === 1)).toBe(true);
    expect([...seen].filter(([k]) => k < 10_000)).toHaveLength(50);
    expect(() => new MixedSampler(main, extra, 1, 8, 4, 1)).toThrow(/share/);
  });
});
