/**
 * One prompt → one list of ids, and a stop set that ends the turn, for every family (real Gemma 3 / Qwen3 tokenizers,
 * fixture Phi-3 / Phi-4-mini / SmolLM3 ones) and for the template presets.
 *
 * Prompt ids follow Python: raw text = tokenizer(text) (the post-processor's special tokens, once); a chat = the
 * rendered template with the generation prompt, encoded without adding special tokens again (Gemma 3's template
 * writes <bos> itself: a second one would be wrong). The CLI (`generate`) and the Worker (playground) both call
 * promptIds/stopTokenIds; the prompts below are built the way each of them builds its own.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES, FAMILY, familyTokenizer, idsOf, type Family } from './__fixtures__/families.ts';
import { fixtureTokenizer } from './__fixtures__/fixtures.ts';
import type { StudioTokenizer } from './tokenizer.ts';
import { chatPrompt, endOfTurnIds, promptIds, renderChatPrompt, stopTokenIds, type Prompt } from './prompt.ts';
import { getPreset } from '../data/templates.ts';
import { ModelFileError } from '../engine/io/errors.ts';
import type { GeneratePrompt } from '../worker/protocol.ts';

/** What the playground sends the Worker for a system + user prompt (Playground.tsx). */
const playgroundPrompt = (system: string, user: string, template?: string): Extract<GeneratePrompt, { kind: 'chat' }> => ({
  kind: 'chat',
  messages: [...(system.trim() ? [{ role: 'system' as const, content: system }] : []), { role: 'user' as const, content: user }],
  template,
});

describe('promptIds on the real Gemma 3 and Qwen3 tokenizers', () => {
  let gemma: StudioTokenizer;
  let qwen: StudioTokenizer;
  beforeAll(async () => {
    [gemma, qwen] = await Promise.all([familyTokenizer('gemma3'), familyTokenizer('qwen3')]);
  });

  it('raw text gets the tokenizer\'s own special tokens: Gemma 3 one <bos>, Qwen3 none', () => {
    expect(promptIds(gemma, { kind: 'text', text: 'Hello world' })).toEqual([2, 9259, 1902]);
    expect(promptIds(qwen, { kind: 'text', text: 'Hello world' })).toEqual([9707, 1879]);
  });

  it('a chat prompt is the rendered template, encoded without adding <bos> again', () => {
    const ids = promptIds(gemma, chatPrompt('Capital of France?', { system: 'You are terse.' }));
    expect(gemma.decode(ids)).toBe('<bos><start_of_turn>user\nYou are terse.\n\nCapital of France?<end_of_turn>\n<start_of_turn>model\n');
    expect(ids.slice(0, 3)).toEqual([2, 105, 2364]); // <bos> <start_of_turn> user
    expect(ids.filter((id) => id === gemma.bosId)).toHaveLength(1);
    const q = promptIds(qwen, chatPrompt('Capital of France?', { system: 'You are terse.' }));
    expect(qwen.decode(q)).toBe('<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\n');
    expect(q.slice(0, 3)).toEqual([151644, 8948, 198]); // <|im_start|> system \n
  });

  it('template variables reach the template (Qwen3 enable_thinking=false)', () => {
    const p: Prompt = { ...chatPrompt('Hi'), variables: { enable_thinking: false } };
    expect(renderChatPrompt(qwen, p)).toBe('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n');
  });
});

describe.each(FAMILIES)('%s: prompt ids and stop set', (family: Family) => {
  let tok: StudioTokenizer;
  beforeAll(async () => {
    tok = await familyTokenizer(family);
  });

  it('the CLI and the playground get the same ids, for chats with and without a system message and for raw text', () => {
    for (const system of ['You are terse.', '']) {
      const cli = promptIds(tok, chatPrompt('Capital of France?', { system }));
      const sent = playgroundPrompt(system, 'Capital of France?');
      expect(promptIds(tok, sent)).toEqual(cli);
      expect(cli).toEqual(tok.encode(tok.applyTemplate(sent.messages, { addGenerationPrompt: true }), { addSpecialTokens: false }));
    }
    expect(promptIds(tok, { kind: 'text', text: 'Hello world' })).toEqual(tok.encode('Hello world', { addSpecialTokens: true }));
    // A preset by id renders like the preset's Jinja.
    expect(promptIds(tok, chatPrompt('Hi', { template: 'chatml' }))).toEqual(promptIds(tok, chatPrompt('Hi', { template: getPreset('chatml')!.template })));
  });

  it('the end-of-turn token is the one the label builder trains with trainEos', () => {
    expect(endOfTurnIds(tok)).toEqual(idsOf(tok, [FAMILY[family].endOfTurn]));
  });

  it('a chat stops at the end of the turn even when config.json names only the end-of-text token', () => {
    const [eot] = idsOf(tok, [FAMILY[family].endOfTurn]);
    const chat = chatPrompt('Hi', { system: 'You are terse.' });
    const configEos = idsOf(tok, FAMILY[family].configEos);
    expect(stopTokenIds(tok, chat, { configEos })).toContain(eot);
    expect(stopTokenIds(tok, chat, { configEos: [] })).toContain(eot);
    // generation_config.json's list joins in (as Python's generate() uses it).
    const generationEos = idsOf(tok, FAMILY[family].generationEos);
    const withGen = stopTokenIds(tok, chat, { configEos, generationConfig: { eos_token_id: generationEos } });
    for (const id of [...generationEos, ...configEos, eot]) expect(withGen).toContain(id);
    expect(new Set(withGen).size).toBe(withGen.length);
  });
});

describe('stop set', () => {
  it('names the token for each family', async () => {
    const named: [Family, string][] = [['qwen3', '<|im_end|>'], ['gemma3', '<end_of_turn>'], ['phi3', '<|end|>'], ['phi4-mini', '<|end|>'], ['smollm3', '<|im_end|>']];
    for (const [family, token] of named) {
      const tok = await familyTokenizer(family);
      expect(stopTokenIds(tok, chatPrompt('Hi')).map((id) => tok.tokenText(id))).toContain(token);
    }
  });

  it('a ChatML adapter on a model whose EOS is <|endoftext|> stops at <|im_end|> (the measured bug)', async () => {
    const tok = await fixtureTokenizer({ template: null, config: { eos_token: '<|endoftext|>', bos_token: null } });
    const [endoftext, imEnd] = idsOf(tok, ['<|endoftext|>', '<|im_end|>']);
    const chat = chatPrompt('Hi', { template: 'chatml' });
    expect(stopTokenIds(tok, chat, { configEos: [endoftext] })).toEqual([endoftext, imEnd]);
    // Raw text uses no template, so only the EOS ids stop it.
    expect(stopTokenIds(tok, { kind: 'text', text: 'Hi' }, { configEos: [endoftext] })).toEqual([endoftext]);
  });

  it('end-of-turn tokens of the presets and the fixture templates; none for a template that closes with plain text', async () => {
    const base = await fixtureTokenizer({ template: null, config: { eos_token: '<|endoftext|>', bos_token: null } });
    const tokens = (tok: StudioTokenizer, template?: string) => endOfTurnIds(tok, template).map((id) => tok.tokenText(id));
    expect(tokens(base, 'chatml')).toEqual(['<|im_end|>']);
    expect(tokens(base, 'alpaca')).toEqual(['<|endoftext|>']);
    expect(tokens(base, 'llama3')).toEqual(['<|eot_id|>']);
    expect(tokens(base, 'mistral-inst')).toEqual(['<|endoftext|>']);
    expect(tokens(await fixtureTokenizer({ model: 'llama3.1' }))).toEqual(['<|eot_id|>']);
    expect(tokens(await fixtureTokenizer({ model: 'gemma', kind: 'sp-bpe' }))).toEqual(['<end_of_turn>']);
    expect(tokens(await fixtureTokenizer({ model: 'mistral', kind: 'sp-bpe' }))).toEqual(['</s>']);
    // "role: text" lines: the closer is a newline, which must not stop generation.
    expect(tokens(base, "{% for m in messages %}{{ m['role'] + ': ' + m['content'] + '\\n' }}{% endfor %}")).toEqual([]);
    expect(tokens(base, "{{ raise_exception('no') }}")).toEqual([]);
    expect(tokens(base)).toEqual([]); // no template at all
  });

  it('a chat prompt without any template is an error; a malformed generation_config.json names the file', async () => {
    const base = await fixtureTokenizer({ template: null });
    expect(() => promptIds(base, chatPrompt('Hi'))).toThrow(/no chat template/);
    const tok = await familyTokenizer('qwen3');
    expect(() => stopTokenIds(tok, chatPrompt('Hi'), { generationConfig: { eos_token_id: 'x' } })).toThrow(ModelFileError);
    expect(() => stopTokenIds(tok, chatPrompt('Hi'), { generationConfig: { eos_token_id: 'x' } })).toThrow(/^generation_config\.json: "eos_token_id"/);
  });
});
