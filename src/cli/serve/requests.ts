/**
 * Request bodies of `POST /v1/chat/completions` and `POST /v1/completions`, checked field by field: a malformed
 * request is a 400 that names the field and says what was expected, never a crash or a silently ignored value.
 * Fields OpenAI defines that we cannot honour with a non-default value (n > 1, logprobs, tools, echo, suffix) are
 * refused rather than ignored; fields that do not change the output (user, metadata, penalties at 0, …) are accepted.
 * Defaults follow OpenAI: temperature 1, top_p 1, no seed (a fresh random one per request), max_tokens = the rest of
 * the context. vLLM's extensions `top_k` and `ignore_eos` are accepted too.
 */
import type { Turn } from '../../data/types.ts';
import { badRequest } from './errors.ts';

export interface SamplingRequest {
  model: string;
  stream: boolean;
  /** stream_options.include_usage: a last chunk with the token counts. */
  includeUsage: boolean;
  temperature: number;
  topP: number;
  /** 0 = off. */
  topK: number;
  /** null = up to the end of the context. */
  maxTokens: number | null;
  stop: string[];
  /** 32-bit; null = random. */
  seed: number | null;
  /** vLLM's ignore_eos: generate max_tokens tokens whatever the model says (benchmarks). */
  ignoreEos: boolean;
}

export interface ChatRequest extends SamplingRequest {
  kind: 'chat';
  messages: Turn[];
}

export interface CompletionRequest extends SamplingRequest {
  kind: 'completion';
  /** Text, or token ids (OpenAI accepts both). */
  prompt: string | number[];
}

export type GenerationRequest = ChatRequest | CompletionRequest;

type Json = Record<string, unknown>;
const ROLES = ['system', 'user', 'assistant', 'developer'] as const;
const MAX_STOPS = 4;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : typeof v === 'object' ? 'an object' : String(v));

function numberField(body: Json, name: string, fallback: number, min: number, max: number): number {
  const v = body[name];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw badRequest(`${name} must be a number from ${min} to ${max}, got ${describe(v)}`, name);
  return v;
}

function intField(body: Json, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | null {
  const v = body[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw badRequest(`${name} must be an integer ≥ ${min}${max < Number.MAX_SAFE_INTEGER ? ` and ≤ ${max}` : ''}, got ${describe(v)}`, name);
  return v;
}

function refuse(body: Json, name: string, ok: (v: unknown) => boolean, why: string): void {
  const v = body[name];
  if (v !== undefined && v !== null && !ok(v)) throw badRequest(`${name}: ${why}`, name);
}

function stopField(body: Json): string[] {
  const v = body.stop;
  if (v === undefined || v === null) return [];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string' && s.length > 0))
    throw badRequest(`stop must be a non-empty string or an array of them, got ${describe(v)}`, 'stop');
  if (list.length > MAX_STOPS) throw badRequest(`stop takes at most ${MAX_STOPS} strings, got ${list.length}`, 'stop');
  return list as string[];
}

function sampling(body: Json): SamplingRequest {
  const model = body.model;
  if (typeof model !== 'string' || !model) throw badRequest(`model must be a model name (see GET /v1/models), got ${describe(model)}`, 'model');
  const stream = body.stream ?? false;
  if (typeof stream !== 'boolean') throw badRequest(`stream must be true or false, got ${describe(stream)}`, 'stream');
  const options = body.stream_options;
  if (options !== undefined && options !== null && !isObject(options)) throw badRequest('stream_options must be an object', 'stream_options');
  const includeUsage = isObject(options) && options.include_usage === true;
  refuse(body, 'n', (n) => n === 1, 'only n = 1 is supported');
  refuse(body, 'best_of', (n) => n === 1, 'only best_of = 1 is supported');
  refuse(body, 'logprobs', (v) => v === false, 'log probabilities are not supported');
  refuse(body, 'top_logprobs', (v) => v === 0, 'log probabilities are not supported');
  refuse(body, 'tools', (v) => Array.isArray(v) && v.length === 0, 'tool calls are not supported');
  refuse(body, 'echo', (v) => v === false, 'echo is not supported');
  refuse(body, 'suffix', (v) => v === '', 'suffix (insertion) is not supported');
  for (const p of ['frequency_penalty', 'presence_penalty']) refuse(body, p, (v) => v === 0, 'penalties are not supported (only 0)');
  const topK = intField(body, 'top_k', -1) ?? 0;
  const seed = intField(body, 'seed', Number.MIN_SAFE_INTEGER);
  const maxTokens = intField(body, 'max_completion_tokens', 1) ?? intField(body, 'max_tokens', 1);
  const ignoreEos = body.ignore_eos ?? false;
  if (typeof ignoreEos !== 'boolean') throw badRequest(`ignore_eos must be true or false, got ${describe(ignoreEos)}`, 'ignore_eos');
  return {
    model, stream, includeUsage,
    temperature: numberField(body, 'temperature', 1, 0, 2),
    topP: numberField(body, 'top_p', 1, 0, 1),
    topK: Math.max(0, topK),
    maxTokens,
    stop: stopField(body),
    // Any integer, folded to the 32 bits every seed in the studio has.
    seed: seed === null ? null : Number(BigInt.asUintN(32, BigInt(seed))),
    ignoreEos,
  };
}

/** A message's content: a string, or OpenAI's array of parts of which only text parts are understood. */
function messageContent(v: unknown, at: string): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    return v.map((part, k) => {
      if (isObject(part) && part.type === 'text' && typeof part.text === 'string') return part.text;
      throw badRequest(`${at}.content[${k}]: only text parts ({"type": "text", "text": "..."}) are supported`, 'messages');
    }).join('');
  }
  throw badRequest(`${at}.content must be a string or an array of text parts, got ${describe(v)}`, 'messages');
}

export function parseChatRequest(body: unknown): ChatRequest {
  if (!isObject(body)) throw badRequest('the request body must be a JSON object');
  const base = sampling(body);
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw badRequest(`messages must be a non-empty array, got ${describe(messages)}`, 'messages');
  const turns: Turn[] = messages.map((m, i) => {
    const at = `messages[${i}]`;
    if (!isObject(m)) throw badRequest(`${at} must be an object with role and content`, 'messages');
    const role = m.role;
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role))
      throw badRequest(`${at}.role must be one of ${ROLES.join(', ')}, got ${describe(role)}`, 'messages');
    // OpenAI's newer name for the system message.
    return { role: role === 'developer' ? 'system' : (role as Turn['role']), content: messageContent(m.content, at) };
  });
  return { kind: 'chat', ...base, messages: turns };
}

export function parseCompletionRequest(body: unknown): CompletionRequest {
  if (!isObject(body)) throw badRequest('the request body must be a JSON object');
  const base = sampling(body);
  let prompt = body.prompt;
  // One prompt per request: a one-element batch is that prompt.
  if (Array.isArray(prompt) && prompt.length === 1 && (typeof prompt[0] === 'string' || Array.isArray(prompt[0]))) prompt = prompt[0];
  const isIds = Array.isArray(prompt) && prompt.length > 0 && prompt.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0);
  if (typeof prompt !== 'string' && !isIds)
    throw badRequest(`prompt must be a string or an array of token ids (one prompt per request), got ${describe(prompt)}`, 'prompt');
  if (prompt === '') throw badRequest('prompt is empty', 'prompt');
  return { kind: 'completion', ...base, prompt: prompt as string | number[] };
}
