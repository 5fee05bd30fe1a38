/**
 * NaN/Inf detection on raw weight bits, for loaders: one NaN in a weight silently turns every output into NaN (a model
 * that "generates nothing", a run that stops before its first step), so every tensor is checked as it is read and
 * refused by name. One integer test per element, on the file's own bytes (F32, F16 or BF16, little-endian).
 */
import { bf16BitsToF32, f16BitsToF32 } from './convert';

/** Index of the first NaN/±Inf among `count` f32 values (exponent bits all ones), or -1. */
export function firstNonFiniteF32(words: Uint32Array, count = words.length): number {
  for (let i = 0; i < count; i++) if ((words[i] & 0x7f800000) === 0x7f800000) return i;
  return -1;
}

/** Index of the first NaN/±Inf of an f32 array, or -1. */
export function firstNonFinite(values: Float32Array): number {
  return firstNonFiniteF32(new Uint32Array(values.buffer, values.byteOffset, values.length));
}

/** "holds NaN at element 12" / "holds +Inf at element 0": what the first non-finite value is and where. */
export function describeNonFinite(value: number, index: number): string {
  return `holds ${Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf'} at element ${index}`;
}

const SPEC = {
  F32: { size: 4, mask: 0x7f800000 },
  F16: { size: 2, mask: 0x7c00 },
  BF16: { size: 2, mask: 0x7f80 },
} as const;

/**
 * Checks a tensor's bytes as they stream in arbitrary chunks (elements may straddle chunks): push() returns the index of
 * the first NaN/±Inf element seen so far, with its value, or null.
 */
export class StreamFiniteCheck {
  private readonly size: number;
  private readonly mask: number;
  private carry = new Uint8Array(4);
  private carried = 0;
  private elements = 0;

  constructor(private readonly dtype: keyof typeof SPEC) {
    ({ size: this.size, mask: this.mask } = SPEC[dtype]);
  }

  push(chunk: Uint8Array): { index: number; value: number } | null {
    let at = 0;
    if (this.carried) {
      const take = Math.min(this.size - this.carried, chunk.length);
      this.carry.set(chunk.subarray(0, take), this.carried);
      this.carried += take;
      at = take;
      if (this.carried < this.size) return null;
      this.carried = 0;
      const bad = this.scan(this.carry, 0, 1);
      if (bad) return bad;
    }
    const whole = Math.floor((chunk.length - at) / this.size);
    const bad = this.scan(chunk, at, whole);
    if (bad) return bad;
    at += whole * this.size;
    this.carry.set(chunk.subarray(at), 0);
    this.carried = chunk.length - at;
    return null;
  }

  private scan(bytes: Uint8Array, from: number, count: number): { index: number; value: number } | null {
    const { size, mask } = this;
    for (let i = 0; i < count; i++) {
      const p = from + i * size;
      const bits = size === 4 ? (bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) >>> 0 : bytes[p] | (bytes[p + 1] << 8);
      if ((bits & mask) === mask) {
        const value = this.dtype === 'F32' ? new Float32Array(Uint32Array.of(bits).buffer)[0] : this.dtype === 'F16' ? f16BitsToF32(bits) : bf16BitsToF32(bits);
        return { index: this.elements + i, value };
      }
    }
    this.elements += count;
    return null;
  }
}
