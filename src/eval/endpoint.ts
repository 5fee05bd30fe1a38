/**
 * One chat completion from an OpenAI-compatible endpoint (`cli serve`, llama.cpp's server, vLLM, Ollama, OpenAI, …)
 * with fetch — in the browser (the Evaluation page's judge) and in Node alike; no React, no SDK.
 *
 * Failures are EndpointErrors with a `kind` the UI can act on:
 *   unreachable — no HTTP answer at all (server down, wrong address, DNS, or, in a browser, blocked by CORS);
 *   http        — an HTTP error status (the server's own error message is kept);
 *   not-json    — a 2xx answer that is not a chat completion (not JSON, or no choices[0].message.content);
 *   timeout     — no complete answer within timeoutMs (per attempt);
 *   cancelled   — the caller's signal aborted.
 * Only what may pass on its own is retried, a bounded number of times with exponential backoff (and the server's
 * Retry-After when it sends one): unreachable, 5xx and 429. A 4xx, a timeout or a bad answer is final.
 */
import { sleep as abortableSleep } from '../engine/io/retry';

export interface Endpoint {
  /** e.g. http://127.0.0.1:8080/v1 (a bare http://host:port gets /v1). */
  baseUrl: string;
  apiKey?: string;
  model: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatOptions {
  /** Default 0 (a judge should be deterministic). */
  temperature?: number;
  maxTokens?: number;
  signal?: AbortSignal;
  /** Per attempt; default 120 000 ms. */
  timeoutMs?: number;
  /** Retries after the first attempt (unreachable/5xx/429 only); default 2. */
  retries?: number;
  /** First backoff in ms (doubles each retry, ±25% jitter); default 500. */
  backoffMs?: number;
}

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ChatResult {
  text: string;
  usage?: ChatUsage;
  /** finish_reason as the server gave it ('stop', 'length', …). */
  finishReason?: string;
}

export type EndpointErrorKind = 'unreachable' | 'http' | 'not-json' | 'timeout' | 'cancelled';

export class EndpointError extends Error {
  constructor(
    readonly kind: EndpointErrorKind,
    message: string,
    /** The HTTP status ('http' errors; also 'not-json' when a status was received). */
    readonly status?: number,
    /** How many requests were made. */
    readonly attempts = 1,
  ) {
    super(message);
    this.name = 'EndpointError';
  }
}

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_RETRIES = 2;
const DEFAULT_BACKOFF_MS = 500;
/** A server asking us to wait longer than this is answered with an error rather than a frozen judge. */
const MAX_RETRY_AFTER_MS = 30_000;

/** The chat-completions URL of a base URL: …/v1 + /chat/completions; a bare origin gets /v1. */
export function chatCompletionsUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new EndpointError('unreachable', `"${baseUrl}" is not a URL; expected something like http://127.0.0.1:8080/v1`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EndpointError('unreachable', `"${baseUrl}" is not an http(s) URL`);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = `${path || '/v1'}/chat/completions`;
  return url.toString();
}

const retryable = (status: number) => status === 429 || status >= 500;

export async function chatComplete(endpoint: Endpoint, messages: ChatMessage[], opts: ChatOptions = {}): Promise<ChatResult> {
  const url = chatCompletionsUrl(endpoint.baseUrl);
  const retries = Math.max(0, Math.floor(opts.retries ?? DEFAULT_RETRIES));
  const body = JSON.stringify({
    model: endpoint.model, messages, temperature: opts.temperature ?? 0, stream: false,
    ...(opts.maxTokens !== undefined ? { max_tokens: opts.maxTokens } : {}),
  });
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (endpoint.apiKey) headers.Authorization = `Bearer ${endpoint.apiKey}`;
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(url, headers, body, opts, attempt);
    if ('result' in outcome) return outcome.result;
    if (!outcome.retry || attempt > retries) {
      const e = outcome.error;
      throw attempt === 1 ? e : new EndpointError(e.kind, `${e.message} (gave up after ${attempt} attempts)`, e.status, attempt);
    }
    await sleep(outcome.retryAfterMs ?? backoff(opts.backoffMs ?? DEFAULT_BACKOFF_MS, attempt), opts.signal, attempt);
  }
}

type Outcome = { result: ChatResult } | { error: EndpointError; retry: boolean; retryAfterMs?: number };

async function attemptOnce(url: string, headers: Record<string, string>, body: string, opts: ChatOptions, attempt: number): Promise<Outcome> {
  if (opts.signal?.aborted) throw cancelled(attempt - 1);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // Both the headers and the body count against the timeout and the caller's signal.
  const stopped = (): EndpointError | null => {
    if (opts.signal?.aborted) return cancelled(attempt);
    if (timedOut) return new EndpointError('timeout', `${url} did not answer within ${timeoutMs / 1000} s`, undefined, attempt);
    return null;
  };
  try {
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers, body, signal: controller.signal });
    } catch (e) {
      const known = stopped();
      if (known) throw known;
      return {
        error: new EndpointError('unreachable', `could not reach ${url}: ${describeFetchError(e)} (is the server running? In a browser, the server must also allow this page's origin with CORS)`, undefined, attempt),
        retry: true,
      };
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      const known = stopped();
      if (known) throw known;
      return { error: new EndpointError('unreachable', `the connection to ${url} broke while reading the answer: ${describeFetchError(e)}`, res.status, attempt), retry: true };
    }
    if (!res.ok) {
      const error = new EndpointError('http', `${url} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}: ${serverMessage(text)}`, res.status, attempt);
      return { error, retry: retryable(res.status), retryAfterMs: retryAfter(res.headers.get('retry-after')) };
    }
    return { result: parseChatCompletion(text, url, res.status, attempt) };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

function parseChatCompletion(text: string, url: string, status: number, attempt: number): ChatResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EndpointError('not-json', `${url} answered ${status} with something that is not JSON: ${snippet(text)}`, status, attempt);
  }
  const choice = (json as { choices?: unknown })?.choices;
  const first = Array.isArray(choice) ? (choice[0] as { message?: { content?: unknown }; finish_reason?: unknown } | undefined) : undefined;
  const content = first?.message?.content;
  if (typeof content !== 'string')
    throw new EndpointError('not-json', `${url} answered ${status} but not with a chat completion (no choices[0].message.content): ${snippet(text)}`, status, attempt);
  const u = (json as { usage?: Record<string, unknown> }).usage;
  const usage = u && typeof u.prompt_tokens === 'number' && typeof u.completion_tokens === 'number'
    ? { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens, totalTokens: typeof u.total_tokens === 'number' ? u.total_tokens : u.prompt_tokens + u.completion_tokens }
    : undefined;
  return { text: content, ...(usage ? { usage } : {}), ...(typeof first?.finish_reason === 'string' ? { finishReason: first.finish_reason } : {}) };
}

/** The OpenAI-style `error.message` of an error body, else the start of the body. */
function serverMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const m = typeof j.error === 'string' ? j.error : (j.error?.message ?? j.message ?? j.detail);
    if (typeof m === 'string' && m) return m;
  } catch {
    // not JSON: show the text itself
  }
  return snippet(text) || '(empty body)';
}

const snippet = (text: string) => {
  const t = text.trim().replace(/\s+/g, ' ');
  return t.length > 200 ? `${t.slice(0, 200)}…` : JSON.stringify(t);
};

function describeFetchError(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const cause = err?.cause;
  return cause?.code ? `${cause.code}${cause.message ? ` (${cause.message})` : ''}` : (err?.message ?? String(e));
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent, unreadable or unreasonably long. */
function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_RETRY_AFTER_MS ? ms : undefined;
}

function backoff(first: number, attempt: number): number {
  return first * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
}

function cancelled(attempts: number): EndpointError {
  return new EndpointError('cancelled', 'the request was cancelled', undefined, attempts);
}

/** The engine's abortable sleep (engine/io/retry.ts); its abort becomes this module's 'cancelled' error. */
async function sleep(ms: number, signal: AbortSignal | undefined, attempts: number): Promise<void> {
  try {
    await abortableSleep(ms, signal);
  } catch {
    throw cancelled(attempts);
  }
}
