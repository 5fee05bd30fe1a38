/**
 * Dtype conversion of weight bytes as they stream in. Chunks arrive at arbitrary byte boundaries (a network chunk can
 * end in the middle of an element), so a converter carries the partial element over to the next chunk.
 *   to f32: F32 passthrough, BF16 exact (the top half of an f32), F16 exact (table of all 65536 patterns, so
 *           subnormals, ±inf and NaN come out right);
 *   to f16: F16 passthrough, F32/BF16 rounded to nearest, ties to even; overflow gives ±inf, NaN stays NaN.
 * Input may sit at any byte offset; the output region must be aligned to the output element size.
 */
import { dtypeBytes, type WeightDtype } from './safetensors';

export type TargetFormat = 'f32' | 'f16';

export const formatBytes = (f: TargetFormat): number => (f === 'f32' ? 4 : 2);

let f16Table: Uint32Array | null = null;

/** f32 bit pattern of every f16 pattern. Built once (256 KB). */
function f16ToF32Table(): Uint32Array {
  if (f16Table) return f16Table;
  const t = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = f16BitsToF32Bits(h);
  f16Table = t;
  return t;
}

function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // Subnormal: value = mant × 2^-24. Normalise so the leading 1 moves to bit 10.
  let e = 113;
  while ((mant & 0x400) === 0) {
    mant <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((mant & 0x3ff) << 13)) >>> 0;
}

/** f32 bit pattern → f16 bit pattern, round to nearest even. */
export function f32BitsToF16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return mant ? sign | 0x7e00 | (mant >>> 13) : sign | 0x7c00; // NaN (kept quiet) or inf
  const e = exp - 112; // re-biased exponent
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Result is subnormal (or zero): value in units of 2^-24 is m >> shift.
    const shift = 14 - e;
    if (shift > 25) return sign;
    const m = mant | 0x800000;
    let r = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (r & 1))) r++;
    return sign | r; // r may reach 0x400, which is the smallest normal: the encoding carries over correctly
  }
  let r = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (r & 1))) r++; // may carry into the exponent, up to inf: correct
  return sign | r;
}

const scratch = new DataView(new ArrayBuffer(4));
export function f32ToBits(v: number): number {
  scratch.setFloat32(0, v, true);
  return scratch.getUint32(0, true);
}
export function bitsToF32(b: number): number {
  scratch.setUint32(0, b >>> 0, true);
  return scratch.getFloat32(0, true);
}
export const f16BitsToF32 = (h: number): number => bitsToF32(f16ToF32Table()[h & 0xffff]);
export const bf16BitsToF32 = (h: number): number => bitsToF32((h & 0xffff) << 16);
export const f32ToF16Bits = (v: number): number => f32BitsToF16Bits(f32ToBits(v));

/** f32 → bf16 bit pattern, round to nearest even (NaN stays NaN). For writing BF16 files. */
export function f32ToBf16Bits(v: number): number {
  const x = f32ToBits(v);
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Converts a stream of `src` bytes into `target` elements, carrying a partial element between chunks. */
export class StreamConverter {
  readonly srcBytes: number;
  readonly dstBytes: number;
  private readonly carry = new Uint8Array(4);
  private carried = 0;
  constructor(
    readonly src: WeightDtype,
    readonly target: TargetFormat,
  ) {
    this.srcBytes = dtypeBytes(src);
    this.dstBytes = formatBytes(target);
  }

  /** Bytes of a partial element waiting for the next chunk. */
  get pending(): number {
    return this.carried;
  }

  /** Output bytes that pushing `inputBytes` more bytes will produce. */
  outputBytesFor(inputBytes: number): number {
    return Math.floor((this.carried + inputBytes) / this.srcBytes) * this.dstBytes;
  }

  /** The most input bytes whose output fits in `room` bytes (≥ 1 whole element's worth when room ≥ dstBytes). */
  inputBytesFor(room: number): number {
    return Math.max(0, Math.floor(room / this.dstBytes) * this.srcBytes - this.carried);
  }

  /** Converts `chunk` into `out` at `outOffset`; returns the bytes written. `out` must have outputBytesFor() room. */
  push(chunk: Uint8Array, out: Uint8Array, outOffset: number): number {
    const S = this.srcBytes;
    let i = 0;
    let o = outOffset;
    if (this.carried > 0) {
      const take = Math.min(S - this.carried, chunk.byteLength);
      this.carry.set(chunk.subarray(0, take), this.carried);
      this.carried += take;
      i = take;
      if (this.carried < S) return 0;
      this.run(this.carry, 0, 1, out, o);
      o += this.dstBytes;
      this.carried = 0;
    }
    const count = Math.floor((chunk.byteLength - i) / S);
    if (count > 0) {
      this.run(chunk, i, count, out, o);
      o += count * this.dstBytes;
      i += count * S;
    }
    if (i < chunk.byteLength) {
      this.carry.set(chunk.subarray(i));
      this.carried = chunk.byteLength - i;
    }
    return o - outOffset;
  }

  private run(src: Uint8Array, at: number, count: number, out: Uint8Array, outOffset: number): void {
    const { src: from, target } = this;
    if ((from === 'F32' && target === 'f32') || (from === 'F16' && target === 'f16')) {
      out.set(src.subarray(at, at + count * this.srcBytes), outOffset);
      return;
    }
    const dstAt = out.byteOffset + outOffset;
    if (dstAt % this.dstBytes !== 0) throw new RangeError(`converter output must be ${this.dstBytes}-byte aligned (offset ${dstAt}).`);
    if (target === 'f32') {
      const dst = new Uint32Array(out.buffer, dstAt, count);
      if (from === 'BF16') for (let k = 0, p = at; k < count; k++, p += 2) dst[k] = (src[p] | (src[p + 1] << 8)) << 16;
      else {
        const table = f16ToF32Table();
        for (let k = 0, p = at; k < count; k++, p += 2) dst[k] = table[src[p] | (src[p + 1] << 8)];
      }
      return;
    }
    const dst = new Uint16Array(out.buffer, dstAt, count);
    if (from === 'BF16') for (let k = 0, p = at; k < count; k++, p += 2) dst[k] = f32BitsToF16Bits((src[p] | (src[p + 1] << 8)) << 16);
    else
      for (let k = 0, p = at; k < count; k++, p += 4)
        dst[k] = f32BitsToF16Bits(src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24));
  }
}

/** Whole-buffer conversion (tests, small tensors): returns a fresh, aligned array. */
export function convertBytes(bytes: Uint8Array, src: WeightDtype, target: 'f32'): Float32Array;
export function convertBytes(bytes: Uint8Array, src: WeightDtype, target: 'f16'): Uint16Array;
export function convertBytes(bytes: Uint8Array, src: WeightDtype, target: TargetFormat): Float32Array | Uint16Array {
  const c = new StreamConverter(src, target);
  if (bytes.byteLength % c.srcBytes !== 0) throw new RangeError(`${bytes.byteLength} bytes is not a whole number of ${src} elements.`);
  const out = new Uint8Array(c.outputBytesFor(bytes.byteLength));
  c.push(bytes, out, 0);
  return target === 'f32' ? new Float32Array(out.buffer) : new Uint16Array(out.buffer);
}
