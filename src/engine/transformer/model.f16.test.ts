/**
 * The whole GPU model with its base matrices stored as f16 (packed, as on a shader-f16 device; forced here since the
 * CI adapter has no shader-f16). The float64 reference runs on the SAME f16-rounded weights, so the tolerances are
 * those of the f32 model test: loss within 1e-4 and every LoRA gradient within 1e-3 relative (per tensor, against
 * its largest reference magnitude). Also: f16 storage gives the logits of f32 storage of the same values (forward
 * and KV-cache decoding), full-parameter mode refuses f16 weights, and trains them once widened to f32.
 */
import { describe, it, expect } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { expectGradientsMatch } from '../../testing/gradCheck';
import { Recorder } from '../gpu/recorder';
import { expectClose } from '../../testing/compare';
import { tinyModel, tinyLoraParams, tinyBatch, toFloat64 } from '../model/tiny';
import { defaultLoraConfig, resolveLoraTargets } from '../model/lora';
import type { ModelType } from '../model/config';
import { model64 } from '../reference/model64';
import { GpuTransformer, uploadWeights } from './model';
import { isMatrixWeight, roundToF16, widenToF32 } from './weights';

/** The tiny model's weights as an f16 store holds them: matrices rounded to f16, norms and biases unchanged. */
function f16Rounded(weights: ReadonlyMap<string, Float32Array>): Map<string, Float32Array> {
  return new Map([...weights].map(([name, v]) => [name, isMatrixWeight(name) ? roundToF16(v) : v]));
}

async function compare(arch: ModelType, overrides: Record<string, unknown>, opts: { fullParams?: boolean } = {}) {
  const gpu = await testGpu();
  const tiny = tinyModel(arch, 11, overrides);
  const cfg = tiny.config;
  const rounded = f16Rounded(tiny.weights);
  const lora = opts.fullParams ? null : defaultLoraConfig(cfg, { r: 4, loraAlpha: 8, targetModules: 'all-linear' });
  const targets = lora ? resolveLoraTargets(cfg, lora) : [];
  const values = tinyLoraParams(targets, 5);
  const B = 2, T = 9;
  const { inputIds, labels } = tinyBatch(cfg, 3, B, T);
  const ref = model64({
    config: cfg, weights: toFloat64(rounded), inputIds, labels, fullParams: opts.fullParams,
    lora: lora ? { targets, params: toFloat64(values) } : undefined,
  });

  const stored = uploadWeights(gpu, tiny.weights, 'f16'); // packs (and so rounds) the original f32 values
  expect(stored.hasF16).toBe(true);
  const weights = opts.fullParams ? widenToF32(gpu, stored, 'weights') : stored;
  const model = new GpuTransformer(gpu, cfg, weights, { B, T, fullParams: opts.fullParams, lora: lora ? { targets, values, dropout: 0 } : null });
  const n = model.setBatch({ inputIds: Int32Array.from(inputIds.flat()), labels: Int32Array.from(labels.flat()) }, B, T);
  expect(n).toBe(ref.nTargets);
  const checked = await expectGradientsMatch(model, n, ref, arch);
  gpu.buffers.releasePool('weights');
  model.release();
  return checked;
}

describe('GPU transformer with f16-stored base weights vs float64 reference on the same f16 values', () => {
  it('llama with GQA: loss and every LoRA gradient', async () => {
    expect(await compare('llama', { num_attention_heads: 4, num_key_value_heads: 2 })).toBe(2 * 7 * 2);
  });
  it('gpt2 (Conv1D weights, f16 wte and wpe, tied head): loss and every LoRA gradient', async () => {
    expect(await compare('gpt2', {})).toBe(2 * 4 * 2);
  });
  it('full-parameter mode on weights widened from f16 to f32 (llama)', async () => {
    // Every weight: embeddings + head, 2 layers x (7 linears + 2 norms), the final norm.
    expect(await compare('llama', {}, { fullParams: true })).toBe(2 + 2 * 9 + 1);
  });
});

describe('f16 storage in the model', () => {
  for (const arch of ['llama', 'gpt2'] as const) {
    it(`${arch}: same logits as f32 storage of the same values, in forward and in KV-cache decoding`, async () => {
      const gpu = await testGpu();
      const tiny = tinyModel(arch, 12);
      const w16 = uploadWeights(gpu, tiny.weights, 'f16');
      const w32 = uploadWeights(gpu, f16Rounded(tiny.weights), 'f32');
      const ids = [5, 17, 3, 90, 42, 7];
      const T = ids.length, V = tiny.config.vocabSize;
      const logits = async (weights: typeof w16) => {
        const net = new GpuTransformer(gpu, tiny.config, weights, { B: 1, T, kvCap: T });
        net.setBatch({ inputIds: Int32Array.from(ids), labels: Int32Array.from(ids) }, 1, T);
        const rec = new Recorder(gpu);
        net.forward(rec, { backward: false, lossScale: 1 });
        rec.submit();
        const full = await net.readLogits();
        net.decode(rec, ids.slice(0, 4), 0); // prefill 4, then one token at a time
        rec.submit();
        const decoded = [await net.readLogitsRow(3)];
        for (let t = 4; t < T; t++) {
          net.decode(rec, [ids[t]], t);
          rec.submit();
          decoded.push(await net.readLogitsRow(0));
        }
        net.release();
        rec.destroy();
        return { full, decoded };
      };
      const a = await logits(w16), b = await logits(w32);
      // Same values, same arithmetic: only how the weights are fetched differs.
      expectClose(a.full, b.full, { rtol: 1e-6, atol: 1e-6 }, `${arch} forward logits`);
      a.decoded.forEach((row, i) => expectClose(row, b.decoded[i], { rtol: 1e-6, atol: 1e-6 }, `${arch} decoded row ${i + 3}`));
      // Decoding agrees with the full forward (rows 3..T-1).
      a.decoded.forEach((row, i) => expectClose(row, a.full.subarray((i + 3) * V, (i + 4) * V), { rtol: 1e-4, atol: 1e-5 }, `${arch} decode vs forward row ${i + 3}`));
      gpu.buffers.releasePool('weights');
    });
  }

  it('full-parameter mode refuses f16 weights with a clear error; norms must be f32', async () => {
    const gpu = await testGpu();
    const tiny = tinyModel('llama', 13);
    const w16 = uploadWeights(gpu, tiny.weights, 'f16');
    expect(() => new GpuTransformer(gpu, tiny.config, w16, { B: 1, T: 4, fullParams: true }))
      .toThrow(/Full-parameter training needs f32 weights, but model\.layers\.0\.self_attn\.q_proj\.weight is stored as f16 \(load the model with weightFormat 'f32'/);
    const norm = 'model.layers.0.input_layernorm.weight';
    w16.add(norm, w16.get(norm)!, 'f16');
    expect(() => new GpuTransformer(gpu, tiny.config, w16, { B: 1, T: 4 })).toThrow(/weight model\.layers\.0\.input_layernorm\.weight must be f32/);
    gpu.buffers.releasePool('weights');
  });
});
