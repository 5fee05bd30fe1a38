/** NaN/Inf detection on a tensor's file bytes as they stream, whatever the chunking (elements may straddle chunks). */
import { describe, expect, it } from 'vitest';
import { StreamFiniteCheck, firstNonFinite } from './finite';
import { f32ToBf16Bits, f32ToF16Bits } from './convert';

function bytesOf(dtype: 'F32' | 'F16' | 'BF16', values: number[]): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(Float32Array.from(values).buffer);
  return new Uint8Array(Uint16Array.from(values, (v) => (dtype === 'F16' ? f32ToF16Bits(v) : f32ToBf16Bits(v))).buffer);
}

describe('StreamFiniteCheck', () => {
  for (const dtype of ['F32', 'F16', 'BF16'] as const)
    it(`${dtype}: finds the first NaN/Inf by element index in any chunking`, () => {
      for (const [bad, index] of [[NaN, 7], [Infinity, 0], [-Infinity, 12]] as const) {
        const values = Array.from({ length: 13 }, (_, i) => (i === index ? bad : i - 6.5));
        const bytes = bytesOf(dtype, values);
        for (const chunk of [1, 3, 5, 64]) {
          const check = new StreamFiniteCheck(dtype);
          let found: { index: number; value: number } | null = null;
          for (let i = 0; i < bytes.length && !found; i += chunk) found = check.push(bytes.subarray(i, i + chunk));
          expect(found?.index, `${dtype} chunk ${chunk}`).toBe(index);
          expect(Object.is(found?.value, bad) || (Number.isNaN(bad) && Number.isNaN(found?.value))).toBe(true);
        }
      }
      const clean = new StreamFiniteCheck(dtype);
      expect(clean.push(bytesOf(dtype, [0, -1, 65504, 1e-8]))).toBeNull();
    });

  it('firstNonFinite on f32 arrays', () => {
    expect(firstNonFinite(Float32Array.of(1, 2, 3))).toBe(-1);
    expect(firstNonFinite(Float32Array.of(1, NaN, Infinity))).toBe(1);
  });
});
