/**
 * The streaming loader. After openCheckpoint() validated every header, each file's data section is streamed once,
 * front to back, and each tensor's bytes go to the sink as they arrive: begin(t) before its first byte, write(t,
 * offset, chunk) for each piece, end(t) after its last byte. Chunks are views of a read buffer that is reused for the
 * next read: a sink must consume (convert, upload, copy) them during the call. Nothing holds more than one chunk. On any failure (bad file, truncation, network, abort) the sink's abort() is
 * called, end() is never called for the incomplete tensor, and loadCheckpoint rejects: the caller must discard
 * everything it received. Hub files are written to the browser cache on the way, and committed only when complete.
 */
import { ModelFileError, abortError } from './errors';
import { ModelCache, type CacheWriter } from './cache';
import { openCheckpoint, type Checkpoint, type CheckpointFile, type LoadTensor, type OpenCheckpointOptions } from './checkpoint';
import { TruncatedRead } from './source';
import type { RetryNotice } from './retry';

export type { LoadTensor, Checkpoint, CheckpointSource, NamedBlob } from './checkpoint';

export interface TensorSink {
  /** Called before the tensor's first byte (allocate here). May be async. */
  begin(tensor: LoadTensor): void | Promise<void>;
  /**
   * Bytes [byteOffset, byteOffset + chunk.byteLength) of the tensor. The chunk's memory is reused after the call
   * returns (even when it returns a promise): consume it synchronously. Return a promise to apply backpressure.
   */
  write(tensor: LoadTensor, byteOffset: number, chunk: Uint8Array): void | Promise<void>;
  /** After the tensor's last byte. */
  end(tensor: LoadTensor): void | Promise<void>;
  /** The load failed or was cancelled: free what begin() allocated. */
  abort?(error: unknown): void;
}

export interface LoadProgress {
  phase: 'headers' | 'weights' | 'done';
  /** The file being streamed. */
  file: string;
  bytesLoaded: number;
  bytesTotal: number;
  tensorsDone: number;
  tensorsTotal: number;
  /** Average since streaming started (MB = 10^6 bytes). */
  mbPerSec: number;
  /** null until a rate is known. */
  etaSeconds: number | null;
  fromCache: boolean;
  /** Set while a failed request waits to be tried again (cleared by the next progress). */
  retry?: RetryNotice;
}

export interface StreamOptions {
  sink: TensorSink;
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
  /** Which tensors to deliver (default: all). A selected tensor must be F32, F16 or BF16. */
  select?: (t: LoadTensor) => boolean;
  /** Minimum milliseconds between progress reports (default 100); file ends and the end are always reported. */
  progressIntervalMs?: number;
  onWarning?: (message: string) => void;
}

export interface LoadCheckpointOptions extends Omit<OpenCheckpointOptions, 'cache'>, StreamOptions {
  /** 'auto' (default): the browser's Cache Storage when there is one; null: no caching. */
  cache?: ModelCache | null | 'auto';
}

export interface LoadResult {
  checkpoint: Checkpoint;
  /** Tensors delivered to the sink (begin … end), in order. */
  tensors: LoadTensor[];
  /** Tensors in the files that `select` left out. */
  skipped: LoadTensor[];
  bytes: number;
  seconds: number;
}

export async function loadCheckpoint(options: LoadCheckpointOptions): Promise<LoadResult> {
  const cache = options.source.kind !== 'hub' ? null : options.cache === 'auto' || options.cache === undefined ? await ModelCache.open() : options.cache;
  options.onProgress?.({ ...idle(), phase: 'headers' });
  let checkpoint: Checkpoint;
  try {
    checkpoint = await openCheckpoint({ ...options, cache });
  } catch (e) {
    options.sink.abort?.(e);
    throw e;
  }
  return streamCheckpoint(checkpoint, { ...options, cache });
}

const idle = (): LoadProgress => ({ phase: 'headers', file: '', bytesLoaded: 0, bytesTotal: 0, tensorsDone: 0, tensorsTotal: 0, mbPerSec: 0, etaSeconds: null, fromCache: false });

export async function streamCheckpoint(checkpoint: Checkpoint, options: StreamOptions & { cache?: ModelCache | null }): Promise<LoadResult> {
  const { sink, signal } = options;
  const select = options.select ?? (() => true);
  const chosen = new Set(checkpoint.tensors.filter((t) => select(t)));
  const fail = (e: unknown) => {
    sink.abort?.(e);
    return e;
  };
  for (const t of chosen)
    if (!t.supported)
      throw fail(new ModelFileError(labelOf(checkpoint, t.file), `tensor "${t.name}" is ${t.dtype}; the studio loads only F32, F16 and BF16 weights (leave it out with select).`, t.name));

  const started = performance.now();
  const interval = options.progressIntervalMs ?? 100;
  const p: LoadProgress = { ...idle(), phase: 'weights', bytesTotal: checkpoint.dataBytes, tensorsTotal: chosen.size };
  let lastReport = -Infinity;
  const report = (force: boolean) => {
    const now = performance.now();
    if (!options.onProgress || (!force && now - lastReport < interval)) return;
    lastReport = now;
    const seconds = (now - started) / 1000;
    const rate = seconds > 0 ? p.bytesLoaded / seconds : 0;
    p.mbPerSec = rate / 1e6;
    p.etaSeconds = rate > 0 ? (p.bytesTotal - p.bytesLoaded) / rate : null;
    options.onProgress({ ...p });
  };

  const delivered: LoadTensor[] = [];
  try {
    for (const f of checkpoint.files) {
      p.file = f.name;
      p.fromCache = f.fromCache;
      report(true);
      const writer = options.cache && !f.fromCache && checkpoint.source.kind === 'hub' ? options.cache.writer(checkpoint.source, f.name, f.size) : null;
      await streamFile(f, chosen, sink, writer, signal, (n, done) => {
        p.bytesLoaded += n;
        if (done) {
          p.tensorsDone++;
          delivered.push(done);
        }
        report(false);
      });
      if (writer && !(await writer.commit())) options.onWarning?.(`Could not store ${f.label} in the browser cache (quota?); it will be downloaded again next time.`);
    }
  } catch (e) {
    throw fail(e);
  }
  p.phase = 'done';
  report(true);
  return {
    checkpoint,
    tensors: delivered,
    skipped: checkpoint.tensors.filter((t) => !chosen.has(t)),
    bytes: p.bytesLoaded,
    seconds: (performance.now() - started) / 1000,
  };
}

function labelOf(c: Checkpoint, file: string): string {
  return c.files.find((f) => f.name === file)?.label ?? file;
}

async function streamFile(
  f: CheckpointFile,
  chosen: Set<LoadTensor>,
  sink: TensorSink,
  writer: CacheWriter | null,
  signal: AbortSignal | undefined,
  onBytes: (n: number, done: LoadTensor | null) => void,
): Promise<void> {
  const { tensors } = f;
  const base = f.header.dataOffset;
  let ti = 0; // current tensor
  let begun = false;
  let pos = 0; // data-section offset of the next byte

  /** Ends every tensor that is complete at `pos` (zero-length ones included), beginning them first if needed. */
  const settle = async () => {
    while (ti < tensors.length && tensors[ti].end === pos) {
      const t = tensors[ti];
      const sel = chosen.has(t);
      if (sel && !begun) await sink.begin(t);
      if (sel) await sink.end(t);
      onBytes(0, sel ? t : null);
      ti++;
      begun = false;
    }
  };

  try {
    if (writer) await writer.write(f.headerBytes);
    await settle();
    for await (const chunk of f.source.chunks(base, base + f.header.dataLength, signal)) {
      if (signal?.aborted) throw abortError(signal);
      if (writer) await writer.write(chunk);
      let c = 0;
      while (c < chunk.byteLength) {
        const t = tensors[ti];
        const sel = chosen.has(t);
        if (sel && !begun) await sink.begin(t);
        begun = true;
        const n = Math.min(t.end - pos, chunk.byteLength - c);
        if (sel) {
          const r = sink.write(t, pos - t.begin, chunk.subarray(c, c + n));
          if (r) await r;
        }
        pos += n;
        c += n;
        onBytes(n, null);
        await settle();
      }
    }
    await settle();
    if (ti < tensors.length) throw new TruncatedRead(base + pos, base + f.header.dataLength, 'the stream ended early');
  } catch (e) {
    writer?.abort(e);
    if (e instanceof TruncatedRead) {
      const t = tensors[Math.min(ti, tensors.length - 1)];
      throw new ModelFileError(
        f.label,
        `ended after ${e.position} of ${f.size} bytes, in the middle of tensor "${t.name}" (${e.reason}). ` +
          'The download was cut short or the file is truncated; nothing from this load is used.',
        t.name,
      );
    }
    throw e;
  }
}
