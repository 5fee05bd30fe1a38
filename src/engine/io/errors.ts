/**
 * Errors raised while fetching and reading model files. Messages are written for the person using the studio: they
 * name the repository, the file (and the tensor when there is one) and what to do about it.
 */

/** A model file is malformed, truncated or inconsistent with its index. Nothing from it may be used. */
export class ModelFileError extends Error {
  /** The file at fault, as shown to the user (e.g. "org/model: model-00001-of-00002.safetensors"). */
  readonly file: string;
  /** The tensor at fault, when the problem is about one tensor. */
  readonly tensor?: string;
  constructor(file: string, problem: string, tensor?: string) {
    super(`${file}: ${problem}`);
    this.name = 'ModelFileError';
    this.file = file;
    this.tensor = tensor;
  }
}

export type HubErrorKind =
  | 'repo-not-found'
  | 'file-not-found'
  | 'revision-not-found'
  | 'gated'
  | 'unauthorized'
  | 'forbidden'
  | 'rate-limited'
  | 'server'
  | 'network'
  | 'bad-response';

/** A request to the hub (or a mirror) failed. `transient` errors are worth retrying. */
export class HubError extends Error {
  readonly kind: HubErrorKind;
  readonly status?: number;
  readonly repo: string;
  readonly file: string;
  readonly url: string;
  constructor(kind: HubErrorKind, message: string, where: { repo: string; file: string; url: string; status?: number }) {
    super(message);
    this.name = 'HubError';
    this.kind = kind;
    this.status = where.status;
    this.repo = where.repo;
    this.file = where.file;
    this.url = where.url;
  }
  get transient(): boolean {
    return this.kind === 'network' || this.kind === 'server' || this.kind === 'rate-limited';
  }
}

/** The DOMException fetch() and streams use for a cancelled operation; rethrown as-is so callers can tell. */
export function abortError(signal?: AbortSignal): unknown {
  if (signal?.reason !== undefined) return signal.reason;
  return new DOMException('The model load was cancelled.', 'AbortError');
}

export function isAbortError(e: unknown): boolean {
  return (e instanceof DOMException || e instanceof Error) && (e.name === 'AbortError' || e.name === 'TimeoutError');
}
