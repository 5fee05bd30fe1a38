/**
 * loadModelWeights with each storage format: a BF16 checkpoint streamed as f16 gives bit-exact round-to-nearest-even
 * halves for every matrix (and exact f32 for norms), 'auto' follows the device, and an f16 load takes half the GPU
 * memory of an f32 one (norms and biases stay f32).
 */
import { describe, it, expect } from 'vitest';
import { testGpu } from '../testing/gpu';
import { readBytes } from './gpu/buffers';
import { serializeSafetensors } from './io/safetensors';
import { bf16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from './io/convert';
import { expectedTensors } from './model/tensors';
import { tinyModel } from './model/tiny';
import { isMatrixWeight } from './transformer/weights';
import { loadModelWeights } from './loadModel';

/** A tiny llama as a one-file checkpoint source, in BF16 (raw bits) or F32. `patch` edits BF16 bits first. */
function checkpoint(dtype: 'BF16' | 'F32', patch?: (name: string, bits: Uint16Array) => void) {
  const tiny = tinyModel('llama', 6);
  const bits = new Map<string, Uint16Array>();
  const tensors = expectedTensors(tiny.config).map((spec) => {
    const values = tiny.weights.get(spec.name)!;
    if (dtype === 'F32') return { name: spec.name, dtype, shape: spec.shape, data: values };
    const b = Uint16Array.from(values, f32ToBf16Bits);
    patch?.(spec.name, b);
    bits.set(spec.name, b);
    return { name: spec.name, dtype, shape: spec.shape, data: b };
  });
  const file = serializeSafetensors(tensors, { format: 'pt' });
  return { config: tiny.config, bits, source: { kind: 'files' as const, files: [{ name: 'model.safetensors', blob: new Blob([file as BlobPart]) }] } };
}

describe('loadModelWeights storage formats', () => {
  it('BF16 → f16: every matrix bit-exact (RNE), norms exact f32, odd halves and hand-checked values included', async () => {
    const gpu = await testGpu();
    // Known conversions at the start of the embedding: 1.0, 3.140625, 65280, 65536 (→ inf), 2^-24 (→ smallest subnormal).
    const special = [[0x3f80, 0x3c00], [0x4049, 0x4248], [0x477f, 0x7bf8], [0x4780, 0x7c00], [0x3380, 0x0001]];
    const ck = checkpoint('BF16', (name, b) => {
      if (name === 'model.embed_tokens.weight') special.forEach(([from], i) => (b[i] = from));
    });
    const loaded = await loadModelWeights(gpu, ck.config, { source: ck.source, weightFormat: 'f16' });
    try {
      expect(loaded.format).toBe('f16');
      let matrices = 0;
      for (const [name, src] of ck.bits) {
        const buf = loaded.weights.get(name)!;
        const bytes = await readBytes(gpu.device, buf);
        if (isMatrixWeight(name)) {
          matrices++;
          expect(loaded.weights.format(name), name).toBe('f16');
          const halves = new Uint16Array(bytes, 0, src.length);
          const want = Uint16Array.from(src, (h) => f32ToF16Bits(bf16BitsToF32(h)));
          expect(halves, name).toEqual(want);
        } else {
          expect(loaded.weights.format(name), name).toBe('f32');
          expect(new Float32Array(bytes), name).toEqual(Float32Array.from(src, bf16BitsToF32));
        }
      }
      expect(matrices).toBe(2 + 2 * 7);
      const emb = new Uint16Array(await readBytes(gpu.device, loaded.weights.get('model.embed_tokens.weight')!, 0, 12));
      expect(Array.from(emb.subarray(0, 5))).toEqual(special.map(([, to]) => to));
    } finally {
      gpu.buffers.releasePool(loaded.pool);
    }
  });

  it("'auto' follows the device (f32 without shader-f16) and reports params and GPU bytes", async () => {
    const gpu = await testGpu();
    const ck = checkpoint('F32');
    const loaded = await loadModelWeights(gpu, ck.config, { source: ck.source });
    try {
      expect(loaded.format).toBe(gpu.hasF16 ? 'f16' : 'f32');
      expect(loaded.weights.hasF16).toBe(gpu.hasF16);
      const params = expectedTensors(ck.config).reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
      expect(loaded.params).toBe(params);
      expect(loaded.gpuBytes).toBe(gpu.buffers.byPool()[loaded.pool]);
    } finally {
      gpu.buffers.releasePool(loaded.pool);
    }
  });

  it('an f16 load takes half the GPU memory of an f32 load (plus the f32 norms)', async () => {
    const gpu = await testGpu();
    const ck = checkpoint('F32');
    const l32 = await loadModelWeights(gpu, ck.config, { source: ck.source, weightFormat: 'f32' });
    const l16 = await loadModelWeights(gpu, ck.config, { source: ck.source, weightFormat: 'f16' });
    try {
      const pools = gpu.buffers.byPool();
      let matrix = 0, other = 0;
      for (const s of expectedTensors(ck.config)) {
        const n = s.shape.reduce((x, y) => x * y, 1);
        if (isMatrixWeight(s.name)) matrix += n;
        else other += n;
      }
      expect(pools[l32.pool]).toBe((matrix + other) * 4);
      expect(pools[l16.pool]).toBe(matrix * 2 + other * 4);
      expect(pools[l16.pool] / pools[l32.pool]).toBeLessThan(0.51);
      expect(l16.gpuBytes).toBe(pools[l16.pool]);
    } finally {
      gpu.buffers.releasePool(l32.pool);
      gpu.buffers.releasePool(l16.pool);
    }
  });
});
