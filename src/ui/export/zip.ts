/**
 * A minimal ZIP writer: "stored" entries (no compression — safetensors weights do not compress anyway), CRC-32,
 * UTF-8 names, one central directory. Enough for an adapter folder of three files; no dependency.
 */

import { crc32Update } from '../../engine/export/crc32';

export function crc32(data: Uint8Array): number {
  return (crc32Update(0xffffffff, data) ^ 0xffffffff) >>> 0;
}

export interface ZipEntry {
  name: string;
  data: Uint8Array | string;
}

function dosDateTime(d: Date): { time: number; date: number } {
  const time = (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2);
  const date = (Math.max(0, d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate();
  return { time, date };
}

/** The bytes of a .zip holding `entries` (stored, not compressed). */
export function zipStore(entries: ZipEntry[], when = new Date()): Uint8Array {
  const enc = new TextEncoder();
  const { time, date } = dosDateTime(when);
  const files = entries.map((e) => {
    const data = typeof e.data === 'string' ? enc.encode(e.data) : e.data;
    return { name: enc.encode(e.name), data, crc: crc32(data) };
  });
  const localSize = files.reduce((a, f) => a + 30 + f.name.length + f.data.length, 0);
  const centralSize = files.reduce((a, f) => a + 46 + f.name.length, 0);
  if (localSize + centralSize + 22 > 0xffffffff || files.length > 0xffff) throw new Error('The archive is too large for a ZIP without ZIP64.');
  const out = new Uint8Array(localSize + centralSize + 22);
  const v = new DataView(out.buffer);
  let p = 0;
  const offsets: number[] = [];
  const head = (sig: number) => {
    v.setUint32(p, sig, true);
    p += 4;
  };
  const u16 = (x: number) => {
    v.setUint16(p, x, true);
    p += 2;
  };
  const u32 = (x: number) => {
    v.setUint32(p, x, true);
    p += 4;
  };
  for (const f of files) {
    offsets.push(p);
    head(0x04034b50);
    u16(20); u16(0x0800); u16(0); u16(time); u16(date); // version, flags (UTF-8), method 0 = stored
    u32(f.crc); u32(f.data.length); u32(f.data.length);
    u16(f.name.length); u16(0);
    out.set(f.name, p); p += f.name.length;
    out.set(f.data, p); p += f.data.length;
  }
  const central = p;
  files.forEach((f, i) => {
    head(0x02014b50);
    u16(20); u16(20); u16(0x0800); u16(0); u16(time); u16(date);
    u32(f.crc); u32(f.data.length); u32(f.data.length);
    u16(f.name.length); u16(0); u16(0); u16(0); u16(0); u32(0); u32(offsets[i]);
    out.set(f.name, p); p += f.name.length;
  });
  const centralBytes = p - central;
  head(0x06054b50);
  u16(0); u16(0); u16(files.length); u16(files.length); u32(centralBytes); u32(central); u16(0);
  return out;
}

/** Reads a stored-only ZIP back (for tests and for checking what we wrote): name → bytes, CRC-checked. */
export function unzipStore(zip: Uint8Array): Map<string, Uint8Array> {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const end = zip.length - 22;
  if (v.getUint32(end, true) !== 0x06054b50) throw new Error('not a zip (no end of central directory)');
  const count = v.getUint16(end + 10, true);
  let p = v.getUint32(end + 16, true);
  const dec = new TextDecoder();
  const out = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    if (v.getUint32(p, true) !== 0x02014b50) throw new Error('bad central directory');
    const crc = v.getUint32(p + 16, true), size = v.getUint32(p + 20, true), nameLen = v.getUint16(p + 28, true);
    const local = v.getUint32(p + 42, true);
    const name = dec.decode(zip.subarray(p + 46, p + 46 + nameLen));
    const start = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
    const data = zip.subarray(start, start + size);
    if (crc32(data) !== crc) throw new Error(`CRC mismatch for ${name}`);
    out.set(name, data);
    p += 46 + nameLen + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
  }
  return out;
}
