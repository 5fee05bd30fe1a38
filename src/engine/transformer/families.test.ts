/**
 * Every model family on the GPU against the independent float64 reference (reference/model64.ts): the loss and the
 * gradient of every LoRA tensor (all-linear, fused modules included), full-parameter gradients of every base tensor,
 * and greedy generation through the KV cache equal to a full forward over the same tokens — with the tiny checkpoints
 * of model/tiny.ts, which switch on each family's distinctive features (q/k norms, sandwich and post norms, (1 + w)
 * norms, fused projections, partial rotary, NoPE layers, per-layer RoPE θ and sliding windows shorter than T).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { expectGradientsMatch, type GradientStats } from '../../testing/gradCheck';
import { tinyModel, tinyLoraParams, tinyBatch, toFloat64, TINY_MODEL_TYPES } from '../model/tiny';
import { defaultLoraConfig, resolveLoraTargets } from '../model/lora';
import type { ModelType } from '../model/config';
import { model64 } from '../reference/model64';
import { Recorder } from '../gpu/recorder';
import { generate } from '../generate';
import { GpuTransformer, uploadWeights } from './model';

const NEW_FAMILIES = ['qwen3', 'gemma3_text', 'phi3', 'olmo2', 'smollm3'];
const stats = new Map<string, GradientStats>();

async function compare(type: ModelType, opts: { fullParams?: boolean; overrides?: Record<string, unknown>; T?: number } = {}) {
  const gpu = await testGpu();
  const tiny = tinyModel(type, 11, opts.overrides);
  const cfg = tiny.config;
  const targets = opts.fullParams ? [] : resolveLoraTargets(cfg, defaultLoraConfig(cfg, { r: 4, loraAlpha: 8, targetModules: 'all-linear' }));
  const values = tinyLoraParams(targets, 5);
  const B = 2, T = opts.T ?? 10;
  const { inputIds, labels } = tinyBatch(cfg, 3, B, T);
  const ref = model64({
    config: cfg, weights: toFloat64(tiny.weights), inputIds, labels, fullParams: opts.fullParams,
    lora: opts.fullParams ? undefined : { targets, params: toFloat64(values) },
  });
  const weights = uploadWeights(gpu, tiny.weights);
  const model = new GpuTransformer(gpu, cfg, weights, { B, T, fullParams: opts.fullParams, lora: opts.fullParams ? null : { targets, values, dropout: 0 } });
  try {
    const n = model.setBatch({ inputIds: Int32Array.from(inputIds.flat()), labels: Int32Array.from(labels.flat()) }, B, T);
    expect(n).toBe(ref.nTargets);
    const s: GradientStats = { lossErr: 0, maxGradErr: 0, tensors: 0 };
    await expectGradientsMatch(model, n, ref, type, s);
    stats.set(`${type}${opts.fullParams ? ' full' : ' lora'}${opts.overrides ? ' (variant)' : ''}`, s);
    return s.tensors;
  } finally {
    model.release();
    gpu.buffers.releasePool('weights');
  }
}

describe('GPU transformer vs float64 reference, every family', () => {
  for (const type of TINY_MODEL_TYPES) {
    it(`${type}: loss and every LoRA gradient (all-linear)`, async () => {
      const tiny = tinyModel(type, 11).config;
      const modules = resolveLoraTargets(tiny, defaultLoraConfig(tiny, { targetModules: 'all-linear' })).length;
      expect(await compare(type)).toBe(2 * modules);
    });
  }
  for (const type of NEW_FAMILIES) {
    it(`${type}: full-parameter gradients of every base tensor`, async () => {
      const n = await compare(type, { fullParams: true });
      expect(n).toBeGreaterThan(10);
    });
  }
  it('gemma3_text with head_dim 256 (Gemma 3 1B/270M head width)', async () => {
    expect(await compare('gemma3_text', { overrides: { num_attention_heads: 2, num_key_value_heads: 1, head_dim: 256 }, T: 7 })).toBeGreaterThan(0);
  });
});

/** Greedy tokens through the KV cache (prefill in chunks of 4), then one full forward over prompt + generated. */
async function kvVersusFull(type: ModelType) {
  const gpu = await testGpu();
  const tiny = tinyModel(type, 7);
  const cfg = tiny.config;
  const weights = uploadWeights(gpu, tiny.weights);
  const prompt = [5, 17, 33, 2, 60, 9, 41];
  const steps = 8;
  const dec = new GpuTransformer(gpu, cfg, weights, { B: 1, T: 4, kvCap: 32 });
  const out: number[] = [];
  try {
    for await (const t of generate(dec, prompt, { maxNewTokens: steps, eosIds: [], temperature: 0, topK: 0, topP: 1 })) out.push(t.id);
  } finally {
    dec.release();
  }
  const ids = [...prompt, ...out];
  const T = ids.length;
  const full = new GpuTransformer(gpu, cfg, weights, { B: 1, T });
  try {
    full.setBatch({ inputIds: Int32Array.from(ids), labels: Int32Array.from(ids) }, 1, T);
    const rec = new Recorder(gpu);
    full.forward(rec, { backward: false, lossScale: 1 });
    rec.submit();
    rec.destroy();
    const logits = await full.readLogits();
    const V = cfg.vocabSize;
    for (let i = 0; i < steps; i++) {
      const row = logits.subarray((prompt.length - 1 + i) * V, (prompt.length + i) * V);
      let best = 0;
      for (let v = 1; v < V; v++) if (row[v] > row[best]) best = v;
      expect(out[i], `${type}: token ${i}`).toBe(best);
    }
  } finally {
    full.release();
    gpu.buffers.releasePool('weights');
  }
  return out;
}

describe('KV-cache generation equals a full forward', () => {
  for (const type of TINY_MODEL_TYPES) {
    it(type, async () => {
      const out = await kvVersusFull(type);
      expect(out.length).toBe(8);
    });
  }
});

afterAll(() => {
  // Measured errors, for the record (relative: loss; per-tensor max |Δ| / max |ref|).
  for (const [k, s] of stats) console.log(`${k.padEnd(28)} loss ${s.lossErr.toExponential(1)}  grads ≤ ${s.maxGradErr.toExponential(1)} over ${s.tensors} tensors`);
});
