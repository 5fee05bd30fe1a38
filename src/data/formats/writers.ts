/**
 * Example → row object for each format. What the format cannot hold goes into the `studio` field (see studio.ts);
 * what cannot be written at all (a multi-turn chat as Dolly, a text document as Alpaca) is reported by
 * `exportProblem` and refused by `writeRecord`.
 */
import { pairUserText, type ChatBody, type Example, type PairBody, type Turn } from '../types.ts';
import type { Obj } from './fields.ts';
import type { Container, FormatId } from './model.ts';
import { OPENAI_SHAPE, SHAREGPT_SHAPE, TRL_SHAPE } from './readers.ts';
import { reasoningKeyOf, type MessageShape } from './fields.ts';
import { STUDIO_KEY, type StudioMeta } from './studio.ts';

export type ExportExample = Pick<Example, 'body' | 'tags' | 'split' | 'notes' | 'extra'>;

const FORMAT_NAMES: Record<FormatId, string> = {
  alpaca: 'Alpaca',
  sharegpt: 'ShareGPT',
  openai: 'OpenAI chat',
  'trl-prompt-completion': 'TRL prompt/completion',
  'trl-conversational': 'TRL conversational',
  dolly: 'Dolly',
  text: 'plain text',
  columns: 'columns',
};

const PAIR_SHAPED: FormatId[] = ['dolly', 'trl-prompt-completion', 'columns'];

/** [system?] user assistant — the only chats a pair-shaped format can hold. */
function singleExchange(chat: ChatBody): { system?: Turn; user: Turn; assistant: Turn } | null {
  const ms = chat.messages;
  const sys = ms[0]?.role === 'system' ? ms[0] : undefined;
  const rest = sys ? ms.slice(1) : ms;
  if (rest.length !== 2 || rest[0].role !== 'user' || rest[1].role !== 'assistant') return null;
  return { system: sys, user: rest[0], assistant: rest[1] };
}

function alternates(chat: ChatBody): boolean {
  const ms = chat.messages[0]?.role === 'system' ? chat.messages.slice(1) : chat.messages;
  return ms.length >= 2 && ms.length % 2 === 0 && ms.every((m, i) => m.role === (i % 2 === 0 ? 'user' : 'assistant'));
}

/** Why this example cannot be written in this format, or null when it can. */
export function exportProblem(ex: ExportExample, format: FormatId): string | null {
  const name = FORMAT_NAMES[format];
  const { body } = ex;
  if (format === 'text') return body.kind === 'text' ? null : `only plain text examples can be written as ${name} (this one is ${body.kind === 'pair' ? 'an instruction pair' : 'a chat'})`;
  if (body.kind === 'text') return format === 'columns' ? null : `a plain text example cannot be written as ${name}`;
  if (body.kind === 'chat') {
    if (format === 'alpaca' && !alternates(body)) return `${name} needs alternating user/assistant turns after an optional system message`;
    if (PAIR_SHAPED.includes(format) && !singleExchange(body)) return `${name} holds one instruction and one response; this conversation has ${body.messages.length} messages`;
  }
  return null;
}

const RESERVED_TURN_KEYS = new Set(['role', 'from', 'content', 'value', 'weight']);

function writeMessages(messages: Turn[], shape: MessageShape, roleKey: string, contentKey: string): Obj[] {
  return messages.map((m) => {
    const extra = m.extra ?? {};
    const spelled = extra[roleKey];
    const role = typeof spelled === 'string' && shape.roles[spelled.toLowerCase()] === m.role ? spelled : shape.canonical[m.role];
    const parts = extra.content;
    const partsMatch =
      shape.parts && Array.isArray(parts) && parts.map((p) => (p as { text?: unknown }).text).join('') === m.content;
    const out: Obj = { [roleKey]: role, [contentKey]: partsMatch ? parts : m.content };
    if (m.weight !== undefined) out.weight = m.weight;
    // Reasoning goes back under the key it was read from (its copy in extra; dropped if the reasoning was removed).
    const readFrom = m.role === 'assistant' ? reasoningKeyOf(extra) : undefined;
    if (m.reasoning !== undefined) out[readFrom ?? 'reasoning_content'] = m.reasoning;
    for (const [k, v] of Object.entries(extra)) if (!RESERVED_TURN_KEYS.has(k) && k !== readFrom && !(k in out)) out[k] = v;
    return out;
  });
}

/** Weights, reasoning and per-message source keys, for formats whose messages cannot hold them. */
function carryTurns(messages: Turn[], meta: StudioMeta): void {
  if (messages.some((m) => m.weight !== undefined)) meta.weights = messages.map((m) => m.weight ?? null);
  if (messages.some((m) => m.reasoning !== undefined)) meta.reasoning = messages.map((m) => m.reasoning ?? null);
  if (messages.some((m) => m.extra && Object.keys(m.extra).length)) meta.turns = messages.map((m) => m.extra ?? null);
}

function pairAsMessages(p: PairBody): Turn[] {
  const ms: Turn[] = p.system ? [{ role: 'system', content: p.system }] : [];
  ms.push({ role: 'user', content: pairUserText(p) }, { role: 'assistant', content: p.output });
  return ms;
}

function pairMeta(p: PairBody): NonNullable<StudioMeta['pair']> {
  return p.system === undefined ? { instruction: p.instruction, input: p.input } : { instruction: p.instruction, input: p.input, system: p.system };
}

/** The native fields of the row, and the extra keys they used up. */
function nativeFields(ex: ExportExample, format: FormatId, container: Container, meta: StudioMeta): { rec: Obj; used: string[] } {
  const { body } = ex;
  const csvBlankSystem = (p: PairBody) => container === 'csv' && p.system === '';
  const chatLike = (shape: MessageShape, listKey: string, roleKey: string, contentKey: string): Obj => {
    let messages: Turn[];
    if (body.kind === 'pair') {
      messages = pairAsMessages(body);
      meta.pair = pairMeta(body);
    } else messages = (body as ChatBody).messages;
    return { [listKey]: writeMessages(messages, shape, roleKey, contentKey) };
  };
  switch (format) {
    case 'sharegpt':
      return { rec: chatLike(SHAREGPT_SHAPE, 'conversations', 'from', 'value'), used: [] };
    case 'openai':
      return { rec: chatLike(OPENAI_SHAPE, 'messages', 'role', 'content'), used: [] };
    case 'trl-conversational': {
      const { messages } = chatLike(TRL_SHAPE, 'messages', 'role', 'content') as { messages: Obj[] };
      const roles = messages.map((m) => m.role);
      const cut = Math.max(...roles.map((r, i) => (r !== 'assistant' ? i + 1 : 0)));
      return { rec: { prompt: messages.slice(0, cut), completion: messages.slice(cut) }, used: [] };
    }
    case 'text':
      return { rec: { text: (body as { text: string }).text }, used: [] };
    default:
      break;
  }
  // Pair-shaped formats (alpaca, dolly, trl-prompt-completion, columns).
  if (body.kind === 'text') return { rec: { text: body.text, tags: tagsCell(ex.tags), split: ex.split }, used: [] };
  let pair: PairBody;
  let history: [string, string][] = [];
  if (body.kind === 'chat') {
    carryTurns(body.messages, meta);
    const sys = body.messages[0]?.role === 'system' ? body.messages[0] : undefined;
    const rest = sys ? body.messages.slice(1) : body.messages;
    for (let i = 0; i + 3 < rest.length; i += 2) history.push([rest[i].content, rest[i + 1].content]);
    if (history.length === 0) meta.kind = 'chat';
    pair = { kind: 'pair', instruction: rest[rest.length - 2].content, input: '', output: rest[rest.length - 1].content };
    if (sys) pair.system = sys.content;
    history = format === 'alpaca' ? history : [];
  } else pair = body;
  switch (format) {
    case 'alpaca': {
      const rec: Obj = { instruction: pair.instruction, input: pair.input, output: pair.output };
      if (pair.system !== undefined) rec.system = pair.system;
      if (csvBlankSystem(pair)) meta.system = '';
      if (history.length) rec.history = history;
      return { rec, used: [] };
    }
    case 'dolly': {
      if (pair.system !== undefined) meta.system = pair.system;
      const rec: Obj = { instruction: pair.instruction, context: pair.input, response: pair.output };
      if (ex.extra && typeof ex.extra.category === 'string') rec.category = ex.extra.category;
      return { rec, used: ['category'] };
    }
    case 'trl-prompt-completion':
      if (pair.system !== undefined) meta.system = pair.system;
      if (pair.input !== '') meta.pair = { instruction: pair.instruction, input: pair.input };
      return { rec: { prompt: pairUserText(pair), completion: pair.output }, used: [] };
    default: {
      const rec: Obj = { instruction: pair.instruction, input: pair.input, output: pair.output };
      if (pair.system !== undefined) rec.system = pair.system;
      if (csvBlankSystem(pair)) meta.system = '';
      rec.tags = tagsCell(ex.tags);
      rec.split = ex.split;
      return { rec, used: [] };
    }
  }
}

/** Tags as one cell: comma-separated, or a JSON list when a tag itself contains a separator. */
function tagsCell(tags: string[]): string | string[] {
  return tags.some((t) => /[,;|]/.test(t)) ? tags : tags.join(', ');
}

/** The tags a reader derives by itself (so they need not be repeated in the studio field). */
function derivedTags(rec: Obj, format: FormatId): string[] {
  if (format === 'dolly' && typeof rec.category === 'string' && rec.category.trim()) return [rec.category.trim()];
  return [];
}

export function writeRecord(ex: ExportExample, format: FormatId, container: Container): Obj {
  const problem = exportProblem(ex, format);
  if (problem) throw new Error(problem);
  const meta: StudioMeta = {};
  const { rec, used } = nativeFields(ex, format, container, meta);
  if (format !== 'columns') {
    const derived = derivedTags(rec, format);
    if (ex.tags.length !== derived.length || ex.tags.some((t, i) => t !== derived[i])) meta.tags = [...ex.tags];
    meta.split = ex.split;
  }
  if (ex.notes) meta.notes = ex.notes;
  for (const [k, v] of Object.entries(ex.extra ?? {})) {
    if (used.includes(k)) continue;
    if (k in rec || k === STUDIO_KEY || (container === 'csv' && typeof v !== 'string')) (meta.extra ??= {})[k] = v;
    else rec[k] = v;
  }
  if (Object.keys(meta).length) rec[STUDIO_KEY] = meta;
  return rec;
}

