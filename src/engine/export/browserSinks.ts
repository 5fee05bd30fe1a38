/**
 * Export sinks of the browser (usable in a Worker): a folder the user picked through the File System Access API, and
 * a streamed .zip collected into a Blob for a download where that API is missing.
 *
 * Folder: every file is written through createWritable(), which writes to a swap file and publishes the file only on
 * close() — so all files are closed (published) together at commit, and an abort discards the swap files and removes
 * the export folder: a cancelled or failed export (QuotaExceededError, a full disk) leaves nothing behind.
 * Zip: the archive's bytes are gathered into Blobs of a few MiB (the browser keeps large Blobs out of the JS heap, on
 * disk when it must), so the model is never held twice in memory; the Blob is downloaded at the end.
 */
import type { ExportFile, ExportSink } from './sink';
import { ZipStreamSink } from './zipStream';

/** A free name for a new folder in `parent`: `name`, `name-2`, `name-3`, … */
export async function freeFolderName(parent: FileSystemDirectoryHandle, name: string): Promise<string> {
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? name : `${name}-${i}`;
    try {
      await parent.getDirectoryHandle(candidate);
    } catch {
      return candidate;
    }
  }
}

export class DirectoryHandleSink implements ExportSink {
  private folder: FileSystemDirectoryHandle | null = null;
  private readonly writers: { dir: FileSystemDirectoryHandle; name: string; w: FileSystemWritableFileStream }[] = [];
  private committed = false;

  constructor(private readonly parent: FileSystemDirectoryHandle, readonly folderName: string) {}

  private async dirFor(path: string): Promise<{ dir: FileSystemDirectoryHandle; name: string }> {
    this.folder ??= await this.parent.getDirectoryHandle(this.folderName, { create: true });
    const parts = path.split('/');
    let dir = this.folder;
    for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p, { create: true });
    return { dir, name: parts[parts.length - 1] };
  }

  async file(path: string): Promise<ExportFile> {
    const { dir, name } = await this.dirFor(path);
    const handle = await dir.getFileHandle(name, { create: true });
    const w = await handle.createWritable({ keepExistingData: false });
    this.writers.push({ dir, name, w });
    return {
      write: (chunk) => w.write(chunk as Uint8Array<ArrayBuffer>),
      close: () => Promise.resolve(), // published together at commit
    };
  }

  async commit(): Promise<void> {
    for (const { w } of this.writers) await w.close();
    this.committed = true;
  }

  async abort(): Promise<void> {
    for (const { w } of this.writers) await w.abort().catch(() => {});
    if (!this.committed) await this.parent.removeEntry(this.folderName, { recursive: true }).catch(() => {});
  }
}

/** A streamed zip of the export, gathered into a Blob. `result()` is the archive once committed. */
export class BlobZipSink extends ZipStreamSink {
  private readonly blobs: Blob[] = [];
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private blob: Blob | null = null;

  constructor(folder: string) {
    super({
      folder,
      emit: (c) => {
        this.pending.push(c.slice());
        this.pendingBytes += c.byteLength;
        if (this.pendingBytes >= 8 << 20) this.flush();
      },
      finish: () => {
        this.flush();
        this.blob = new Blob(this.blobs, { type: 'application/zip' });
        this.blobs.length = 0;
      },
      discard: () => {
        this.blobs.length = 0;
        this.pending = [];
      },
    });
  }

  private flush(): void {
    if (!this.pending.length) return;
    this.blobs.push(new Blob(this.pending as Uint8Array<ArrayBuffer>[]));
    this.pending = [];
    this.pendingBytes = 0;
  }

  result(): Blob {
    if (!this.blob) throw new Error('the archive is not complete');
    return this.blob;
  }
}
