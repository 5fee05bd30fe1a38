import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '../text/tokenizer';
import { bytesToUnicode, countPieces, trainBpe } from './bpe';
import { CHATML_TEMPLATE, SPECIAL_TOKENS, tokenizerConfigJson, tokenizerJson } from './tokenizerFiles';

const TEXT = [
  'The jury said that the election was conducted well. The jury praised the city.',
  '"Only a relative handful of such reports was received," the jury said.\n\nThe other thing is the weather; the weather is fine.',
  'There were 1,250 votes in 1961 -- more than the year before!',
];

async function trained(vocabSize = 300) {
  const bpe = trainBpe(countPieces(TEXT), { vocabSize, specials: SPECIAL_TOKENS, minFrequency: 2 });
  const tj = tokenizerJson(bpe), tc = tokenizerConfigJson(bpe, 128);
  return { bpe, tj, tc, tok: await loadTokenizer({ tokenizerJson: tj, tokenizerConfig: tc }) };
}

describe('byte-level BPE trainer', () => {
  it('has a reversible 256-entry byte table', () => {
    const t = bytesToUnicode();
    expect(new Set(t).size).toBe(256);
    expect(t[65]).toBe('A');
    expect(t[32]).toBe('Ġ');
    expect(t[10]).toBe('Ċ');
  });

  it('merges the most frequent pair first and is deterministic', () => {
    const counts = new Map([['ab', 5], ['abc', 3], ['bc', 1]]);
    const a = trainBpe(counts, { vocabSize: 3 + 256 + 2, specials: SPECIAL_TOKENS });
    expect(a.merges).toEqual([['a', 'b'], ['ab', 'c']]);
    expect(a.tokens.slice(0, 3)).toEqual(SPECIAL_TOKENS);
    expect(a.tokens.slice(-2)).toEqual(['ab', 'abc']);
    expect(trainBpe(counts, { vocabSize: 261, specials: SPECIAL_TOKENS })).toEqual(a);
  });

  it('stops when no pair reaches the minimum frequency', () => {
    const bpe = trainBpe(new Map([['xyz', 1]]), { vocabSize: 400, specials: SPECIAL_TOKENS });
    expect(bpe.merges).toEqual([]);
    expect(bpe.tokens.length).toBe(259);
  });

  it('rejects a vocabulary smaller than the specials and bytes', () => {
    expect(() => trainBpe(new Map(), { vocabSize: 100, specials: SPECIAL_TOKENS })).toThrow(/smaller/);
  });
});

describe('exported tokenizer files', () => {
  it('load through the studio tokenizer with the special tokens at ids 0..2', async () => {
    const { tok, bpe } = await trained();
    expect(tok.vocabSize).toBe(bpe.tokens.length);
    expect(tok.eosId).toBe(0);
    expect(tok.bosId).toBe(0);
    expect(tok.padId).toBe(0);
    expect(tok.tokenId('<|im_start|>')).toBe(1);
    expect(tok.tokenId('<|im_end|>')).toBe(2);
    expect(tok.isSpecial(2)).toBe(true);
  });

  it('encode with the learned merges and round-trip any text exactly', async () => {
    const { tok } = await trained();
    const jury = tok.encode(' jury', { addSpecialTokens: false });
    expect(jury).toHaveLength(1); // a frequent word became one token
    expect(tok.tokenText(jury[0])).toBe('␣jury');
    expect(tok.encode('The jury', { addSpecialTokens: false })).toEqual([...tok.encode('The', { addSpecialTokens: false }), ...jury]);
    for (const s of [...TEXT, 'Ünïcode 你好 🙂, tabs\tand\n\n\nnewlines  ', '<|im_start|>user\nHi<|im_end|>\n<|endoftext|>']) {
      const ids = tok.encode(s, { addSpecialTokens: true });
      expect(tok.decode(ids)).toBe(s);
    }
    // No BOS is added: the base model never saw one at the start of a text.
    expect(tok.encode('The', { addSpecialTokens: true })).toEqual(tok.encode('The', { addSpecialTokens: false }));
    expect(tok.encode('<|im_end|>', { addSpecialTokens: false })).toEqual([2]);
  });

  it('render chats with the ChatML template', async () => {
    const { tok, tc } = await trained();
    expect(tc.chat_template).toBe(CHATML_TEMPLATE);
    const text = tok.applyTemplate(
      [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.' }],
      { addGenerationPrompt: false },
    );
    expect(text).toBe('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n');
    expect(tok.applyTemplate([{ role: 'user', content: 'Hi' }], { addGenerationPrompt: true })).toBe('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n');
  });
});
