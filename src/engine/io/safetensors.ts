/**
 * The safetensors format: 8 bytes little-endian u64 N, then N bytes of UTF-8 JSON (padded with spaces), then the data
 * section. The JSON maps tensor names to { dtype, shape, data_offsets: [begin, end] } (offsets relative to the data
 * section) plus an optional "__metadata__" map of strings. The data section must be exactly covered by the tensors:
 * contiguous, no overlap, no hole, nothing after the last tensor. We check all of it before anything is streamed,
 * because a loader that trusts a bad header writes garbage into the model.
 */
import { ModelFileError } from './errors';

/** Bits per element of every dtype the format defines, in the library's (increasing alignment) order. */
const DTYPE_BITS: Record<string, number> = {
  BOOL: 8, F4: 4, F6_E2M3: 6, F6_E3M2: 6, U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8, I16: 16, U16: 16,
  F16: 16, BF16: 16, I32: 32, U32: 32, F32: 32, C64: 64, F64: 64, I64: 64, U64: 64,
};
const DTYPE_ORDER = Object.keys(DTYPE_BITS);

/** The dtypes the studio loads as weights. Anything else (e.g. an I64 position_ids buffer) is parsed but unsupported. */
export type WeightDtype = 'F32' | 'F16' | 'BF16';
export const WEIGHT_DTYPES: readonly WeightDtype[] = ['F32', 'F16', 'BF16'];

export function isWeightDtype(d: string): d is WeightDtype {
  return d === 'F32' || d === 'F16' || d === 'BF16';
}

/** Bytes per element of a weight dtype. */
export function dtypeBytes(d: WeightDtype): number {
  return d === 'F32' ? 4 : 2;
}

export interface TensorInfo {
  name: string;
  /** As written in the file ("F32", "BF16", "I64", ...). */
  dtype: string;
  shape: number[];
  /** Byte range [begin, end) relative to the start of the data section. */
  begin: number;
  end: number;
  /** True for F32/F16/BF16, the dtypes the loader can convert. */
  supported: boolean;
}

export interface SafetensorsHeader {
  /** N, the JSON length. */
  headerLength: number;
  /** Where the data section starts in the file: 8 + N. */
  dataOffset: number;
  /** Bytes in the data section (the last tensor's end). */
  dataLength: number;
  /** Sorted by begin (file order). */
  tensors: TensorInfo[];
  metadata: Record<string, string>;
}

export interface HeaderContext {
  /** Shown in error messages. */
  fileName: string;
  /** Total file size when known (from Content-Range or Blob.size): enables the end-of-file checks. */
  fileSize?: number;
}

/** The safetensors library refuses headers above 100 MB; so do we. */
export const MAX_HEADER_BYTES = 100_000_000;

/** Reads and checks N from the first 8 bytes. */
export function readHeaderLength(first8: Uint8Array, { fileName, fileSize }: HeaderContext): number {
  if (first8.byteLength < 8) throw new ModelFileError(fileName, `is only ${first8.byteLength} bytes long; not a safetensors file.`);
  const view = new DataView(first8.buffer, first8.byteOffset, 8);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const n = hi * 2 ** 32 + lo;
  if (hi !== 0 || n > MAX_HEADER_BYTES)
    throw new ModelFileError(fileName, `declares a ${n}-byte header (limit ${MAX_HEADER_BYTES}); this is not a valid safetensors file.`);
  if (n < 2) throw new ModelFileError(fileName, `declares a ${n}-byte header, too small for a JSON object; not a safetensors file.`);
  if (fileSize !== undefined && 8 + n > fileSize)
    throw new ModelFileError(fileName, `declares a ${n}-byte header but the file is only ${fileSize} bytes long (truncated, or not a safetensors file).`);
  return n;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses and validates the header. `bytes` starts at the beginning of the file and holds at least 8 + N bytes.
 * Throws ModelFileError naming the file (and tensor) for anything wrong.
 */
export function parseSafetensorsHeader(bytes: Uint8Array, ctx: HeaderContext): SafetensorsHeader {
  const { fileName, fileSize } = ctx;
  const n = readHeaderLength(bytes, ctx);
  if (bytes.byteLength < 8 + n)
    throw new ModelFileError(fileName, `header is ${n} bytes but only ${bytes.byteLength - 8} were read.`);
  let text: string;
  try {
    text = utf8.decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new ModelFileError(fileName, 'header is not valid UTF-8; the file is corrupt or not a safetensors file.');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelFileError(fileName, `header is not valid JSON (${(e as Error).message}).`);
  }
  if (!isObject(json)) throw new ModelFileError(fileName, 'header is not a JSON object.');

  let metadata: Record<string, string> = {};
  const tensors: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(json)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(entry, fileName);
      continue;
    }
    tensors.push(parseEntry(name, entry, fileName));
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);

  let pos = 0;
  let prev: TensorInfo | null = null;
  for (const t of tensors) {
    if (t.begin < pos)
      throw new ModelFileError(fileName, `tensor "${t.name}" [${t.begin}, ${t.end}) overlaps "${prev!.name}" [${prev!.begin}, ${prev!.end}).`, t.name);
    if (t.begin > pos) {
      const after = prev ? `after "${prev.name}"` : 'at the start of the data section';
      throw new ModelFileError(fileName, `leaves a hole of ${t.begin - pos} bytes ${after}, before "${t.name}" (the data section must be contiguous).`, t.name);
    }
    pos = t.end;
    prev = t;
  }
  const dataOffset = 8 + n;
  if (fileSize !== undefined) {
    const available = fileSize - dataOffset;
    if (pos > available) {
      const t = tensors.find((x) => x.end > available)!;
      throw new ModelFileError(
        fileName,
        `tensor "${t.name}" ends at data byte ${t.end} but the file holds only ${available} data bytes (${fileSize} bytes in all): the file is truncated.`,
        t.name,
      );
    }
    if (pos < available)
      throw new ModelFileError(fileName, `has ${available - pos} bytes after the last tensor that no tensor accounts for.`);
  }
  return { headerLength: n, dataOffset, dataLength: pos, tensors, metadata };
}

function parseMetadata(entry: unknown, fileName: string): Record<string, string> {
  if (!isObject(entry)) throw new ModelFileError(fileName, '"__metadata__" must be a map of strings.');
  for (const [k, v] of Object.entries(entry))
    if (typeof v !== 'string') throw new ModelFileError(fileName, `"__metadata__" value for "${k}" is not a string.`);
  return entry as Record<string, string>;
}

function parseEntry(name: string, entry: unknown, fileName: string): TensorInfo {
  const bad = (problem: string) => new ModelFileError(fileName, `tensor "${name}": ${problem}`, name);
  if (!isObject(entry)) throw bad('header entry is not an object.');
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string') throw bad('missing "dtype".');
  const bits = DTYPE_BITS[dtype];
  if (bits === undefined) throw bad(`unknown dtype "${dtype}" (known: ${DTYPE_ORDER.join(', ')}).`);
  if (!Array.isArray(shape)) throw bad('missing "shape" array.');
  let elements = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)
      throw bad(`shape [${shape.join(', ')}] has an invalid dimension ${JSON.stringify(d)} (must be a non-negative integer).`);
    elements *= d;
    if (!Number.isSafeInteger(elements)) throw bad(`shape [${shape.join(', ')}] is too large.`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2) throw bad('"data_offsets" must be [begin, end].');
  const [begin, end] = offsets as unknown[];
  if (!isOffset(begin) || !isOffset(end)) throw bad(`data_offsets [${offsets.join(', ')}] must be non-negative integers.`);
  if (end < begin) throw bad(`data_offsets [${begin}, ${end}] are out of order (end before begin).`);
  const bitsTotal = elements * bits;
  if (bitsTotal % 8 !== 0) throw bad(`${elements} ${dtype} elements do not fill whole bytes.`);
  const bytes = bitsTotal / 8;
  if (end - begin !== bytes)
    throw bad(`shape [${shape.join(', ')}] × ${dtype} (${bits / 8} bytes) = ${bytes} bytes, but data_offsets [${begin}, ${end}] span ${end - begin}.`);
  return { name, dtype, shape: shape as number[], begin, end, supported: isWeightDtype(dtype) };
}

const isOffset = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A tensor to write. F32 data is a Float32Array; F16 and BF16 data are the raw 16-bit patterns in a Uint16Array. */
export interface TensorToWrite {
  name: string;
  dtype: WeightDtype;
  shape: number[];
  data: Float32Array | Uint16Array;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Serializes tensors into a safetensors file, laid out as the reference library does: sorted by descending dtype
 * alignment (F32, then BF16, then F16), then by name (byte order); header padded with spaces to a multiple of 8 so
 * every tensor starts aligned.
 */
export function serializeSafetensors(tensors: TensorToWrite[], metadata?: Record<string, string>): Uint8Array {
  if (!littleEndian) throw new Error('serializeSafetensors needs a little-endian platform.');
  const enc = new TextEncoder();
  const seen = new Set<string>();
  for (const t of tensors) {
    const where = `tensor "${t.name}"`;
    if (t.name === '__metadata__' || t.name === '') throw new Error(`${where}: reserved or empty name.`);
    if (seen.has(t.name)) throw new Error(`${where} appears twice.`);
    seen.add(t.name);
    if (!isWeightDtype(t.dtype)) throw new Error(`${where}: cannot write dtype ${String(t.dtype)}.`);
    const wantF32 = t.dtype === 'F32';
    if (wantF32 !== t.data instanceof Float32Array || (!wantF32 && !(t.data instanceof Uint16Array)))
      throw new Error(`${where}: ${t.dtype} data must be a ${wantF32 ? 'Float32Array' : 'Uint16Array of raw bits'}.`);
    const count = t.shape.reduce((a, d) => {
      if (!Number.isSafeInteger(d) || d < 0) throw new Error(`${where}: invalid dimension ${d}.`);
      return a * d;
    }, 1);
    if (count !== t.data.length) throw new Error(`${where}: shape [${t.shape.join(', ')}] has ${count} elements but data has ${t.data.length}.`);
  }
  const keyed = tensors.map((t) => ({ t, key: enc.encode(t.name) }));
  keyed.sort((a, b) => DTYPE_ORDER.indexOf(b.t.dtype) - DTYPE_ORDER.indexOf(a.t.dtype) || compareBytes(a.key, b.key));

  // Written by hand to keep exactly this key order (an object would move integer-like names first).
  const entries: string[] = [];
  if (metadata && Object.keys(metadata).length > 0) entries.push(`"__metadata__":${jsonMap(metadata)}`);
  let offset = 0;
  for (const { t } of keyed) {
    const info = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    entries.push(`${JSON.stringify(t.name)}:${JSON.stringify(info)}`);
    offset += t.data.byteLength;
  }
  const json = enc.encode(`{${entries.join(',')}}`);
  const n = Math.ceil(json.byteLength / 8) * 8;
  const out = new Uint8Array(8 + n + offset);
  new DataView(out.buffer).setUint32(0, n, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + n);
  let pos = 8 + n;
  for (const { t } of keyed) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}

function jsonMap(m: Record<string, string>): string {
  return `{${Object.entries(m).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(String(v))}`).join(',')}}`;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
