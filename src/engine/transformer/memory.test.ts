/**
 * The memory plan: on the published shapes of the models the studio targets (weights in f16 and f32, activations at
 * B = 4, T = 512, counted here by hand from the block's buffers), the logits chunking, the refusal and its advice,
 * and — on the GPU — that every pool the model, the trainer and a full-parameter copy allocate is what the plan says.
 */
import { describe, expect, it } from 'vitest';
import { testGpu } from '../../testing/gpu';
import qwen25Json from '../model/fixtures/qwen2.5-0.5b.json';
import qwen3Json from '../model/fixtures/qwen3-0.6b.json';
import gemmaJson from '../model/fixtures/gemma-3-1b-it.json';
import { parseModelConfig, type ModelConfig, type ModelType } from '../model/config';
import { defaultLoraConfig, resolveLoraTargets } from '../model/lora';
import { tinyLoraParams, tinyModel } from '../model/tiny';
import { Trainer, DEFAULT_OPTIMIZER } from '../train/trainer';
import {
  LogitsRowTooLargeError, describeMemory, logitsChunkRows, memoryRefusal, memorySuggestions, planMemory, type MemoryLimits, type MemoryRequest,
} from './memory';
import { GpuTransformer, uploadWeights } from './model';
import { widenToF32, type WeightFormat } from './weights';
import { SPLITK_SCRATCH_FLOATS } from '../kernels/matmulPlan';

/** On a GPU, LoRA products split K into one partials scratch (kernels/matmulPlan.ts). */
const SPLITK = 4 * SPLITK_SCRATCH_FLOATS;

const GiB = 2 ** 30, MiB = 2 ** 20;
const DESKTOP: MemoryLimits = { maxBufferSize: 2 * GiB, maxStorageBufferBindingSize: 2 * GiB - 4 };
const attention = (cfg: ModelConfig) => resolveLoraTargets(cfg, defaultLoraConfig(cfg, { r: 8, loraAlpha: 16, targetModules: [...cfg.attentionTargets] }));

// Published parameter counts, and the vectors among them (norm weights, biases: always f32).
const MODELS = {
  'Qwen2.5-0.5B': { cfg: parseModelConfig(qwen25Json), params: 494_032_768, vectors: 24 * (2 * 896 + 896 + 2 * 128) + 896 },
  'Qwen3-0.6B': { cfg: parseModelConfig(qwen3Json), params: 596_049_920, vectors: 28 * (2 * 1024 + 2 * 128) + 1024 },
  'Gemma-3-1B': { cfg: parseModelConfig(gemmaJson), params: 999_885_952, vectors: 26 * (4 * 1152 + 2 * 256) + 1152 },
};

// f32 values per token of one layer, of the shared backward scratch and of the model level (residual stream, final
// norm, loss), for LoRA r = 8 on the 4 attention projections, from the buffers activations.ts lists.
const PER_TOKEN = {
  // attnIn, mlpIn (out + rstd), res2, q, k, v, att, lse (H), gate, up, h, u (4 × r)
  'Qwen2.5-0.5B': { layer: 2 * 897 + 896 + 896 + 128 + 128 + 896 + 14 + 3 * 4864 + 32, scratch: 2 * 896 + 2 * 896 + 2 * 128 + 4 * 4864 + 8, top: 26 * 896 + 2 },
  // + qPre, kPre and the per-head q/k norm statistics (H, KV)
  'Qwen3-0.6B': { layer: 2 * 1025 + 1024 + 2048 + 1024 + 16 + 8 + 2048 + 1024 + 1024 + 2048 + 16 + 3 * 3072 + 32, scratch: 2 * 1024 + 2 * 2048 + 2 * 1024 + 2048 + 1024 + 4 * 3072 + 8, top: 30 * 1024 + 2 },
  // + sandwich norms: attnProj, attnOut (out + rstd), mlpProj, mlpOut; dpost in the scratch
  'Gemma-3-1B': { layer: 4 * 1153 + 2 * 1152 + 1152 + 1024 + 256 + 4 + 1 + 1024 + 256 + 256 + 1024 + 4 + 3 * 6912 + 32, scratch: 3 * 1152 + 2 * 1024 + 2 * 256 + 1024 + 256 + 4 * 6912 + 8, top: 28 * 1152 + 2 },
};

describe('memory plan of the published models', () => {
  for (const [name, m] of Object.entries(MODELS)) {
    const { cfg } = m;
    it(`${name}: weights in f16 and f32, activations at B = 4, T = 512 (LoRA r = 8, attention)`, () => {
      const req: MemoryRequest = { B: 4, T: 512, lora: attention(cfg), weightFormat: 'f16' };
      const f16 = planMemory(cfg, req, DESKTOP), f32 = planMemory(cfg, { ...req, weightFormat: 'f32' }, DESKTOP);
      expect(f32.bytes.weights).toBe(4 * m.params);
      expect(f16.bytes.weights).toBe(2 * (m.params - m.vectors) + 4 * m.vectors);
      const N = 2048, V = cfg.vocabSize;
      // The logits: the fewest equal chunks of ≤ 256 MiB (Qwen: 441 rows of 594 KiB → 5 × 410; Gemma: 8 × 256 of 1 MiB).
      const rows = V === 262144 ? 256 : 410;
      expect(f16.logits).toEqual({ rows, chunks: Math.ceil(N / rows), bytes: rows * V * 4 });
      const t = PER_TOKEN[name as keyof typeof PER_TOKEN];
      expect(f16.bytes.activations).toBe(4 * (N * (cfg.nLayers * t.layer + t.scratch + t.top) + rows * V + 1) + SPLITK);
      expect(f32.bytes.activations).toBe(f16.bytes.activations);
      // Recomputation keeps one layer set (with every layer's u) instead of L.
      const rc = planMemory(cfg, { ...req, recompute: true }, DESKTOP);
      expect(rc.bytes.activations).toBe(4 * (N * (t.layer + (cfg.nLayers - 1) * 32 + t.scratch + t.top) + rows * V + 1) + SPLITK);
      expect(f16.fits && f32.fits && rc.fits).toBe(true);
      expect(f16.largest.what).toBe('weight model.embed_tokens.weight');
      expect(describeMemory(f16)).toMatch(/^GPU memory: ~[\d.]+ GiB \(weights [\d.]+ (MiB|GiB), activations [\d.]+ GiB \(logits in \d chunks of \d+ rows\), trained parameters \+ gradients \+ AdamW [\d.]+ MiB\); largest buffer [\d.]+ MiB \(weight model\.embed_tokens\.weight\)$/);
    });
  }

  it('Gemma-3-1B at B = 4, T = 512: ~9.1 GiB is warned about, recomputation brings it to ~2.9 GiB', () => {
    const { cfg } = MODELS['Gemma-3-1B'];
    const req: MemoryRequest = { B: 4, T: 512, lora: attention(cfg), weightFormat: 'f16' };
    const plan = planMemory(cfg, req, DESKTOP);
    expect(plan.fits).toBe(true);
    expect(plan.warnings[0]).toMatch(/needs ~9\.1 GiB of GPU memory, more than the 4 GiB assumed safe/);
    const advice = memorySuggestions(cfg, req, DESKTOP);
    expect(advice.map((s) => s.text)).toEqual(['activation recomputation (~2.9 GiB)', 'max length 128 (~3.9 GiB)', 'batch size 1 (~3.9 GiB)']);
    for (const s of advice) {
      const fixed = planMemory(cfg, { ...req, ...(s.change === 'recompute' ? { recompute: true } : s.change === 'maxLength' ? { T: s.value } : { B: s.value }) }, DESKTOP);
      expect(fixed.warnings, s.text).toEqual([]);
      expect(fixed.bytes.total).toBe(s.total);
    }
  });
});

describe('logits chunks', () => {
  it('keeps every row when they fit, else the fewest equal chunks within the binding and 256 MiB', () => {
    expect(logitsChunkRows(18, 96, DESKTOP)).toBe(18);
    expect(logitsChunkRows(2048, 262144, DESKTOP)).toBe(256);
    expect(logitsChunkRows(2048, 262144, { maxBufferSize: 256 * MiB, maxStorageBufferBindingSize: 128 * MiB })).toBe(128);
    expect(logitsChunkRows(1000, 151936, DESKTOP)).toBe(334); // 441 rows fit: 3 chunks of ≤ 334
    expect(logitsChunkRows(18, 96, DESKTOP, 5)).toBe(5);
    expect(() => logitsChunkRows(4, 262144, { maxBufferSize: GiB, maxStorageBufferBindingSize: MiB - 4 })).toThrow(LogitsRowTooLargeError);
  });
});

describe('refusal', () => {
  it('a table over the binding limit: names it and the limit; nothing else helps', () => {
    const { cfg } = MODELS['Gemma-3-1B'];
    const mobile = { maxBufferSize: 2 * GiB, maxStorageBufferBindingSize: 128 * MiB };
    const req: MemoryRequest = { B: 1, T: 64, lora: attention(cfg), weightFormat: 'f16' };
    const plan = planMemory(cfg, req, mobile);
    expect(plan.fits).toBe(false);
    expect(memorySuggestions(cfg, req, mobile)).toEqual([]);
    expect(memoryRefusal(plan, [])).toBe(
      "This run cannot fit on this GPU. The weight model.embed_tokens.weight needs 576 MiB in one binding, but this GPU's maxStorageBufferBindingSize is 128 MiB. " +
        'No shorter max length, smaller batch or recomputation changes that: this model is too large for this GPU.',
    );
  });

  it('activations over the binding limit: suggests the length and batch that fit, with their totals', () => {
    const { cfg } = MODELS['Qwen2.5-0.5B'];
    const limits = { maxBufferSize: 2 * GiB, maxStorageBufferBindingSize: 300 * MiB };
    const req: MemoryRequest = { B: 16, T: 2048, lora: attention(cfg), weightFormat: 'f16', recompute: true };
    const plan = planMemory(cfg, req, limits);
    expect(plan.errors[0]).toBe("The activation gate needs 608 MiB in one binding, but this GPU's maxStorageBufferBindingSize is 300 MiB.");
    const advice = memorySuggestions(cfg, req, limits);
    // Recomputation is already on; the length and batch that fit the binding AND the 4 GiB budget.
    expect(advice.map((s) => [s.change, s.value])).toEqual([['maxLength', 704], ['batch', 5]]);
    const refusal = memoryRefusal(plan, advice)!;
    expect(refusal).toMatch(/^This run cannot fit on this GPU\. The activation gate needs 608 MiB in one binding, .* \(and \d+ more buffers over a limit\) It would fit with max length 704 \(~[\d.]+ GiB\), or batch size 5 \(~[\d.]+ GiB\)\.$/);
    for (const s of advice) {
      const fixed = planMemory(cfg, { ...req, [s.change === 'maxLength' ? 'T' : 'B']: s.value }, limits);
      expect(fixed.fits && fixed.warnings.length === 0, s.text).toBe(true);
    }
    expect(memoryRefusal(planMemory(cfg, { ...req, B: 7 }, limits), [])).toBeNull(); // fits the binding (over the budget)
  });
});

/** Bytes allocated in pools whose name starts with `prefix` ("activations#" …). */
function pooled(pools: Record<string, number>, prefix: string): number {
  return Object.entries(pools).filter(([p]) => p.startsWith(prefix)).reduce((a, [, b]) => a + b, 0);
}

async function allocated(type: ModelType, opts: { format: WeightFormat; recompute?: boolean; fullParams?: boolean; kvCap?: number; logitsRows?: number; B?: number; T?: number }) {
  const gpu = await testGpu();
  const tiny = tinyModel(type, 3);
  const cfg = tiny.config;
  const targets = opts.fullParams ? [] : resolveLoraTargets(cfg, defaultLoraConfig(cfg, { r: 4, loraAlpha: 8, targetModules: 'all-linear' }));
  const { B = 2, T = 9 } = opts;
  const req: MemoryRequest = { B, T, lora: opts.fullParams ? null : targets, fullParams: opts.fullParams, recompute: opts.recompute, weightFormat: opts.format, kvCap: opts.kvCap, logitsRows: opts.logitsRows, optimizer: !opts.kvCap };
  const plan = planMemory(cfg, req, { maxBufferSize: gpu.device.limits.maxBufferSize, maxStorageBufferBindingSize: gpu.device.limits.maxStorageBufferBindingSize, isSoftware: gpu.adapter.isSoftware });
  const weights = uploadWeights(gpu, tiny.weights, opts.format);
  // Full-parameter mode trains f32 copies: widened f16 matrices (pool 'copies') + copies of the f32 tensors.
  const base = opts.fullParams ? widenToF32(gpu, weights, 'copies') : weights;
  const copied = opts.fullParams ? [...base].filter(([n, b]) => b === weights.get(n)).reduce((a, [, b]) => a + b.size, 0) : 0;
  const model = new GpuTransformer(gpu, cfg, base, { B, T, recompute: opts.recompute, fullParams: opts.fullParams, lora: opts.fullParams ? null : { targets, values: tinyLoraParams(targets, 5), dropout: 0 }, kvCap: opts.kvCap, logitsRows: opts.logitsRows });
  const trainer = opts.kvCap ? null : new Trainer(gpu, model, { ...DEFAULT_OPTIMIZER, schedule: { kind: 'constant', lr: 1e-3, warmupSteps: 0, totalSteps: 1 } });
  const pools = gpu.buffers.byPool();
  const got = {
    weights: pools.weights, trainingCopy: (pools.copies ?? 0) + copied, lora: pooled(pools, 'lora#'), grads: pooled(pools, 'grads#'),
    optimizer: pooled(pools, 'optimizer#'), activations: pooled(pools, 'activations#'), inputs: pooled(pools, 'inputs#'), kvCache: pooled(pools, 'kvcache#'),
  };
  trainer?.release();
  model.release();
  gpu.buffers.releasePool('weights');
  gpu.buffers.releasePool('copies');
  const { total, ...planned } = plan.bytes;
  expect(got).toEqual(planned);
  expect(total).toBe(Object.values(got).reduce((a, b) => a + b, 0));
  return plan;
}

describe('the plan is what the model allocates (buffer pool accounting)', () => {
  it('llama, LoRA on every linear, f32 weights: per-layer activations and with recomputation', async () => {
    await allocated('llama', { format: 'f32' });
    await allocated('llama', { format: 'f32', recompute: true });
  });
  it('gemma3_text (sandwich norms, q/k norms, two RoPE tables), f16 weights, logits in chunks of 5 rows', async () => {
    const plan = await allocated('gemma3_text', { format: 'f16', logitsRows: 5 });
    expect(plan.logits).toEqual({ rows: 5, chunks: 4, bytes: 5 * 96 * 4 });
  });
  it('gpt2 (LayerNorm, fused qkv, learned positions) in full-parameter mode from f16 weights: the f32 copy, gradients and AdamW', async () => {
    const plan = await allocated('gpt2', { format: 'f16', fullParams: true });
    expect(plan.bytes.trainingCopy).toBeGreaterThan(plan.bytes.weights);
  });
  it('qwen3 decoding model with a KV cache', async () => {
    await allocated('qwen3', { format: 'f32', kvCap: 24, B: 1, T: 8 });
  });
});
