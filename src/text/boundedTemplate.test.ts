/**
 * Chat templates are code from the model repository; rendering one is bounded in time, output and list size, and a
 * template past a limit fails with an error naming tokenizer_config.json (the same code runs in the browser's token
 * view and the CLI). `{% for i in range(100000000) %}` used to run for 83 s and end in a V8 out-of-memory crash.
 */
import { describe, expect, it } from 'vitest';
import { chatTemplate, fixtureTokenizerJson } from './__fixtures__/fixtures.ts';
import { getPreset } from '../data/templates.ts';
import { loadTokenizer } from './tokenizer.ts';
import { RENDER_MS, TemplateLimitError, renderBounded } from './boundedTemplate.ts';
import { buildLabels } from '../data/labels.ts';

const withTemplate = (chat_template: string) =>
  loadTokenizer({ tokenizerJson: fixtureTokenizerJson('byte-bpe'), tokenizerConfig: { eos_token: '<|im_end|>', bos_token: '<|endoftext|>', chat_template } });

const MESSAGES = [{ role: 'user' as const, content: 'Hi' }, { role: 'assistant' as const, content: 'Hello' }];

function expectLimit(f: () => unknown, message: RegExp): void {
  const t0 = performance.now();
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(TemplateLimitError);
  expect((error as Error).message).toMatch(message);
  expect(performance.now() - t0).toBeLessThan(RENDER_MS + 1500);
}

describe('bounded chat template rendering', () => {
  it('range(100000000) is refused at once, naming tokenizer_config.json', async () => {
    const tok = await withTemplate('{% for i in range(100000000) %}x{% endfor %}{{ messages[0].content }}');
    expectLimit(() => tok.applyTemplate(MESSAGES), /^the chat template in tokenizer_config\.json asked for range\(\) of 100,000,000 items/);
  });

  it('an endless-feeling loop (10⁸ iterations of small ranges) is stopped by the time limit', async () => {
    const tok = await withTemplate('{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}');
    expectLimit(() => tok.applyTemplate(MESSAGES), /^the chat template in tokenizer_config\.json ran for more than 2 s and was stopped/);
  });

  it('output that doubles without end is stopped by the size limit', async () => {
    const tok = await withTemplate('{% set ns = namespace(s="ab") %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}');
    expectLimit(() => tok.applyTemplate(MESSAGES), /^the chat template in tokenizer_config\.json produced more than [\d,]+ characters/);
  });

  it('a chosen template is named as such; the label builder lets the error through (not one failure per example)', async () => {
    const tok = await withTemplate('{{ messages[0].content }}');
    expectLimit(() => tok.applyTemplate(MESSAGES, { template: '{% for i in range(100000000) %}{% endfor %}' }), /^the chosen chat template asked for range\(\)/);
    const bad = await withTemplate('{% for i in range(100000000) %}{% endfor %}');
    expectLimit(() => buildLabels(bad, { kind: 'chat', messages: MESSAGES }, { mode: 'assistant-only', trainEos: true }), /tokenizer_config\.json/);
  });

  it('ordinary templates render exactly as transformers.js apply_chat_template does, range() included', async () => {
    const { PreTrainedTokenizer } = await import('@huggingface/transformers');
    for (const template of [
      "{% for m in messages %}{{ m.role }}:{{ m.content }}{% for i in range(2) %}.{% endfor %}\n{% endfor %}{{ eos_token }}",
      getPreset('chatml')!.template,
      chatTemplate('llama3.1'),
    ]) {
      const tok = await withTemplate(template);
      const hf = new PreTrainedTokenizer(fixtureTokenizerJson('byte-bpe'), { eos_token: '<|im_end|>', bos_token: '<|endoftext|>', chat_template: template });
      for (const addGenerationPrompt of [false, true])
        expect(tok.applyTemplate(MESSAGES, { addGenerationPrompt })).toBe(hf.apply_chat_template(MESSAGES, { tokenize: false, add_generation_prompt: addGenerationPrompt }));
    }
  });

  it('str.strip/lstrip/rstrip(chars) trim only those characters, as Python does (Qwen3 and SmolLM3 call lstrip("\\n"))', () => {
    const r = (t: string) => renderBounded(t, {}, 'test');
    expect(r("[{{ ' 4 '.lstrip('\\n') }}]")).toBe('[ 4 ]');
    expect(r("[{{ '\\n 4 \\n'.strip('\\n') }}]")).toBe('[ 4 ]');
    expect(r("[{{ '\\n 4 \\n'.rstrip('\\n') }}]")).toBe('[\n 4 ]');
    expect(r("[{{ 'xyx4 yx'.strip('xy') }}]")).toBe('[4 ]');
    // No argument, or None: whitespace, as before.
    expect(r("[{{ ' 4 \\n'.strip() }}|{{ ' 4 '.lstrip(none) }}|{{ ' 4 '.rstrip() }}]")).toBe('[4|4 | 4]');
  });
});
