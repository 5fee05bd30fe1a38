/**
 * A streamed .zip as an ExportSink: "stored" entries (weights do not compress) written front to back with data
 * descriptors (the CRC is known only after the data), ZIP64 records where a size or an offset passes 4 GiB, so a
 * model of any size streams through without the archive ever being held whole. Bytes go to `emit` as they are made;
 * the consumer (a file, a download) decides where they land. abort() tells the consumer to throw everything away.
 */
import { crc32Update } from './crc32';
import type { ExportFile, ExportSink } from './sink';

const MAX32 = 0xffffffff;

interface Entry {
  name: Uint8Array;
  offset: number;
  size: number;
  crc: number;
  zip64: boolean;
}

export interface ZipStreamOptions {
  /** Receives the archive's bytes in order (may apply backpressure by returning a promise). */
  emit(chunk: Uint8Array): Promise<void> | void;
  /** The export failed or was cancelled: discard what was emitted. */
  discard?(): Promise<void> | void;
  /** Everything was emitted. */
  finish?(): Promise<void> | void;
  /** Folder inside the archive ('' = none). */
  folder?: string;
  /** Use ZIP64 records for every entry (tests). */
  forceZip64?: boolean;
  when?: Date;
}

function dos(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: (Math.max(0, d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

class Writer {
  readonly bytes: Uint8Array;
  private readonly v: DataView;
  private p = 0;
  constructor(n: number) {
    this.bytes = new Uint8Array(n);
    this.v = new DataView(this.bytes.buffer);
  }
  u16(x: number) { this.v.setUint16(this.p, x, true); this.p += 2; return this; }
  u32(x: number) { this.v.setUint32(this.p, x >>> 0, true); this.p += 4; return this; }
  u64(x: number) { this.v.setBigUint64(this.p, BigInt(x), true); this.p += 8; return this; }
  raw(b: Uint8Array) { this.bytes.set(b, this.p); this.p += b.byteLength; return this; }
  get length() { return this.p; }
}

export class ZipStreamSink implements ExportSink {
  private offset = 0;
  private readonly entries: Entry[] = [];
  private readonly stamp: { time: number; date: number };
  private aborted = false;
  constructor(private readonly o: ZipStreamOptions) {
    this.stamp = dos(o.when ?? new Date());
  }

  private async out(b: Uint8Array): Promise<void> {
    this.offset += b.byteLength;
    await this.o.emit(b);
  }

  async file(name: string, size: number): Promise<ExportFile> {
    const path = new TextEncoder().encode(this.o.folder ? `${this.o.folder}/${name}` : name);
    const zip64 = this.o.forceZip64 === true || size >= MAX32 || this.offset >= MAX32;
    const entry: Entry = { name: path, offset: this.offset, size, crc: 0, zip64 };
    const extra = zip64 ? 20 : 0;
    const h = new Writer(30 + path.byteLength + extra);
    h.u32(0x04034b50).u16(zip64 ? 45 : 20).u16(0x0808).u16(0).u16(this.stamp.time).u16(this.stamp.date);
    h.u32(0).u32(zip64 ? MAX32 : 0).u32(zip64 ? MAX32 : 0).u16(path.byteLength).u16(extra).raw(path);
    if (zip64) h.u16(0x0001).u16(16).u64(0).u64(0);
    await this.out(h.bytes);
    let crc = 0xffffffff, written = 0;
    return {
      write: async (chunk) => {
        crc = crc32Update(crc, chunk);
        written += chunk.byteLength;
        await this.out(chunk);
      },
      close: async () => {
        if (written !== size) throw new Error(`${name}: ${written} bytes written, ${size} declared`);
        entry.crc = (crc ^ 0xffffffff) >>> 0;
        const d = new Writer(zip64 ? 24 : 16);
        d.u32(0x08074b50).u32(entry.crc);
        if (zip64) d.u64(size).u64(size);
        else d.u32(size).u32(size);
        await this.out(d.bytes);
        this.entries.push(entry);
      },
    };
  }

  async commit(): Promise<void> {
    const start = this.offset;
    for (const e of this.entries) {
      const big = e.zip64 || e.offset >= MAX32;
      const extra = big ? 28 : 0;
      const c = new Writer(46 + e.name.byteLength + extra);
      c.u32(0x02014b50).u16(big ? 45 : 20).u16(big ? 45 : 20).u16(0x0808).u16(0).u16(this.stamp.time).u16(this.stamp.date);
      c.u32(e.crc).u32(big ? MAX32 : e.size).u32(big ? MAX32 : e.size).u16(e.name.byteLength).u16(extra).u16(0).u16(0).u16(0).u32(0);
      c.u32(big ? MAX32 : e.offset).raw(e.name);
      if (big) c.u16(0x0001).u16(24).u64(e.size).u64(e.size).u64(e.offset);
      await this.out(c.bytes);
    }
    const cdSize = this.offset - start;
    const n = this.entries.length;
    if (this.o.forceZip64 || start >= MAX32 || cdSize >= MAX32 || n >= 0xffff) {
      const z = new Writer(56 + 20);
      const at = this.offset;
      z.u32(0x06064b50).u64(44).u16(45).u16(45).u32(0).u32(0).u64(n).u64(n).u64(cdSize).u64(start);
      z.u32(0x07064b50).u32(0).u64(at).u32(1);
      await this.out(z.bytes);
      const e = new Writer(22);
      e.u32(0x06054b50).u16(0).u16(0).u16(0xffff).u16(0xffff).u32(MAX32).u32(MAX32).u16(0);
      await this.out(e.bytes);
    } else {
      const e = new Writer(22);
      e.u32(0x06054b50).u16(0).u16(0).u16(n).u16(n).u32(cdSize).u32(start).u16(0);
      await this.out(e.bytes);
    }
    await this.o.finish?.();
  }

  async abort(): Promise<void> {
    if (this.aborted) return;
    this.aborted = true;
    try {
      await this.o.discard?.();
    } catch {
      /* nothing more to remove */
    }
  }
}
