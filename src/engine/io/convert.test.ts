import { describe, it, expect } from 'vitest';
import {
  StreamConverter,
  convertBytes,
  f16BitsToF32,
  bf16BitsToF32,
  f32ToF16Bits,
  f32ToBf16Bits,
  type TargetFormat,
} from './convert';
import type { WeightDtype } from './safetensors';

/** Independent decoders: the IEEE formulas, no bit tricks. */
function decode(bits: number, expBits: number, mantBits: number): number {
  const sign = bits >> (expBits + mantBits) ? -1 : 1;
  const exp = (bits >> mantBits) & ((1 << expBits) - 1);
  const mant = bits & ((1 << mantBits) - 1);
  const bias = (1 << (expBits - 1)) - 1;
  if (exp === (1 << expBits) - 1) return mant ? NaN : sign * Infinity;
  if (exp === 0) return sign * mant * 2 ** (1 - bias - mantBits);
  return sign * (1 + mant / 2 ** mantBits) * 2 ** (exp - bias);
}
const same = (a: number, b: number) => (Number.isNaN(a) ? Number.isNaN(b) : Object.is(a, b));

describe('scalar conversions', () => {
  it('decodes every f16 and bf16 pattern exactly (subnormals, ±0, ±inf, NaN)', () => {
    for (let h = 0; h < 65536; h++) {
      const f16 = decode(h, 5, 10);
      if (!same(f16BitsToF32(h), f16)) throw new Error(`f16 0x${h.toString(16)}: got ${f16BitsToF32(h)}, want ${f16}`);
      const bf = decode(h, 8, 7);
      if (!same(bf16BitsToF32(h), bf)) throw new Error(`bf16 0x${h.toString(16)}: got ${bf16BitsToF32(h)}, want ${bf}`);
    }
    expect(f16BitsToF32(0x0001)).toBe(2 ** -24);
    expect(f16BitsToF32(0x7bff)).toBe(65504);
    expect(Object.is(f16BitsToF32(0x8000), -0)).toBe(true);
  });

  it('rounds f32 to f16 to nearest, ties to even', () => {
    const cases: [number, number][] = [
      [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff],
      [65519.99, 0x7bff], [65520, 0x7c00], [1e10, 0x7c00], [-1e10, 0xfc00], [Infinity, 0x7c00], [-Infinity, 0xfc00],
      [2 ** -14, 0x0400], [2 ** -24, 0x0001], [2 ** -25, 0x0000], [2 ** -25 * 1.0001, 0x0001], [3 * 2 ** -25, 0x0002],
      [2 ** -14 - 2 ** -24, 0x03ff], [2 ** -14 - 2 ** -25, 0x0400], [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02],
      [1e-10, 0x0000], [-1e-10, 0x8000], [0.1, 0x2e66], [2 ** -149, 0x0000],
    ];
    for (const [v, want] of cases) expect(f32ToF16Bits(Math.fround(v)), `f32ToF16(${v})`).toBe(want);
    const nan = f32ToF16Bits(NaN);
    expect(Number.isNaN(f16BitsToF32(nan))).toBe(true);
  });

  it('rounds every f16 midpoint to the even neighbour and keeps every f16 value', () => {
    for (let h = 0; h < 0x7c00; h++) {
      const v = f16BitsToF32(h);
      if (f32ToF16Bits(v) !== h || f32ToF16Bits(-v) !== (h | 0x8000)) throw new Error(`f16 0x${h.toString(16)} does not round-trip`);
      if (h === 0x7bff) break;
      const mid = (v + f16BitsToF32(h + 1)) / 2; // exact in f32
      const want = h % 2 === 0 ? h : h + 1;
      if (f32ToF16Bits(mid) !== want) throw new Error(`midpoint after 0x${h.toString(16)}: got 0x${f32ToF16Bits(mid).toString(16)}, want 0x${want.toString(16)}`);
      const above = f32ToF16Bits(mid + Math.abs(mid) * 2 ** -20);
      if (above !== h + 1) throw new Error(`just above midpoint after 0x${h.toString(16)} should round up`);
    }
  });

  it('rounds f32 to bf16 to nearest even', () => {
    expect(f32ToBf16Bits(1)).toBe(0x3f80);
    expect(f32ToBf16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie → even
    expect(f32ToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie → even (up)
    expect(f32ToBf16Bits(1 + 2 ** -8 + 2 ** -20)).toBe(0x3f81);
    expect(f32ToBf16Bits(-Infinity)).toBe(0xff80);
    expect(f32ToBf16Bits(3.4028234663852886e38)).toBe(0x7f80); // rounds up to inf
    expect(Number.isNaN(bf16BitsToF32(f32ToBf16Bits(NaN)))).toBe(true);
  });
});

/** Random bytes that include special patterns. */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

describe('StreamConverter', () => {
  const pairs: [WeightDtype, TargetFormat][] = [
    ['F32', 'f32'], ['F16', 'f32'], ['BF16', 'f32'], ['F32', 'f16'], ['F16', 'f16'], ['BF16', 'f16'],
  ];

  it.each(pairs)('%s → %s gives the same result for any chunking, at any input alignment', (src, target) => {
    const elemBytes = src === 'F32' ? 4 : 2;
    const bytes = randomBytes(elemBytes * 4001, 7);
    const expected = new Uint8Array(target === 'f32' ? 4 * 4001 : 2 * 4001);
    const view = target === 'f32' ? new Uint32Array(expected.buffer) : new Uint16Array(expected.buffer);
    for (let i = 0; i < 4001; i++) {
      const p = i * elemBytes;
      const bits = src === 'F32' ? (bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) >>> 0 : bytes[p] | (bytes[p + 1] << 8);
      const value = src === 'F32' ? new Float32Array(Uint32Array.of(bits).buffer)[0] : src === 'F16' ? decode(bits, 5, 10) : decode(bits, 8, 7);
      if (target === 'f32') view[i] = src === 'F32' ? bits : new Uint32Array(Float32Array.of(value).buffer)[0];
      else view[i] = src === 'F16' ? bits : f32ToF16Bits(value);
    }
    // NaN payloads may differ (any NaN is fine), so compare decoded values; everything else must match exactly.
    const check = (out: Uint8Array) => {
      const value = (a: Uint8Array, i: number) =>
        target === 'f32' ? new Float32Array(a.buffer, a.byteOffset, 4001)[i] : f16BitsToF32(new Uint16Array(a.buffer, a.byteOffset, 4001)[i]);
      for (let i = 0; i < 4001; i++)
        if (!same(value(out, i), value(expected, i))) throw new Error(`element ${i}: ${value(out, i)} vs ${value(expected, i)}`);
    };
    check(new Uint8Array(convertBytes(bytes, src, target as 'f32').buffer));

    // Odd-offset input copy and random chunk sizes 1..9 bytes, then a big tail.
    const shifted = new Uint8Array(bytes.byteLength + 1).fill(0xaa);
    shifted.set(bytes, 1);
    const input = shifted.subarray(1);
    const c = new StreamConverter(src, target);
    const out = new Uint8Array(expected.byteLength);
    let o = 0;
    let i = 0;
    let k = 3;
    while (i < input.byteLength) {
      k = (k * 7 + 5) % 9;
      const n = i > 2000 ? input.byteLength - i : k + 1;
      const piece = input.subarray(i, Math.min(input.byteLength, i + n));
      expect(c.outputBytesFor(piece.byteLength)).toBeGreaterThanOrEqual(0);
      const before = c.outputBytesFor(piece.byteLength);
      const wrote = c.push(piece, out, o);
      expect(wrote).toBe(before);
      o += wrote;
      i += piece.byteLength;
    }
    expect(c.pending).toBe(0);
    expect(o).toBe(expected.byteLength);
    check(out);
  });

  it('carries a partial element and reports it as pending', () => {
    const c = new StreamConverter('F32', 'f32');
    const out = new Uint8Array(8);
    expect(c.push(Uint8Array.of(0, 0), out, 0)).toBe(0);
    expect(c.pending).toBe(2);
    expect(c.inputBytesFor(8)).toBe(6);
    expect(c.push(Uint8Array.of(0x80, 0x3f, 0, 0, 0), out, 0)).toBe(4);
    expect(c.pending).toBe(3);
    expect(new Float32Array(out.buffer)[0]).toBe(1);
    expect(() => convertBytes(Uint8Array.of(1, 2, 3), 'F16', 'f32')).toThrow(/whole number/);
  });
});
