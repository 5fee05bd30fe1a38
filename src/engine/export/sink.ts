/**
 * Where an export is written: a folder on disk (Node fs, or the browser's File System Access API) or one streamed
 * .zip. Every file's size is known before its first byte (safetensors and GGUF headers are computed up front), so a
 * sink can check the space it needs and a zip can be written without going back.
 *
 * Contract: nothing may look complete before `commit()` — files are written under temporary names (or into a swap
 * file) and renamed at the end; `abort()` removes everything this export created. An error from `write` (disk full,
 * quota) must be followed by `abort()`; `runExport` does that.
 */
export interface ExportFile {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface ExportSink {
  /** Creates `name` (a path inside the export folder, '/'-separated) of exactly `size` bytes. */
  file(name: string, size: number): Promise<ExportFile>;
  /** Every file is complete: give them their final names. */
  commit(): Promise<void>;
  /** Remove what was written (cancel or failure). Must not throw. */
  abort(): Promise<void>;
}

/** One file planned for an export: its size and how to produce its bytes (in order). */
export interface PlannedFile {
  name: string;
  size: number;
  /** Yields the file's bytes in order; chunks may be consumed before the next is requested. */
  bytes(signal?: AbortSignal): AsyncIterable<Uint8Array>;
}

export interface ExportProgress {
  file: string;
  /** Bytes written of all files. */
  done: number;
  total: number;
}

/** Not enough room for the export (disk space or the browser's storage quota), said before or when it happened. */
export class ExportSpaceError extends Error {
  override name = 'ExportSpaceError';
}

export const textFile = (name: string, text: string): PlannedFile => bytesFile(name, new TextEncoder().encode(text));

export function bytesFile(name: string, data: Uint8Array): PlannedFile {
  return {
    name,
    size: data.byteLength,
    async *bytes() {
      yield data;
    },
  };
}

/** True for the errors a full disk or an exhausted quota raise (Node ENOSPC/EDQUOT, DOMException QuotaExceededError). */
export function isSpaceError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  const name = (e as { name?: unknown })?.name;
  return code === 'ENOSPC' || code === 'EDQUOT' || name === 'QuotaExceededError' || e instanceof ExportSpaceError;
}

/**
 * Writes `files` to `sink` in order, then commits. On any failure or cancel the sink is aborted (nothing is left
 * behind) and the error is rethrown — a full disk as an ExportSpaceError that says how much was needed.
 */
export async function runExport(sink: ExportSink, files: readonly PlannedFile[], opts: { signal?: AbortSignal; onProgress?: (p: ExportProgress) => void } = {}): Promise<{ name: string; size: number }[]> {
  const total = files.reduce((a, f) => a + f.size, 0);
  let done = 0;
  try {
    for (const f of files) {
      opts.signal?.throwIfAborted();
      const out = await sink.file(f.name, f.size);
      let written = 0;
      for await (const chunk of f.bytes(opts.signal)) {
        opts.signal?.throwIfAborted();
        await out.write(chunk);
        written += chunk.byteLength;
        done += chunk.byteLength;
        opts.onProgress?.({ file: f.name, done, total });
      }
      if (written !== f.size) throw new Error(`internal: ${f.name} came out ${written} bytes long, ${f.size} were planned`);
      await out.close();
    }
    opts.signal?.throwIfAborted();
    await sink.commit();
  } catch (e) {
    await sink.abort();
    if (isSpaceError(e) && !(e instanceof ExportSpaceError)) {
      throw new ExportSpaceError(`Not enough space to export: the files need ${formatSize(total)} (${formatSize(done)} were written before the disk or the browser's storage quota ran out). Nothing was left behind; free some space and try again.`, { cause: e });
    }
    throw e;
  }
  return files.map((f) => ({ name: f.name, size: f.size }));
}

export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024, u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}
