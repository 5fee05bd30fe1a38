/**
 * The `studio` field: what a format cannot hold natively travels in one extra key so that export → import through
 * any format gives back the same examples. Standard tools ignore unknown keys, so the files stay usable elsewhere.
 *
 *   tags, split, notes   our example metadata (no public format has them)
 *   kind: 'chat'         a one-exchange chat written to a pair-shaped format (dolly, trl-prompt-completion, columns)
 *   pair                 an instruction pair written to a chat format: its instruction/input split and system
 *   system               a pair's system prompt where the format has no system field ('' = explicitly none)
 *   weights, reasoning,  per-message weights / reasoning traces / source keys for formats whose messages cannot
 *   turns                hold them
 *   extra                source keys that collide with the format's own, or non-text values in CSV
 */
import { pairUserText, type ChatBody, type ExampleBody, type Split, type Turn } from '../types.ts';
import { isObj, parseSplit, parseTags, parseWeight, structured, typeName, type Obj, type ReadContext } from './fields.ts';
import { RowProblem } from './model.ts';

export const STUDIO_KEY = 'studio';

export interface StudioMeta {
  tags?: string[];
  split?: Split;
  notes?: string;
  kind?: 'chat';
  pair?: { instruction: string; input: string; system?: string };
  system?: string;
  weights?: (0 | 1 | null)[];
  reasoning?: (string | null)[];
  turns?: (Obj | null)[];
  extra?: Obj;
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new RowProblem(`${what} must be text, got ${typeName(v)}`);
  return v;
}

export function readStudio(obj: Obj, ctx: ReadContext): StudioMeta {
  const v = structured(obj, STUDIO_KEY, ctx);
  if (v === undefined) return {};
  if (!isObj(v)) throw new RowProblem(`field "studio" must be an object, got ${typeName(v)}`);
  const meta: StudioMeta = {};
  if (v.tags !== undefined) meta.tags = parseTags(v.tags, 'studio.tags');
  if (v.split !== undefined) meta.split = parseSplit(v.split, 'studio.split');
  if (v.notes !== undefined) meta.notes = str(v.notes, 'studio.notes');
  if (v.kind !== undefined) {
    if (v.kind !== 'chat') throw new RowProblem(`studio.kind must be "chat", got ${JSON.stringify(v.kind)}`);
    meta.kind = 'chat';
  }
  if (v.pair !== undefined) {
    if (!isObj(v.pair)) throw new RowProblem('studio.pair must be an object');
    meta.pair = { instruction: str(v.pair.instruction, 'studio.pair.instruction'), input: str(v.pair.input ?? '', 'studio.pair.input') };
    if (v.pair.system !== undefined) meta.pair.system = str(v.pair.system, 'studio.pair.system');
  }
  if (v.system !== undefined) meta.system = str(v.system, 'studio.system');
  if (v.weights !== undefined) {
    if (!Array.isArray(v.weights)) throw new RowProblem('studio.weights must be a list');
    meta.weights = v.weights.map((w, i) => parseWeight(w, i + 1) ?? null);
  }
  if (v.reasoning !== undefined) {
    if (!Array.isArray(v.reasoning) || !v.reasoning.every((r) => r === null || typeof r === 'string'))
      throw new RowProblem('studio.reasoning must be a list of texts or nulls');
    meta.reasoning = v.reasoning as (string | null)[];
  }
  if (v.turns !== undefined) {
    if (!Array.isArray(v.turns) || !v.turns.every((t) => t === null || isObj(t))) throw new RowProblem('studio.turns must be a list of objects or nulls');
    meta.turns = v.turns as (Obj | null)[];
  }
  if (v.extra !== undefined) {
    if (!isObj(v.extra)) throw new RowProblem('studio.extra must be an object');
    meta.extra = v.extra;
  }
  return meta;
}

function perMessage<T>(list: T[] | undefined, messages: Turn[], what: string, apply: (m: Turn, v: T) => void): void {
  if (!list) return;
  if (list.length !== messages.length) throw new RowProblem(`studio.${what} has ${list.length} entries but the conversation has ${messages.length} messages`);
  list.forEach((v, i) => apply(messages[i], v));
}

/** Put back what the studio field carried. */
export function applyStudio(body: ExampleBody, meta: StudioMeta): ExampleBody {
  if (body.kind === 'pair' && meta.system !== undefined) body = { ...body, system: meta.system };
  if (body.kind === 'pair' && meta.pair && body.input === '' && body.instruction === pairUserText(meta.pair))
    body = { ...body, instruction: meta.pair.instruction, input: meta.pair.input };
  if (body.kind === 'pair' && meta.kind === 'chat') {
    const messages: Turn[] = body.system ? [{ role: 'system', content: body.system }] : [];
    messages.push({ role: 'user', content: pairUserText(body) }, { role: 'assistant', content: body.output });
    body = { kind: 'chat', messages };
  }
  if (body.kind === 'chat' && meta.pair) body = chatToPair(body, meta.pair) ?? body;
  if (body.kind === 'chat') {
    const messages = body.messages.map((m) => ({ ...m }));
    perMessage(meta.weights, messages, 'weights', (m, w) => {
      if (w !== null) m.weight = w;
    });
    perMessage(meta.reasoning, messages, 'reasoning', (m, r) => {
      if (r === null || r === '') return;
      if (m.role !== 'assistant') throw new RowProblem(`studio.reasoning gives reasoning for a ${m.role} message; only assistant messages have it`);
      m.reasoning = r;
    });
    perMessage(meta.turns, messages, 'turns', (m, t) => {
      if (t) m.extra = { ...m.extra, ...t };
    });
    body = { kind: 'chat', messages };
  }
  return body;
}

/** A chat that is exactly what `pair` rendered to becomes that pair again (if it was edited since, it stays a chat). */
function chatToPair(body: ChatBody, pair: NonNullable<StudioMeta['pair']>): ExampleBody | null {
  const ms = body.messages;
  const sys = ms[0]?.role === 'system' ? ms[0] : null;
  const rest = sys ? ms.slice(1) : ms;
  if (rest.length !== 2 || rest[0].role !== 'user' || rest[1].role !== 'assistant') return null;
  if (rest[0].content !== pairUserText(pair) || (sys?.content ?? '') !== (pair.system ?? '')) return null;
  const out: ExampleBody = { kind: 'pair', instruction: pair.instruction, input: pair.input, output: rest[1].content };
  if (pair.system !== undefined) out.system = pair.system;
  return out;
}
