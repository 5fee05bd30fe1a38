/** Field readers with precise error messages, shared by every row format. */
import type { Role, Split, Turn } from '../types.ts';
import { MAX_TEXT_LENGTH, RowProblem } from './model.ts';

export type Obj = Record<string, unknown>;

export interface ReadContext {
  /** CSV rows: every value is text and nested structures are JSON text. */
  csv: boolean;
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

export function checkLength(what: string, s: string): string {
  if (s.length > MAX_TEXT_LENGTH)
    throw new RowProblem(`${what} is ${s.length.toLocaleString('en-US')} characters long (limit ${MAX_TEXT_LENGTH.toLocaleString('en-US')})`);
  return s;
}

function field(ctx: ReadContext, key: string): string {
  return `${ctx.csv ? 'column' : 'field'} "${key}"`;
}

/** A required, non-blank text field. */
export function requiredText(obj: Obj, key: string, ctx: ReadContext): string {
  const v = obj[key];
  if (v === undefined) throw new RowProblem(`missing ${field(ctx, key)}`);
  if (typeof v !== 'string') throw new RowProblem(`${field(ctx, key)} must be text, got ${typeName(v)}`);
  if (v.trim() === '') throw new RowProblem(`${field(ctx, key)} is empty`);
  return checkLength(field(ctx, key), v);
}

/** An optional text field: absent or null → undefined; present → any string (may be empty). */
export function optionalText(obj: Obj, key: string, ctx: ReadContext): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new RowProblem(`${field(ctx, key)} must be text, got ${typeName(v)}`);
  return checkLength(field(ctx, key), v);
}

/** A field holding a list/object; in CSV it is JSON text (an empty cell counts as absent). */
export function structured(obj: Obj, key: string, ctx: ReadContext): unknown {
  const v = obj[key];
  if (!ctx.csv || typeof v !== 'string') return v === null ? undefined : v;
  if (v.trim() === '') return undefined;
  try {
    return JSON.parse(v) as unknown;
  } catch (e) {
    throw new RowProblem(`${field(ctx, key)} is not valid JSON: ${(e as Error).message}`);
  }
}

export function parseSplit(v: unknown, what: string): Split {
  const s = typeof v === 'string' ? v.trim().toLowerCase() : v;
  if (s === 'train') return 'train';
  if (s === 'validation' || s === 'valid' || s === 'val' || s === 'dev' || s === 'eval') return 'validation';
  throw new RowProblem(`${what} must be "train" or "validation", got ${JSON.stringify(v)}`);
}

export function parseTags(v: unknown, what: string): string[] {
  if (Array.isArray(v)) {
    if (!v.every((t) => typeof t === 'string')) throw new RowProblem(`${what} must be a list of strings`);
    return v.map((t) => t.trim()).filter((t) => t !== '');
  }
  if (typeof v === 'string') return v.split(/[,;|]/).map((t) => t.trim()).filter((t) => t !== '');
  throw new RowProblem(`${what} must be a list of strings or comma-separated text, got ${typeName(v)}`);
}

/** A conversation must be: optional system first, then user/assistant alternating, ending with an assistant reply. */
export function checkChat(messages: Turn[]): Turn[] {
  if (messages.length === 0) throw new RowProblem('the conversation has no messages');
  messages.forEach((m, i) => {
    const turn = `turn ${i + 1}`;
    if (m.content.trim() === '') throw new RowProblem(m.role === 'system' ? `the system message (${turn}) is empty` : `${m.role} ${turn} is empty`);
    checkLength(`${turn}`, m.content);
    if (m.role === 'system') {
      if (i !== 0) throw new RowProblem(`roles out of order: a system message may only come first, found one at ${turn}`);
      return;
    }
    if (m.weight !== undefined && m.role !== 'assistant') throw new RowProblem(`${turn}: a weight is only allowed on assistant messages`);
    if (m.reasoning !== undefined) {
      if (m.role !== 'assistant') throw new RowProblem(`${turn}: reasoning is only allowed on assistant messages`);
      checkLength(`${turn} reasoning`, m.reasoning);
    }
    const prev = i > 0 ? messages[i - 1].role : 'system';
    if (prev === 'system' && m.role !== 'user') throw new RowProblem(`roles out of order: the conversation must start with a user message, ${turn} is ${m.role}`);
    if (prev === m.role) throw new RowProblem(`roles out of order: ${turn} is a second ${m.role} message in a row`);
  });
  const last = messages[messages.length - 1];
  if (last.role !== 'assistant') throw new RowProblem(`the conversation ends with a ${last.role} message: there is no assistant reply to train on`);
  return messages;
}

export function parseWeight(v: unknown, turn: number): 0 | 1 | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === 0 || v === 1) return v;
  throw new RowProblem(`turn ${turn}: weight must be 0 or 1, got ${JSON.stringify(v)}`);
}

/**
 * Message keys an assistant's reasoning trace is read from, most preferred first (the first holding non-empty text
 * wins). Exporters write it back under the key it came from, `reasoning_content` for reasoning added in the studio.
 */
export const REASONING_KEYS = ['reasoning_content', 'reasoning', 'thinking'] as const;

/** The reasoning key an imported assistant message's reasoning came from, as its `extra` records it (see readMessages). */
export function reasoningKeyOf(extra: Obj | undefined): string | undefined {
  return REASONING_KEYS.find((k) => typeof extra?.[k] === 'string' && extra[k] !== '');
}

export interface MessageShape {
  roleKeys: string[];
  contentKeys: string[];
  roles: Record<string, Role>;
  /** The spelling our exporter writes for each role; any other spelling is kept in the turn's extra. */
  canonical: Record<Role, string>;
  /** Accept OpenAI content-part arrays ([{type: 'text', text}]). */
  parts?: boolean;
}

/**
 * Read a list of message objects. Keys we do not model (name, an unusual role spelling, content split into parts)
 * go into the turn's `extra` so exporters can put them back. An assistant message's reasoning (REASONING_KEYS) becomes
 * the turn's `reasoning`; unless it came from a lone `reasoning_content`, its key also stays in `extra`, which is how
 * the exporter knows the spelling to write it back under.
 */
export function readMessages(list: unknown, what: string, shape: MessageShape): Turn[] {
  if (!Array.isArray(list)) throw new RowProblem(`${what} must be a list of messages, got ${typeName(list)}`);
  const messages: Turn[] = [];
  list.forEach((m, i) => {
    const turn = i + 1;
    if (!isObj(m)) throw new RowProblem(`${what}: turn ${turn} must be an object, got ${typeName(m)}`);
    const roleKey = shape.roleKeys.find((k) => k in m);
    const contentKey = shape.contentKeys.find((k) => k in m);
    if (!roleKey) throw new RowProblem(`${what}: turn ${turn} has no "${shape.roleKeys[0]}"`);
    if (!contentKey) throw new RowProblem(`${what}: turn ${turn} has no "${shape.contentKeys[0]}"`);
    const rawRole = m[roleKey];
    const role = typeof rawRole === 'string' ? shape.roles[rawRole.toLowerCase()] : undefined;
    if (!role) throw new RowProblem(`${what}: turn ${turn} has unsupported role ${JSON.stringify(rawRole)}`);
    const extra: Obj = {};
    for (const [k, v] of Object.entries(m)) if (k !== roleKey && k !== contentKey && k !== 'weight') extra[k] = v;
    if (rawRole !== shape.canonical[role] && rawRole !== role) extra[roleKey] = rawRole; // e.g. 'developer', 'chatgpt'
    let content = m[contentKey];
    if (shape.parts && Array.isArray(content)) {
      const parts = content;
      for (const p of parts)
        if (!isObj(p) || p.type !== 'text' || typeof p.text !== 'string')
          throw new RowProblem(`${what}: turn ${turn} has a non-text content part (${isObj(p) ? JSON.stringify(p.type) : typeName(p)}); only text is supported`);
      content = parts.map((p) => (p as { text: string }).text).join('');
      extra.content = parts;
    }
    if (content === null) content = '';
    if (typeof content !== 'string') throw new RowProblem(`${what}: turn ${turn} content must be text, got ${typeName(content)}`);
    const msg: Turn = { role, content };
    const weight = parseWeight(m.weight, turn);
    if (weight !== undefined) msg.weight = weight;
    const reasoningKey = role === 'assistant' ? reasoningKeyOf(m) : undefined;
    if (reasoningKey) {
      msg.reasoning = checkLength(`${what}: turn ${turn} ${reasoningKey}`, m[reasoningKey] as string);
      if (reasoningKey === 'reasoning_content' && REASONING_KEYS.every((k) => k === reasoningKey || !(k in m))) delete extra[reasoningKey];
    }
    if (Object.keys(extra).length) msg.extra = extra;
    messages.push(msg);
  });
  return messages;
}
