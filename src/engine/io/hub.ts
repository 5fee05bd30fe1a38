/**
 * Files of a Hugging Face model repository, in the hub's URL layout {endpoint}/{repo}/resolve/{revision}/{file}
 * (huggingface.co or any mirror with the same layout). Failures become HubErrors whose messages name the repo and
 * file and say what to do. The hub tells "no such repo" from "no such file" from "gated" with X-Error-Code.
 */
import { HubError, ModelFileError, abortError, isAbortError, type HubErrorKind } from './errors';
import { DEFAULT_RETRY, backoffMs, notifyRetry, sleep, type RetryPolicy } from './retry';
import type { ModelCache } from './cache';
import { parseGenerationConfig } from './generationConfig';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

export interface HubRepo {
  /** Default https://huggingface.co; a mirror with the same layout works (it must send CORS headers for browsers). */
  endpoint?: string;
  /** "owner/name" (or a legacy single name such as "gpt2"). */
  repo: string;
  /** Branch, tag or commit; default "main". */
  revision?: string;
  /** Access token for gated/private repos, sent as a bearer token. */
  token?: string;
}

const REPO_ID = /^[\w.-]+(\/[\w.-]+)?$/;

export function hubFileUrl(src: HubRepo, file: string): string {
  if (!REPO_ID.test(src.repo) || src.repo.includes('..') || src.repo.split('/').some((p) => p.startsWith('.'))) throw new Error(`"${src.repo}" is not a model id; expected owner/name, e.g. HuggingFaceTB/SmolLM2-135M.`);
  const endpoint = (src.endpoint || DEFAULT_ENDPOINT).replace(/\/+$/, '');
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${endpoint}/${src.repo}/resolve/${encodeURIComponent(src.revision || 'main')}/${path}`;
}

export interface HubFetchOptions {
  /** Byte range [start, end) — end omitted: to the end of the file. */
  range?: { start: number; end?: number };
  method?: 'GET' | 'HEAD';
  signal?: AbortSignal;
}

/** fetch() of one repo file. Resolves with a 2xx response; throws HubError otherwise (or the abort reason). */
export async function hubFetch(src: HubRepo, file: string, options: HubFetchOptions = {}): Promise<Response> {
  const url = hubFileUrl(src, file);
  const headers: Record<string, string> = {};
  if (src.token) headers.Authorization = `Bearer ${src.token}`;
  const { range } = options;
  if (range) headers.Range = `bytes=${range.start}-${range.end !== undefined ? range.end - 1 : ''}`;
  let res: Response;
  try {
    res = await fetch(url, { method: options.method ?? 'GET', headers, signal: options.signal });
  } catch (e) {
    if (options.signal?.aborted || isAbortError(e)) throw options.signal?.aborted ? abortError(options.signal) : e;
    const host = new URL(url).host;
    throw new HubError(
      'network',
      `Could not reach ${host} for ${src.repo}/${file} (${(e as Error).message}). Check your internet connection; ` +
        'a mirror must also allow cross-origin requests (Access-Control-Allow-Origin) for the studio to read it.',
      { repo: src.repo, file, url },
    );
  }
  if (res.ok) return res;
  const err = hubErrorFromResponse(res, src, file, url);
  await res.body?.cancel().catch(() => {});
  throw err;
}

/** Maps a failed response to a HubError with a message for the user. Not for 416 (the caller decides). */
export function hubErrorFromResponse(res: Response, src: HubRepo, file: string, url: string): HubError {
  const code = res.headers.get('X-Error-Code') ?? '';
  const status = res.status;
  const endpoint = (src.endpoint || DEFAULT_ENDPOINT).replace(/\/+$/, '');
  const page = `${endpoint}/${src.repo}`;
  const where = { repo: src.repo, file, url, status };
  const make = (kind: HubErrorKind, message: string) => new HubError(kind, message, where);
  if (code === 'GatedRepo')
    return make(
      'gated',
      src.token
        ? `"${src.repo}" is gated and your access token is not (yet) allowed to read it. Open ${page}, accept the license ` +
            'with the account that owns the token (approval can take a while), then try again.'
        : `"${src.repo}" is gated: open ${page}, log in and accept its license, then create an access token ` +
            '(read scope) in your hub settings and enter it here.',
    );
  if (code === 'RepoNotFound' || (status === 401 && !code && !src.token))
    return make(
      status === 401 ? 'unauthorized' : 'repo-not-found',
      `Model "${src.repo}" was not found at ${endpoint}. Check the name (owner/name); if it is private or gated, enter an access token.`,
    );
  if (code === 'RevisionNotFound')
    return make('revision-not-found', `Revision "${src.revision || 'main'}" does not exist in "${src.repo}".`);
  if (code === 'EntryNotFound' || status === 404)
    return make('file-not-found', `"${file}" was not found in "${src.repo}" (revision ${src.revision || 'main'}).`);
  if (status === 401)
    return make('unauthorized', `The access token was rejected for "${src.repo}". Check that it is valid and has read access.`);
  if (status === 403)
    return make(
      'forbidden',
      `Access to "${src.repo}/${file}" is forbidden (403). If the model is gated, accept its license on ${page}; ` +
        'check that your token has read access.',
    );
  if (status === 429)
    return make('rate-limited', `The hub is rate-limiting requests for "${src.repo}" (429). Wait a minute and retry; an access token raises the limit.`);
  if (status >= 500)
    return make('server', `${new URL(url).host} failed with ${status} while serving "${src.repo}/${file}". The server is having trouble; try again later.`);
  return make('bad-response', `Unexpected ${status} ${res.statusText} for "${src.repo}/${file}".`);
}

/** hubFetch with bounded retries on transient failures (network, 5xx, 429). */
export async function hubFetchRetrying(
  src: HubRepo,
  file: string,
  options: HubFetchOptions & { retry?: RetryPolicy } = {},
): Promise<Response> {
  const policy = options.retry ?? DEFAULT_RETRY;
  for (let attempt = 0; ; attempt++) {
    try {
      return await hubFetch(src, file, options);
    } catch (e) {
      if (!(e instanceof HubError) || !e.transient || attempt >= policy.retries) throw e;
      const delayMs = backoffMs(policy, attempt + 1);
      notifyRetry({ file, attempt: attempt + 2, of: policy.retries + 1, delayMs, reason: e.message });
      await sleep(delayMs, options.signal);
    }
  }
}

export interface FetchJsonOptions {
  signal?: AbortSignal;
  /** Return undefined instead of throwing when the file does not exist (the repo must). */
  optional?: boolean;
  /** Read from / store into the browser's model cache. */
  cache?: ModelCache | null;
  retry?: RetryPolicy;
}

export async function fetchJson<T = unknown>(src: HubRepo, file: string, options: FetchJsonOptions = {}): Promise<T | undefined> {
  const { cache } = options;
  let text = cache ? await cache.getText(src, file) : null;
  if (text === null) {
    let res: Response;
    try {
      res = await hubFetchRetrying(src, file, options);
    } catch (e) {
      if (options.optional && e instanceof HubError && e.kind === 'file-not-found') return undefined;
      throw e;
    }
    text = await res.text();
    parseJson(text, src, file);
    if (cache) await cache.putText(src, file, text);
  }
  return parseJson(text, src, file) as T;
}

function parseJson(text: string, src: HubRepo, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HubError('bad-response', `${src.repo}/${file} is not valid JSON (${(e as Error).message}).`, {
      repo: src.repo,
      file,
      url: hubFileUrl(src, file),
    });
  }
}

/** The sharded-checkpoint index, model.safetensors.index.json. */
export interface SafetensorsIndex {
  metadata?: Record<string, unknown>;
  weight_map: Record<string, string>;
}

export interface ModelFiles {
  config: unknown;
  generationConfig?: unknown;
  tokenizer?: unknown;
  tokenizerConfig?: unknown;
  /** The safetensors files to stream, in order. */
  weights: string[];
  /** Present for sharded checkpoints. */
  index?: SafetensorsIndex;
}

export const INDEX_FILE = 'model.safetensors.index.json';
export const SINGLE_FILE = 'model.safetensors';

/**
 * Fetches the small files a model needs (config.json; generation_config.json optional, but checked when present;
 * tokenizer.json and tokenizer_config.json, optional here — the caller decides whether it can do without) and works
 * out the weights: the shards named by model.safetensors.index.json, else model.safetensors.
 */
export async function fetchModelFiles(src: HubRepo, options: Omit<FetchJsonOptions, 'optional'> = {}): Promise<ModelFiles> {
  const config = await fetchJson(src, 'config.json', options);
  const [generationConfig, tokenizer, tokenizerConfig, index] = await Promise.all([
    fetchJson(src, 'generation_config.json', { ...options, optional: true }),
    fetchJson(src, 'tokenizer.json', { ...options, optional: true }),
    fetchJson(src, 'tokenizer_config.json', { ...options, optional: true }),
    fetchJson<SafetensorsIndex>(src, INDEX_FILE, { ...options, optional: true }),
  ]);
  parseGenerationConfig(generationConfig, `${src.repo}/generation_config.json`);
  if (!index) return { config, generationConfig, tokenizer, tokenizerConfig, weights: [SINGLE_FILE] };
  return { config, generationConfig, tokenizer, tokenizerConfig, weights: shardsOf(index, `${src.repo}/${INDEX_FILE}`), index };
}

/** The distinct shard files of an index, in first-appearance order; throws ModelFileError for a malformed index. */
export function shardsOf(index: SafetensorsIndex, label: string): string[] {
  const map = (index as Partial<SafetensorsIndex>)?.weight_map;
  if (!map || typeof map !== 'object' || Array.isArray(map)) throw new ModelFileError(label, '"weight_map" is missing or not an object.');
  const files: string[] = [];
  for (const [name, file] of Object.entries(map)) {
    if (typeof file !== 'string' || !file.endsWith('.safetensors') || file.split('/').some((s) => s === '..' || s === ''))
      throw new ModelFileError(label, `tensor "${name}" maps to an invalid file ${JSON.stringify(file)}.`, name);
    if (!files.includes(file)) files.push(file);
  }
  if (files.length === 0) throw new ModelFileError(label, '"weight_map" is empty.');
  return files;
}
