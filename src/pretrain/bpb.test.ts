import { describe, expect, it } from 'vitest';
import { bitsPerByte, streamTargetBytes, targetBytes, tokenByteLengths } from './bpb';

const tokenizerJson = {
  model: { type: 'BPE', vocab: { a: 3, b: 4, 'Ġthe': 5, 'Ã©': 6 } },
  pre_tokenizer: { type: 'ByteLevel' },
  added_tokens: [{ id: 0, content: '<|endoftext|>', special: true }, { id: 1, content: '<|im_start|>', special: true }],
};

describe('bits per byte', () => {
  it('byte lengths: one byte per vocabulary character (byte-level), specials 0', () => {
    const len = tokenByteLengths(tokenizerJson, 8);
    expect([...len]).toEqual([0, 0, 0, 1, 1, 4, 2, 0]); // 'Ã©' is é: two UTF-8 bytes
  });

  it('counts the bytes of exactly the scored targets (shift by one, −100 and segment breaks skipped)', () => {
    const len = tokenByteLengths(tokenizerJson, 8);
    const ids = Int32Array.from([3, 5, 6, 0, 4, 5]);
    const labels = Int32Array.from([3, 5, -100, 0, 4, 5]);
    const segments = Int32Array.from([0, 0, 0, 0, 1, 1]);
    // targets: t=0→5 (4 bytes), t=1→-100 skipped, t=2→0 (special, 0 bytes), t=3→4 crosses a segment: skipped, t=4→5 (4)
    expect(targetBytes([{ batch: { inputIds: ids, labels, segments }, rows: 1, T: 6 }], len)).toBe(8);
    expect(streamTargetBytes(ids, len)).toBe(4 + 2 + 0 + 1 + 4);
  });

  it('converts nats per target to bits per byte', () => {
    expect(bitsPerByte(Math.LN2, 10, 10)).toBeCloseTo(1, 12);
    expect(bitsPerByte(2 * Math.LN2, 10, 5)).toBeCloseTo(4, 12);
    expect(() => bitsPerByte(1, 1, 0)).toThrow(/no bytes/);
  });

  it('refuses tokenizers it cannot count bytes for', () => {
    expect(() => tokenByteLengths({ model: { type: 'Unigram', vocab: [] } }, 4)).toThrow(/BPE/);
    expect(() => tokenByteLengths({ model: { type: 'BPE', vocab: {} }, pre_tokenizer: { type: 'Metaspace' } }, 4)).toThrow(/byte-level/);
  });
});
