/**
 * Weight storage: the f16 packing (bit patterns and word layout), which tensors are matrices, the typed store, the
 * host upload helper (memory per pool) and widening f16 weights back to f32 on the GPU.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { randomArray } from '../../testing/compare';
import { readBytes, readF32 } from '../gpu/buffers';
import { expectedTensors } from '../model/tensors';
import { tinyModel } from '../model/tiny';
import type { ModelType } from '../model/config';
import { WeightStore, isMatrixWeight, packF16, resolveWeightFormat, roundToF16, storedBytes, uploadWeightStore, weightFormatOf, widenToF32 } from './weights';

afterEach(async () => {
  const gpu = await testGpu();
  for (const p of ['test16', 'test32', 'wide']) gpu.buffers.releasePool(p);
});

describe('f16 packing', () => {
  it('rounds to nearest even with the right bit patterns, element i in half i % 2 of word i / 2', () => {
    // 1, -2, 0.5, 65504 (largest f16), 70000 (→ +inf), 1/3 (→ 0x3555), 2^-24 (smallest subnormal), 2^-26 (→ 0).
    const packed = packF16([1, -2, 0.5, 65504, 70000, 1 / 3, 2 ** -24, 2 ** -26, 1 + 2 ** -11]);
    const halves = new Uint16Array(packed.buffer);
    // 1 + 2^-11 is exactly half-way between 1 and the next f16 (1 + 2^-10): ties to even → 1.
    expect(Array.from(halves)).toEqual([0x3c00, 0xc000, 0x3800, 0x7bff, 0x7c00, 0x3555, 0x0001, 0x0000, 0x3c00, 0]);
    expect(packed.length).toBe(5); // 9 values: the last word's high half is zero padding
    expect(packed[0]).toBe(0xc0003c00);
  });

  it('roundToF16 gives the values the packed halves decode to', () => {
    const v = randomArray(1001, 3);
    const r = roundToF16(v);
    expect(r[0]).not.toBe(v[0]);
    expect(Array.from(roundToF16(r))).toEqual(Array.from(r)); // already f16: unchanged
    for (let i = 0; i < v.length; i++) expect(Math.abs(r[i] - v[i])).toBeLessThanOrEqual(2 ** -12); // |v| < 1
    expect(storedBytes(1001, 'f16')).toBe(501 * 4);
    expect(storedBytes(1001, 'f32')).toBe(1001 * 4);
  });
});

describe('which weights are matrices', () => {
  const cases: [ModelType, Record<string, unknown>][] = [
    ['llama', {}], ['qwen2', {}], ['mistral', {}], ['gpt2', {}], ['llama', { tie_word_embeddings: true, attention_bias: true, mlp_bias: true }],
  ];
  for (const [arch, overrides] of cases) {
    it(`isMatrixWeight is exactly the 2-D tensors of ${arch} ${JSON.stringify(overrides)}`, () => {
      const specs = expectedTensors(tinyModel(arch, 1, overrides).config);
      expect(specs.filter((s) => isMatrixWeight(s.name)).map((s) => s.name)).toEqual(specs.filter((s) => s.shape.length === 2).map((s) => s.name));
      expect(specs.some((s) => !isMatrixWeight(s.name))).toBe(true);
    });
  }
});

describe('WeightStore', () => {
  it('knows each buffer’s format; Map.set means f32; a plain Map is all f32', async () => {
    const gpu = await testGpu();
    const a = gpu.buffers.storage('test16', 'a', 8), b = gpu.buffers.storage('test16', 'b', 8);
    const store = new WeightStore().add('a', a, 'f16').add('b', b, 'f32');
    expect([store.format('a'), store.format('b'), store.format('missing')]).toEqual(['f16', 'f32', 'f32']);
    expect(store.entry('a')).toEqual({ buffer: a, format: 'f16' });
    expect(store.get('a')).toBe(a);
    expect(store.hasF16).toBe(true);
    expect(weightFormatOf(store, 'a')).toBe('f16');
    expect(weightFormatOf(new Map([['a', a]]), 'a')).toBe('f32');
    store.set('a', a);
    expect(store.format('a')).toBe('f32');
    expect(store.hasF16).toBe(false);
    store.add('b', b, 'f16').delete('b');
    expect(store.hasF16).toBe(false);
  });

  it('resolves the format: auto follows shader-f16, forced formats are kept', () => {
    expect(resolveWeightFormat({ hasF16: false })).toBe('f32');
    expect(resolveWeightFormat({ hasF16: true })).toBe('f16');
    expect(resolveWeightFormat({ hasF16: false }, 'f16')).toBe('f16');
    expect(resolveWeightFormat({ hasF16: true }, 'f32')).toBe('f32');
    expect(() => resolveWeightFormat({ hasF16: true }, 'bf16' as 'f16')).toThrow(/must be 'f32', 'f16' or 'auto', got bf16/);
  });
});

describe('uploadWeightStore and widenToF32 (GPU)', () => {
  it('stores matrices packed and norms as f32; the f16 pool is half the f32 one plus the f32 norms', async () => {
    const gpu = await testGpu();
    const tiny = tinyModel('gpt2', 4);
    const s16 = uploadWeightStore(gpu, tiny.weights, 'f16', 'test16');
    const s32 = uploadWeightStore(gpu, tiny.weights, 'f32', 'test32');
    let matrixBytes = 0, otherBytes = 0;
    for (const [name, data] of tiny.weights) {
      expect(s16.format(name), name).toBe(isMatrixWeight(name) ? 'f16' : 'f32');
      expect(s32.format(name), name).toBe('f32');
      if (isMatrixWeight(name)) matrixBytes += data.length * 4;
      else otherBytes += data.length * 4;
    }
    const pools = gpu.buffers.byPool();
    expect(pools.test32).toBe(matrixBytes + otherBytes);
    expect(pools.test16).toBe(matrixBytes / 2 + otherBytes);
    // Packed bytes on the GPU are exactly packF16 of the values.
    const wte = tiny.weights.get('transformer.wte.weight')!;
    expect(Array.from(new Uint32Array(await readBytes(gpu.device, s16.get('transformer.wte.weight')!)))).toEqual(Array.from(packF16(wte)));
  });

  it('widens f16 weights to new f32 buffers holding the f16 values exactly, sharing the f32 ones', async () => {
    const gpu = await testGpu();
    const odd = randomArray(1001, 9); // odd count: the padding half widens to a trailing 0
    const host = new Map([['m.weight', odd], ['model.norm.weight', randomArray(7, 10)]]);
    const s16 = uploadWeightStore(gpu, host, 'f16', 'test16');
    const wide = widenToF32(gpu, s16, 'wide');
    expect(wide).not.toBe(s16);
    expect(wide.get('model.norm.weight')).toBe(s16.get('model.norm.weight'));
    expect(weightFormatOf(wide, 'm.weight')).toBe('f32');
    const got = await readF32(gpu.device, wide.get('m.weight')!);
    expect(got.length).toBe(1002);
    expect(Array.from(got.subarray(0, 1001))).toEqual(Array.from(roundToF16(odd)));
    expect(got[1001]).toBe(0);
    expect(gpu.buffers.byPool().wide).toBe(1002 * 4 + 4); // the copy + a one-word id buffer
    // Nothing to widen: the very same map comes back and nothing is allocated.
    const s32 = uploadWeightStore(gpu, host, 'f32', 'test32');
    expect(widenToF32(gpu, s32, 'wide2')).toBe(s32);
    expect(gpu.buffers.byPool().wide2).toBeUndefined();
  });
});
