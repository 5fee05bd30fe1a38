/**
 * Byte sources for the streaming loader: one file of a hub repo over HTTP (Range requests, resume after a dropped
 * connection, servers that ignore Range) or a local Blob/File (browser File API, or a cached copy). Both yield the
 * bytes of a range in order, in chunks, and never hold more than a chunk.
 */
import { HubError, abortError } from './errors';
import { hubFetch, type HubRepo } from './hub';
import { DEFAULT_RETRY, backoffMs, sleep, type RetryPolicy } from './retry';

/** The file ended (or could not be read) before the requested end, and retrying did not help. */
export class TruncatedRead extends Error {
  constructor(
    readonly position: number,
    readonly expectedEnd: number,
    readonly reason: string,
  ) {
    super(`read stopped at byte ${position} of ${expectedEnd}: ${reason}`);
    this.name = 'TruncatedRead';
  }
}

export interface ByteFile {
  /** Path inside the model ("model-00001-of-00002.safetensors"). */
  readonly name: string;
  /** For messages: "org/model/model.safetensors" or the local file name. */
  readonly label: string;
  /** Total size when known (an HTTP file learns it from its first response). */
  readonly size: number | undefined;
  /**
   * Yields bytes [start, end) in order. A chunk is valid only until the next one is requested (its buffer is
   * reused). Throws TruncatedRead when the file ends early, or the abort reason.
   */
  chunks(start: number, end: number, signal?: AbortSignal): AsyncGenerator<Uint8Array>;
}

/** Read buffer size for BYOB reads. */
const READ_BUFFER_BYTES = 256 * 1024;

/**
 * Reads a body stream chunk by chunk. Where the stream supports BYOB reads (fetch and Blob bodies in Chrome and Node
 * 20) one buffer is reused for every read, so streaming a model leaves no trail of chunk garbage behind; a chunk is
 * valid only until the next read().
 */
export class BodyReader {
  private readonly byob: ReadableStreamBYOBReader | null = null;
  private readonly plain: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private buffer: ArrayBuffer | null = null;
  constructor(body: ReadableStream<Uint8Array>) {
    try {
      this.byob = body.getReader({ mode: 'byob' });
      this.buffer = new ArrayBuffer(READ_BUFFER_BYTES);
    } catch {
      this.plain = body.getReader();
    }
  }
  /** The next chunk, or null at the end. */
  async read(): Promise<Uint8Array | null> {
    if (this.byob) {
      const { done, value } = await this.byob.read(new Uint8Array(this.buffer ?? new ArrayBuffer(READ_BUFFER_BYTES)));
      this.buffer = value ? (value.buffer as ArrayBuffer) : null; // the buffer comes back (transferred) with the data
      return done || !value ? null : value;
    }
    const { done, value } = await this.plain!.read();
    return done ? null : value;
  }
  cancel(): void {
    (this.byob ?? this.plain)!.cancel().catch(() => {});
  }
  release(): void {
    (this.byob ?? this.plain)!.releaseLock();
  }
}

/** Reads a small range completely (headers). */
export async function readBytes(file: ByteFile, start: number, end: number, signal?: AbortSignal): Promise<Uint8Array> {
  const out = new Uint8Array(end - start);
  let at = 0;
  for await (const c of file.chunks(start, end, signal)) {
    if (at + c.byteLength > out.byteLength) throw new RangeError('read past the requested range');
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

export class BlobFile implements ByteFile {
  constructor(
    readonly name: string,
    readonly label: string,
    private readonly blob: Blob,
  ) {}
  get size(): number {
    return this.blob.size;
  }
  async *chunks(start: number, end: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const reader = new BodyReader(this.blob.slice(start, end).stream());
    let pos = start;
    try {
      for (;;) {
        if (signal?.aborted) throw abortError(signal);
        const value = await reader.read();
        if (!value) break;
        pos += value.byteLength;
        yield value;
      }
    } finally {
      reader.cancel();
    }
    if (pos < end) throw new TruncatedRead(pos, end, `the file is only ${this.blob.size} bytes long`);
  }
}

export interface HttpOptions {
  retry?: RetryPolicy;
  /** Give up on a response that sends nothing for this long (then resume). Default 60 s. */
  stallTimeoutMs?: number;
  /** Told once when the server ignores Range requests (we then skip bytes, which costs bandwidth). */
  onWarning?: (message: string) => void;
}

const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+|\*)$/;

export class HttpFile implements ByteFile {
  size: number | undefined;
  readonly label: string;
  private warned = false;
  constructor(
    private readonly src: HubRepo,
    readonly name: string,
    private readonly options: HttpOptions = {},
  ) {
    this.label = `${src.repo}/${name}`;
  }

  async *chunks(start: number, end: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const policy = this.options.retry ?? DEFAULT_RETRY;
    const stallMs = this.options.stallTimeoutMs ?? 60_000;
    let pos = start;
    let failures = 0;
    while (pos < end) {
      let reason = 'the server ended the response early';
      let failure: HubError | null = null;
      const attempt = new AbortController();
      const onAbort = () => attempt.abort(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => attempt.abort(new Error(`no data for ${stallMs / 1000} s`)), stallMs);
      };
      try {
        if (signal?.aborted) throw abortError(signal);
        arm();
        let res: Response;
        try {
          res = await hubFetch(this.src, this.name, { range: { start: pos, end }, signal: attempt.signal });
        } catch (e) {
          if (signal?.aborted) throw abortError(signal);
          if (e instanceof HubError && e.status === 416)
            throw new TruncatedRead(pos, end, `the server has no bytes from ${pos} on (the file is shorter than its header says)`);
          if (!attempt.signal.aborted && !(e instanceof HubError && e.transient)) throw e; // only stalls and transient errors are retried
          reason = (e as Error).message;
          failure = e instanceof HubError ? e : null;
          res = null!;
        }
        if (res) {
          const skip = this.accept(res, pos);
          const reader = new BodyReader(res.body!);
          let toSkip = skip;
          try {
            while (pos < end) {
              let value: Uint8Array | null;
              try {
                value = await reader.read();
              } catch (e) {
                if (signal?.aborted) throw abortError(signal);
                reason = `connection lost: ${(attempt.signal.reason as Error)?.message ?? (e as Error).message}`;
                break;
              }
              if (!value) break;
              arm();
              let chunk = value;
              if (toSkip > 0) {
                const n = Math.min(toSkip, chunk.byteLength);
                toSkip -= n;
                chunk = chunk.subarray(n);
              }
              if (chunk.byteLength > end - pos) chunk = chunk.subarray(0, end - pos);
              if (chunk.byteLength === 0) continue;
              pos += chunk.byteLength;
              failures = 0;
              clearTimeout(timer); // the consumer's time is not a stall
              yield chunk;
              arm();
            }
          } finally {
            reader.cancel();
          }
        }
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
      if (pos >= end) return;
      if (failures >= policy.retries) {
        if (failure && pos === start) throw failure; // e.g. a persistent 503 before any byte: say so rather than "truncated"
        throw new TruncatedRead(pos, end, `${reason} (gave up after ${failures} retries)`);
      }
      failures++;
      await sleep(backoffMs(policy, failures), signal);
    }
  }

  /** Checks a response to a request for bytes from `pos`; returns how many leading bytes to skip. */
  private accept(res: Response, pos: number): number {
    if (res.status === 206) {
      const m = CONTENT_RANGE.exec(res.headers.get('Content-Range') ?? '');
      if (!m) return 0; // not exposed (CORS): trust the server
      const total = m[3] === '*' ? undefined : Number(m[3]);
      if (Number(m[1]) !== pos) {
        void res.body?.cancel();
        throw new HubError('bad-response', `${this.label}: asked for bytes from ${pos}, the server sent from ${m[1]}.`, this.where(res));
      }
      if (total !== undefined && this.size !== undefined && total !== this.size) {
        void res.body?.cancel();
        throw new HubError('bad-response', `${this.label} changed on the server during the download (${this.size} → ${total} bytes); start again.`, this.where(res));
      }
      if (total !== undefined) this.size ??= total;
      return 0; // a file shorter than `end` just ends early and is reported as truncated
    }
    const length = Number(res.headers.get('Content-Length'));
    if (this.size === undefined && Number.isFinite(length) && length > 0 && !res.headers.get('Content-Encoding')) this.size = length;
    if (pos > 0 && !this.warned) {
      this.warned = true;
      this.options.onWarning?.(`${new URL(res.url || 'http://x').host || 'The server'} ignores Range requests for ${this.label}; skipping ${pos} bytes to resume.`);
    }
    if (res.status !== 200) {
      void res.body?.cancel();
      throw new HubError('bad-response', `${this.label}: unexpected status ${res.status}.`, this.where(res));
    }
    return pos;
  }

  private where(res: Response) {
    return { repo: this.src.repo, file: this.name, url: res.url, status: res.status };
  }
}
