/**
 * What a generation is fed and where it stops — one definition for the CLI, the Worker (playground) and everything
 * else that generates, so the same prompt gives the same ids everywhere and a chat model stops at the end of its turn.
 *
 * Prompt ids follow Python transformers: raw text is `tokenizer(text)`, i.e. encoded WITH the tokenizer's own special
 * tokens (whatever its post-processor adds: Gemma's <bos>, Llama's <|begin_of_text|>, nothing for GPT-2/Qwen); a chat
 * is `apply_chat_template(messages, add_generation_prompt=True)`, whose text already carries the template's
 * markers (and BOS when the template writes it), so it is encoded WITHOUT adding special tokens again.
 *
 * The stop set is what Python's `generate()` stops at (generation_config.json's eos_token_id, else config.json's)
 * plus the tokenizer's EOS (the label builder appends it to text examples) plus, for chats, the template's
 * end-of-turn token: exactly the token(s) the label builder trains after each assistant turn when `trainEos` is on,
 * found by asking the label builder itself, so what the model learns to emit is what stops it.
 */
import type { StudioTokenizer } from './tokenizer.ts';
import type { Turn } from '../data/types.ts';
import { buildLabels, IGNORE_INDEX } from '../data/labels.ts';
import { resolveTemplate } from '../data/templates.ts';
import { parseGenerationConfig } from '../engine/io/generationConfig.ts';

export interface TextPrompt {
  kind: 'text';
  text: string;
}

export interface ChatPrompt {
  kind: 'chat';
  /** The conversation so far (an optional system message first); the reply is generated after it. */
  messages: Turn[];
  /** A template preset id (chatml, llama3, …) or a Jinja template; default: the tokenizer's chat_template. */
  template?: string;
  /** Extra template variables (e.g. Qwen3's `enable_thinking: false`). */
  variables?: Record<string, unknown>;
}

export type Prompt = TextPrompt | ChatPrompt;

/** A chat prompt for one user message, with an optional system message (blank = none, as in the playground). */
export function chatPrompt(user: string, opts: { system?: string; template?: string } = {}): ChatPrompt {
  const system = opts.system?.trim() ? [{ role: 'system' as const, content: opts.system }] : [];
  const messages: Turn[] = [...system, { role: 'user', content: user }];
  return { kind: 'chat', messages, ...(opts.template !== undefined ? { template: opts.template } : {}) };
}

/** The Jinja template a chat prompt renders with: its own (a preset id resolved), else the tokenizer's. */
export function promptTemplate(tokenizer: StudioTokenizer, prompt: ChatPrompt): string {
  const template = prompt.template !== undefined ? resolveTemplate(prompt.template) : tokenizer.chatTemplate;
  if (!template) throw new Error('this tokenizer has no chat template: choose a template preset (chatml, llama3, …) or use a text prompt');
  return template;
}

/** The rendered chat text, ending with the generation prompt (what the model continues). */
export function renderChatPrompt(tokenizer: StudioTokenizer, prompt: ChatPrompt): string {
  return tokenizer.applyTemplate(prompt.messages, { template: promptTemplate(tokenizer, prompt), addGenerationPrompt: true, variables: prompt.variables });
}

/** The token ids to feed the model (see the file comment for the rule). */
export function promptIds(tokenizer: StudioTokenizer, prompt: Prompt): number[] {
  if (prompt.kind === 'text') return tokenizer.encode(prompt.text, { addSpecialTokens: true });
  return tokenizer.encode(renderChatPrompt(tokenizer, prompt), { addSpecialTokens: false });
}

const PROBE: Turn[] = [
  { role: 'user', content: 'Hi' },
  { role: 'assistant', content: 'Hello' },
  { role: 'user', content: 'Thanks' },
  { role: 'assistant', content: 'Bye' },
];

const endOfTurnCache = new WeakMap<StudioTokenizer, Map<string, number[]>>();

/**
 * The special token(s) that end an assistant turn in `template` (a preset id or Jinja; default: the tokenizer's):
 * the tokens the label builder trains after a response when `trainEos` is on and masks when it is off, on a small
 * probe conversation. Whitespace or plain-text closers are left out (stopping at "\n" would cut every answer).
 * Empty when the template cannot render the probe or closes turns with no special token.
 */
export function endOfTurnIds(tokenizer: StudioTokenizer, template?: string): number[] {
  const jinja = template !== undefined ? resolveTemplate(template) : tokenizer.chatTemplate;
  if (!jinja) return [];
  let byTemplate = endOfTurnCache.get(tokenizer);
  if (!byTemplate) endOfTurnCache.set(tokenizer, (byTemplate = new Map()));
  const cached = byTemplate.get(jinja);
  if (cached) return cached;
  const ids: number[] = [];
  try {
    const body = { kind: 'chat' as const, messages: PROBE };
    const withEos = buildLabels(tokenizer, body, { mode: 'assistant-only', trainEos: true, template: jinja });
    const withoutEos = buildLabels(tokenizer, body, { mode: 'assistant-only', trainEos: false, template: jinja });
    withEos.labels.forEach((label, t) => {
      if (label !== IGNORE_INDEX && withoutEos.labels[t] === IGNORE_INDEX && tokenizer.isSpecial(label) && !ids.includes(label)) ids.push(label);
    });
  } catch {
    // A template that cannot render a plain user/assistant exchange has no end-of-turn token we can name.
  }
  byTemplate.set(jinja, ids);
  return ids;
}

export interface StopSources {
  /** config.json's eos_token_id(s) (ModelConfig.eosTokenIds). */
  configEos?: readonly number[];
  /** generation_config.json as parsed JSON; null/undefined when the model has none. */
  generationConfig?: unknown;
}

/**
 * Token ids that end a generation for this prompt: generation_config.json's eos_token_id ∪ config.json's ∪ the
 * tokenizer's EOS ∪ (chats) the template's end-of-turn token. Throws a ModelFileError for a malformed
 * generation_config.json.
 */
export function stopTokenIds(tokenizer: StudioTokenizer, prompt: Prompt, sources: StopSources = {}): number[] {
  const ids = [
    ...parseGenerationConfig(sources.generationConfig).eosTokenIds,
    ...(sources.configEos ?? []),
    ...(tokenizer.eosId !== null ? [tokenizer.eosId] : []),
    ...(prompt.kind === 'chat' ? endOfTurnIds(tokenizer, promptTemplate(tokenizer, prompt)) : []),
  ];
  return [...new Set(ids)];
}
