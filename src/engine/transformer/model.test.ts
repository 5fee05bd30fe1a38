/**
 * The whole GPU model (every kernel together) against the independent float64 reference: loss and the gradient of
 * every LoRA tensor (and, in full-parameter mode, of every base weight) for tiny Llama-with-GQA, Qwen2-with-biases
 * and GPT-2 models. B is non-zero so A's gradient is exercised. Relative error is measured per tensor against the
 * tensor's largest reference magnitude, so tiny entries do not dominate.
 */
import { describe, it, expect } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { expectGradientsMatch } from '../../testing/gradCheck';
import { tinyModel, tinyLoraParams, tinyBatch, toFloat64 } from '../model/tiny';
import { defaultLoraConfig, resolveLoraTargets } from '../model/lora';
import type { ModelType } from '../model/config';
import { model64 } from '../reference/model64';
import { GpuTransformer, uploadWeights } from './model';

async function compare(arch: ModelType, overrides: Record<string, unknown>, opts: { fullParams?: boolean; recompute?: boolean } = {}) {
  const gpu = await testGpu();
  const tiny = tinyModel(arch, 11, overrides);
  const cfg = tiny.config;
  const lora = defaultLoraConfig(cfg, { r: 4, loraAlpha: 8, targetModules: 'all-linear' });
  const targets = resolveLoraTargets(cfg, lora);
  const values = tinyLoraParams(targets, 5);
  const B = 2, T = 9;
  const { inputIds, labels } = tinyBatch(cfg, 3, B, T);
  const ref = model64({
    config: cfg, weights: toFloat64(tiny.weights), inputIds, labels, fullParams: opts.fullParams,
    lora: { targets, params: toFloat64(values) },
  });

  const weights = uploadWeights(gpu, tiny.weights);
  const model = new GpuTransformer(gpu, cfg, weights, { B, T, recompute: opts.recompute, fullParams: opts.fullParams, lora: { targets, values, dropout: 0 } });
  const n = model.setBatch({ inputIds: Int32Array.from(inputIds.flat()), labels: Int32Array.from(labels.flat()) }, B, T);
  expect(n).toBe(ref.nTargets);
  const checked = await expectGradientsMatch(model, n, ref, arch);
  gpu.buffers.releasePool('weights');
  model.release();
  expect(Object.keys(gpu.buffers.byPool()).filter((p) => p.includes('#'))).toEqual([]);
  return checked;
}

describe('GPU transformer vs float64 reference', () => {
  it('llama with GQA: loss and every LoRA gradient', async () => {
    expect(await compare('llama', { num_attention_heads: 4, num_key_value_heads: 2 })).toBe(2 * 7 * 2);
  });
  it('qwen2 with q/k/v biases (tied head): loss and every LoRA gradient', async () => {
    expect(await compare('qwen2', {})).toBe(2 * 7 * 2);
  });
  it('gpt2: loss and every LoRA gradient', async () => {
    expect(await compare('gpt2', {})).toBe(2 * 4 * 2);
  });
  it('activation recomputation gives the same gradients', async () => {
    expect(await compare('llama', {}, { recompute: true })).toBe(2 * 7 * 2);
  });
  it('full-parameter mode: every base weight gradient (llama and gpt2)', async () => {
    expect(await compare('llama', { tie_word_embeddings: true }, { fullParams: true })).toBeGreaterThan(28);
    expect(await compare('gpt2', {}, { fullParams: true })).toBeGreaterThan(16);
  });
});
