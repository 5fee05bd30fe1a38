import { describe, expect, it } from 'vitest';
import { fixtureTokenizer, fixtureTokenizerJson, type TokenizerKind } from './__fixtures__/fixtures.ts';
import { loadTokenizer } from './tokenizer.ts';

const SAMPLES = [
  'Hello, how are you?',
  'What is the capital of France?\nParis.\n\n  indented\tand tabbed',
  'ünïcode, 你好, emoji 🙂 and combining é',
  '<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n',
  '<s> [INST] a question [/INST] An answer.</s>',
];

describe('loadTokenizer', () => {
  it('exposes ids of the configured special tokens and the vocabulary size', async () => {
    const tok = await fixtureTokenizer({ model: 'smollm2' });
    const json = fixtureTokenizerJson('byte-bpe') as { model: { vocab: Record<string, number> }; added_tokens: { id: number; content: string }[] };
    const maxId = Math.max(...Object.values(json.model.vocab), ...json.added_tokens.map((t) => t.id));
    expect(tok.vocabSize).toBe(maxId + 1);
    const idOf = (s: string) => json.added_tokens.find((t) => t.content === s)!.id;
    expect(tok.eosId).toBe(idOf('<|im_end|>'));
    expect(tok.bosId).toBe(idOf('<|endoftext|>'));
    expect(tok.padId).toBe(idOf('<|endoftext|>'));
    expect(tok.specialTokens).toContain('<|im_start|>');
    expect(tok.isSpecial(idOf('<|im_end|>'))).toBe(true);
    expect(tok.isSpecial(tok.encode('Hello', { addSpecialTokens: false })[0])).toBe(false);
    expect(tok.tokenId('<|eot_id|>')).toBe(idOf('<|eot_id|>'));
    expect(tok.tokenId('not a single token')).toBeNull();
  });

  it('reports null for special tokens the config does not define', async () => {
    const tok = await fixtureTokenizer({ model: 'llama3', config: { pad_token: undefined } });
    expect(tok.padId).toBeNull();
    expect(tok.chatTemplate).toContain('<|start_header_id|>');
  });

  it('rejects files that are not tokenizer JSON', async () => {
    await expect(loadTokenizer({ tokenizerJson: { foo: 1 }, tokenizerConfig: {} })).rejects.toThrow(/model/);
    await expect(loadTokenizer({ tokenizerJson: fixtureTokenizerJson('byte-bpe'), tokenizerConfig: 'x' })).rejects.toThrow(/tokenizer_config/);
  });

  it('picks the "default" template from a list of named templates', async () => {
    const tok = await fixtureTokenizer({
      template: null,
      config: { chat_template: [{ name: 'tool_use', template: 'TOOLS' }, { name: 'default', template: 'DEFAULT' }] },
    });
    expect(tok.chatTemplate).toBe('DEFAULT');
    expect(tok.applyTemplate([{ role: 'user', content: 'x' }])).toBe('DEFAULT');
  });
});

describe.each<TokenizerKind>(['byte-bpe', 'sp-bpe'])('%s encode/decode', (kind) => {
  it.each(SAMPLES.slice(0, 3))('round-trips %j', async (text) => {
    const tok = await fixtureTokenizer({ kind });
    const ids = tok.encode(text, { addSpecialTokens: false });
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(new TextEncoder().encode(text).length + 2);
    expect(tok.decode(ids)).toBe(text);
  });

  it('skips special tokens on request', async () => {
    const tok = await fixtureTokenizer({ kind });
    const ids = tok.encode('<|im_start|>Hello<|im_end|>', { addSpecialTokens: false });
    expect(tok.decode(ids, { skipSpecialTokens: true }).trim()).toBe('Hello');
    expect(tok.decode(ids)).toContain('<|im_end|>');
    expect(tok.decode([])).toBe('');
  });

  it.each(SAMPLES)('gives exact character offsets for %j', async (text) => {
    const tok = await fixtureTokenizer({ kind });
    const { ids, starts, ends, exact } = tok.encodeWithOffsets(text);
    expect(exact).toBe(true);
    expect(ids).toEqual(tok.encode(text, { addSpecialTokens: false }));
    // Spans are ordered, cover the whole text, and special tokens cover exactly their own text.
    let covered = 0;
    for (let i = 0; i < ids.length; i++) {
      expect(starts[i]).toBeLessThanOrEqual(ends[i]);
      if (i > 0) expect(starts[i]).toBeGreaterThanOrEqual(starts[i - 1]);
      covered = Math.max(covered, ends[i]);
      if (tok.isSpecial(ids[i])) expect(text.slice(starts[i], ends[i])).toBe(tok.decode([ids[i]]));
    }
    expect(covered).toBe(text.length);
    if (kind === 'byte-bpe') {
      // Independent check: the end of token i is the length of the decoded prefix (exact for byte-level BPE
      // whenever the prefix ends on a character boundary).
      for (let i = 0; i < ids.length; i++) {
        const prefix = tok.decode(ids.slice(0, i + 1));
        if (!prefix.includes('\uFFFD')) expect(ends[i]).toBe(prefix.length);
      }
    }
  });
});

describe('encodeWithOffsets fallback', () => {
  it('estimates spans when a normalizer rewrites the text', async () => {
    const json = { ...fixtureTokenizerJson('byte-bpe'), normalizer: { type: 'Lowercase' } };
    const tok = await loadTokenizer({ tokenizerJson: json, tokenizerConfig: {} });
    const text = 'HELLO World, Paris';
    const { ids, starts, ends, exact } = tok.encodeWithOffsets(text);
    expect(exact).toBe(false);
    expect(ids.length).toBeGreaterThan(3);
    expect(ends[ids.length - 1]).toBe(text.length);
    for (let i = 1; i < ids.length; i++) expect(starts[i]).toBe(ends[i - 1]);
  });
});

describe('tokenText', () => {
  it('shows byte-level spaces and newlines as markers, specials verbatim, byte fragments as hex', async () => {
    const tok = await fixtureTokenizer();
    const ids = tok.encode('Hello world\n<|im_end|>你', { addSpecialTokens: false });
    const pieces = ids.map((id) => tok.tokenText(id));
    expect(pieces.join('')).toContain('␣world');
    expect(pieces).toContain('↵');
    expect(pieces).toContain('<|im_end|>');
    expect(pieces.join('')).toMatch(/<0xE4>/); // 你 is three single-byte tokens in this tiny vocabulary
    expect(tok.tokenText(999999)).toBe('<id 999999>');
  });

  it('shows SentencePiece ▁ as a space marker and byte-fallback tokens as their character', async () => {
    const tok = await fixtureTokenizer({ kind: 'sp-bpe' });
    const pieces = tok.encode('the capital\n', { addSpecialTokens: false }).map((id) => tok.tokenText(id));
    expect(pieces).toContain('␣capital');
    expect(pieces.at(-1)).toBe('↵');
  });
});

describe('applyTemplate', () => {
  it('renders the chat template, with a generation prompt on request', async () => {
    const tok = await fixtureTokenizer({ model: 'llama3' });
    const text = tok.applyTemplate([{ role: 'user', content: 'Hi' }], { addGenerationPrompt: true });
    expect(text).toBe('<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n');
  });

  it('passes extra variables and an explicit template', async () => {
    const tok = await fixtureTokenizer();
    expect(tok.applyTemplate([], { template: '{{ instruction }}|{{ eos_token }}', variables: { instruction: 'do it' } })).toBe('do it|<|im_end|>');
  });

  it('fails clearly without any template', async () => {
    const tok = await fixtureTokenizer({ template: null });
    expect(tok.chatTemplate).toBeNull();
    expect(() => tok.applyTemplate([{ role: 'user', content: 'x' }])).toThrow(/no chat template/);
  });

  it('honours addSpecialTokens through the post-processor', async () => {
    const base = fixtureTokenizerJson('byte-bpe') as { added_tokens: { id: number; content: string }[] };
    const bos = base.added_tokens.find((t) => t.content === '<s>')!.id;
    const json = {
      ...base,
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
        pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
        special_tokens: { '<s>': { id: '<s>', ids: [bos], tokens: ['<s>'] } },
      },
    };
    const tok = await loadTokenizer({ tokenizerJson: json, tokenizerConfig: { bos_token: '<s>' } });
    expect(tok.encode('Hi')[0]).toBe(tok.bosId);
    expect(tok.encode('Hi', { addSpecialTokens: false })[0]).not.toBe(tok.bosId);
  });
});
