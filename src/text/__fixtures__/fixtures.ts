/**
 * Test helpers: the generated tokenizer fixtures (see build-tokenizers.ts) and the real-world chat templates in
 * src/data/__fixtures__/templates, combined into small "models". Node only (reads files).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTokenizer, type StudioTokenizer } from '../tokenizer.ts';

const here = dirname(fileURLToPath(import.meta.url));

export type TokenizerKind = 'byte-bpe' | 'sp-bpe';

/** Directory holding tokenizer.json + tokenizer_config.json for a fixture (usable as a CLI --model dir). */
export function fixtureModelDir(kind: TokenizerKind): string {
  return join(here, kind);
}

export function fixtureTokenizerJson(kind: TokenizerKind): Record<string, unknown> {
  return JSON.parse(readFileSync(join(here, kind, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
}

export function chatTemplate(name: ChatTemplateName): string {
  return readFileSync(join(here, '../../data/__fixtures__/templates', `${name}.jinja`), 'utf8');
}

export type ChatTemplateName = 'smollm2' | 'qwen2.5' | 'llama3' | 'llama3.1' | 'mistral' | 'gemma';

/** Special-token settings of the real model families each template comes from. */
export const MODEL_TOKENS: Record<ChatTemplateName, { bos_token: string | null; eos_token: string; pad_token?: string }> = {
  smollm2: { bos_token: '<|endoftext|>', eos_token: '<|im_end|>', pad_token: '<|endoftext|>' },
  'qwen2.5': { bos_token: null, eos_token: '<|im_end|>', pad_token: '<|endoftext|>' },
  llama3: { bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>' },
  'llama3.1': { bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>' },
  mistral: { bos_token: '<s>', eos_token: '</s>' },
  gemma: { bos_token: '<bos>', eos_token: '<eos>', pad_token: '<pad>' },
};

/** A tokenizer with the given template as its chat template (or none), and the named family's special tokens. */
export function fixtureTokenizer(
  opts: { kind?: TokenizerKind; model?: ChatTemplateName; template?: string | null; config?: Record<string, unknown> } = {},
): Promise<StudioTokenizer> {
  const model = opts.model ?? 'smollm2';
  const template = opts.template === undefined ? chatTemplate(model) : opts.template;
  const config: Record<string, unknown> = { ...MODEL_TOKENS[model], ...(template === null ? {} : { chat_template: template }), ...opts.config };
  return loadTokenizer({ tokenizerJson: fixtureTokenizerJson(opts.kind ?? 'byte-bpe'), tokenizerConfig: config });
}
