/**
 * An export folder on disk for the CLI: files are written into a hidden staging folder beside the target
 * (`.NAME.partial-PID`) and the folder is renamed into place only when every file is complete, so an interrupted,
 * cancelled or failed export (Ctrl+C, a full disk) leaves nothing that looks like a model. The free space is checked
 * before the first byte.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statfsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ExportSpaceError, formatSize, type ExportFile, type ExportSink } from '../engine/export/sink';

export class DirSink implements ExportSink {
  readonly staging: string;
  private readonly target: string;
  private readonly open = new Set<FileHandle>();
  private done = false;

  /** `out` must not exist, or be an empty folder. */
  constructor(out: string) {
    this.target = resolve(out);
    if (existsSync(this.target)) {
      const entries = readdirSync(this.target);
      if (entries.length) throw new Error(`${out} already exists and is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}); choose a new folder for the export`);
    }
    const parent = dirname(this.target);
    mkdirSync(parent, { recursive: true });
    this.staging = join(parent, `.${basename(this.target)}.partial-${process.pid}`);
    rmSync(this.staging, { recursive: true, force: true });
    mkdirSync(this.staging);
    // Quitting mid-export (a second Ctrl+C, process.exit) must not leave the staging folder behind either.
    process.once('exit', this.onExit);
  }

  private readonly onExit = () => this.discard();

  /** Refuses up front when the disk has less free space than the export needs. */
  checkSpace(bytes: number): void {
    let free: number;
    try {
      const s = statfsSync(this.staging);
      free = s.bavail * s.bsize;
    } catch {
      return; // not knowable here: the write itself will tell
    }
    if (free < bytes) {
      this.discard();
      throw new ExportSpaceError(`Not enough disk space in ${dirname(this.target)}: the export needs ${formatSize(bytes)}, ${formatSize(free)} are free. Nothing was written.`);
    }
  }

  async file(name: string, size: number): Promise<ExportFile> {
    const path = join(this.staging, name);
    mkdirSync(dirname(path), { recursive: true });
    const fh = await open(path, 'w');
    this.open.add(fh);
    let written = 0;
    return {
      write: async (chunk) => {
        let at = 0;
        while (at < chunk.byteLength) {
          const { bytesWritten } = await fh.write(chunk, at, chunk.byteLength - at);
          at += bytesWritten;
        }
        written += chunk.byteLength;
      },
      close: async () => {
        this.open.delete(fh);
        await fh.close();
        if (written !== size) throw new Error(`${name}: ${written} bytes written, ${size} planned`);
      },
    };
  }

  async commit(): Promise<void> {
    if (existsSync(this.target)) rmdirSync(this.target); // empty (checked in the constructor)
    renameSync(this.staging, this.target);
    this.done = true;
    process.off('exit', this.onExit);
  }

  async abort(): Promise<void> {
    for (const fh of this.open) await fh.close().catch(() => {});
    this.open.clear();
    this.discard();
  }

  private discard(): void {
    if (!this.done) rmSync(this.staging, { recursive: true, force: true });
    process.off('exit', this.onExit);
  }
}
