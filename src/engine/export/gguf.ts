/**
 * A small GGUF (v3) writer, streamed: magic "GGUF", version 3, tensor and metadata counts, the metadata key/values,
 * the tensor infos (name, dims innermost first, ggml type, offset in the data section), padding to
 * general.alignment (32), then each tensor's data at its aligned offset. Everything before the data is computed from
 * the shapes, so tensors are produced and written one at a time. Little-endian, as llama.cpp reads it.
 */
import { encodeF32 } from './merge';
import type { PlannedFile } from './sink';

export const GGUF_ALIGNMENT = 32;

/** ggml tensor types we write. */
export const GGML_TYPE = { F32: 0, F16: 1, BF16: 30 } as const;
export type GgmlType = keyof typeof GGML_TYPE;

/** GGUF metadata value types. */
const VT = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12 } as const;
type Scalar = 'u32' | 'i32' | 'f32' | 'bool' | 'string' | 'u64';

export type GgufValue =
  | { type: Scalar; value: number | boolean | string }
  | { type: 'array'; of: Scalar; value: (number | boolean | string)[] };

export type GgufMetadata = [string, GgufValue][];

export const str = (value: string): GgufValue => ({ type: 'string', value });
export const u32 = (value: number): GgufValue => ({ type: 'u32', value });
export const i32 = (value: number): GgufValue => ({ type: 'i32', value });
export const f32 = (value: number): GgufValue => ({ type: 'f32', value });
export const bool = (value: boolean): GgufValue => ({ type: 'bool', value });
export const arr = (of: Scalar, value: (number | boolean | string)[]): GgufValue => ({ type: 'array', of, value });

export interface GgufTensor {
  name: string;
  /** ggml dims, innermost (contiguous) first: a torch [rows, cols] tensor is [cols, rows]. */
  ne: number[];
  type: GgmlType;
  /** The values in row-major torch order (= ggml order), as f32. */
  read(signal?: AbortSignal): Promise<Float32Array>;
}

class Bytes {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private need(n: number) {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(x: number) { this.need(1); this.view.setUint8(this.length, x); this.length += 1; }
  i32(x: number) { this.need(4); this.view.setInt32(this.length, x, true); this.length += 4; }
  u32(x: number) { this.need(4); this.view.setUint32(this.length, x, true); this.length += 4; }
  f32(x: number) { this.need(4); this.view.setFloat32(this.length, x, true); this.length += 4; }
  u64(x: number) { this.need(8); this.view.setBigUint64(this.length, BigInt(x), true); this.length += 8; }
  str(s: string) {
    const b = new TextEncoder().encode(s);
    this.u64(b.byteLength);
    this.need(b.byteLength);
    this.buf.set(b, this.length);
    this.length += b.byteLength;
  }
  pad(to: number) { while (this.length % to) this.u8(0); }
  bytes() { return this.buf.slice(0, this.length); }
}

function scalar(b: Bytes, t: Scalar, v: number | boolean | string, key: string) {
  if (t === 'string') {
    if (typeof v !== 'string') throw new Error(`GGUF ${key}: expected a string`);
    return b.str(v);
  }
  if (t === 'bool') return b.u8(v ? 1 : 0);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`GGUF ${key}: expected a number, got ${String(v)}`);
  if (t === 'u32') return b.u32(v);
  if (t === 'i32') return b.i32(v);
  if (t === 'u64') return b.u64(v);
  return b.f32(v);
}

const elementBytes = (t: GgmlType) => (t === 'F32' ? 4 : 2);
export const tensorBytes = (t: Pick<GgufTensor, 'ne' | 'type'>) => t.ne.reduce((a, d) => a * d, 1) * elementBytes(t.type);
const align = (n: number) => Math.ceil(n / GGUF_ALIGNMENT) * GGUF_ALIGNMENT;

/** The header (through the padding before the data section) and each tensor's offset. */
export function ggufHeader(metadata: GgufMetadata, tensors: readonly Pick<GgufTensor, 'name' | 'ne' | 'type'>[]): { header: Uint8Array; offsets: number[]; dataBytes: number } {
  const seen = new Set<string>();
  for (const [k] of metadata) {
    if (seen.has(k)) throw new Error(`GGUF metadata key ${k} appears twice`);
    seen.add(k);
  }
  const b = new Bytes();
  b.u32(0x46554747); // "GGUF"
  b.u32(3);
  b.u64(tensors.length);
  b.u64(metadata.length);
  for (const [key, v] of metadata) {
    b.str(key);
    if (v.type === 'array') {
      b.u32(VT.array);
      b.u32(VT[v.of]);
      b.u64(v.value.length);
      for (const x of v.value) scalar(b, v.of, x, key);
    } else {
      b.u32(VT[v.type]);
      scalar(b, v.type, v.value, key);
    }
  }
  const offsets: number[] = [];
  let at = 0;
  for (const t of tensors) {
    if (t.name.length > 63) throw new Error(`GGUF tensor name ${t.name} is longer than 63 bytes`);
    b.str(t.name);
    b.u32(t.ne.length);
    for (const d of t.ne) b.u64(d);
    b.u32(GGML_TYPE[t.type]);
    at = align(at);
    offsets.push(at);
    b.u64(at);
    at += tensorBytes(t);
  }
  b.pad(GGUF_ALIGNMENT);
  return { header: b.bytes(), offsets, dataBytes: at };
}

/** A GGUF file as a PlannedFile: its exact size is known before any tensor is read. */
export function ggufFile(name: string, metadata: GgufMetadata, tensors: readonly GgufTensor[]): PlannedFile {
  const { header, offsets, dataBytes } = ggufHeader(metadata, tensors);
  return {
    name,
    size: header.byteLength + dataBytes,
    async *bytes(signal) {
      yield header;
      let at = 0;
      for (let i = 0; i < tensors.length; i++) {
        const t = tensors[i];
        if (offsets[i] > at) yield new Uint8Array(offsets[i] - at);
        const v = await t.read(signal);
        const n = t.ne.reduce((a, d) => a * d, 1);
        if (v.length !== n) throw new Error(`GGUF tensor ${t.name}: ${v.length} values for dims [${t.ne.join(', ')}]`);
        const data = encodeF32(v, t.type);
        yield data;
        at = offsets[i] + data.byteLength;
      }
    },
  };
}
