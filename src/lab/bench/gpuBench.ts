/**
 * The real-GPU benchmark (issue #12), on whatever adapter Dawn gives Node: the numbers to set beside PyTorch eager
 * (bench/peers/torch_peer.py measures the same cases; bench/gpu.sh runs both and prints the ratios).
 *
 *   lora     LoRA r=8 training step (forward + backward + grad norm/clip 1.0 + AdamW; fp32 weights, dropout 0)
 *            tokens/s = B·T / median step time, for SmolLM2-135M (q,k,v,o and all-linear), GPT-2-124M (c_attn) and
 *            Qwen2.5-0.5B (q,k,v,o) at B×T = 1×256 and 4×512; peak GPU memory allocated (BufferPool.peak) and the
 *            memory plan (planMemory) of the same run; GPU time per kernel family (timestamp queries, one step)
 *            when the adapter has them.
 *   decode   greedy generation through the KV cache (fp32 weights): time to first token (prefill of the prompt +
 *            first sample + its readback) and decode tokens/s over the remaining tokens, "after" (matvec + GPU
 *            sampling, the engine's default) and "before" (matmul + host sampling of V logits) — for the SmolLM2,
 *            Qwen2.5-0.5B and GPT-2 shapes and the built-in model (public/models/studio-base).
 *   probe    what the adapter offers for WebGPU tensor cores (chromium-experimental-subgroup-matrix) and, where it
 *            does, accuracy and TFLOP/s of a matmul on them beside ours (./tensorProbe.ts; seconds).
 *   matmul   TFLOP/s per layout: plain a·b and a·bᵀ (transB, the forward's), at training shapes; and the decode
 *            matrix-vector product in GB/s of weight read.
 *
 * Weights are random (values do not change speed). `size` shrinks everything for a CPU adapter (--quick).
 */
import { totalmem } from 'node:os';
import { existsSync } from 'node:fs';
import type { Gpu } from '../../engine/gpu/device';
import { Recorder } from '../../engine/gpu/recorder';
import { kernelFamily } from '../../engine/gpu/profiler';
import { parseModelConfig, type ModelConfig } from '../../engine/model/config';
import { defaultLoraConfig, resolveLoraTargets } from '../../engine/model/lora';
import { planMemory } from '../../engine/transformer/memory';
import { GpuTransformer } from '../../engine/transformer/model';
import { generate } from '../../engine/generate';
import { matmul } from '../../engine/kernels/matmul';
import { matvec, matvecPolicy, MATVEC_MAX_M } from '../../engine/kernels/matvec';
import { loadModelWeights } from '../../engine/loadModel';
import { openModelDir } from '../../node/modelDir';
import qwen25 from '../../engine/model/fixtures/qwen2.5-0.5b.json';
import { GPT2_124M, SMOLLM2_135M } from './shapes';
import { buildTraining, loraTargets, mib, randomBatch, randomGpuWeights } from './trainSetup';
import { familyOf, profileStep, type StepProfile } from './stepProfile';
import { median } from './timing';
import { mulberry32, uniformArray } from '../../engine/model/random';
import type { BenchRecord } from './types';
import { probeTensorCores } from './tensorProbe';

export interface GpuBenchSize {
  /** Override every model's layer count (null: the published count). */
  layers: number | null;
  /** LoRA step shapes [B, T]. */
  steps: [number, number][];
  /** Timed training steps after one warm-up (median). */
  stepReps: number;
  /** Decode: prompt tokens and new tokens. */
  prompt: number;
  newTokens: number;
  /** matmul shapes [M, K, N] and timed repetitions. */
  matmuls: [number, number, number][];
  matmulReps: number;
}

export const FULL_SIZE: GpuBenchSize = {
  layers: null, steps: [[1, 256], [4, 512]], stepReps: 5, prompt: 128, newTokens: 128,
  matmuls: [[2048, 896, 4864], [2048, 4864, 896], [2048, 576, 1536], [512, 896, 151936]], matmulReps: 20,
};
/** For a CPU adapter: two layers, short sequences, a handful of tokens. */
export const QUICK_SIZE: GpuBenchSize = {
  layers: 2, steps: [[1, 32], [2, 32]], stepReps: 2, prompt: 16, newTokens: 8,
  matmuls: [[128, 576, 1536], [128, 1536, 576]], matmulReps: 2,
};

const ATTN = ['q_proj', 'k_proj', 'v_proj', 'o_proj'];
/** The LoRA cases: [case name, model shape, PEFT target_modules]. Shared with the PyTorch peer by name. */
export const LORA_CASES: [string, Record<string, unknown>, string[] | 'all-linear'][] = [
  ['smollm2-135m-qkvo', SMOLLM2_135M, ATTN],
  ['smollm2-135m-all-linear', SMOLLM2_135M, 'all-linear'],
  ['gpt2-124m-c_attn', GPT2_124M, ['c_attn']],
  ['qwen2.5-0.5b-qkvo', qwen25 as Record<string, unknown>, ATTN],
];
export const DECODE_CASES: [string, Record<string, unknown>][] = [
  ['smollm2-135m', SMOLLM2_135M], ['qwen2.5-0.5b', qwen25 as Record<string, unknown>], ['gpt2-124m', GPT2_124M],
];

export interface GpuBenchContext {
  gpu: Gpu;
  size: GpuBenchSize;
  /** Keep only cases whose name contains one of these (empty: all). */
  cases: string[];
  log(message: string): void;
  /** Called with every record so far after each case (the entry saves them, so a crash loses only the case). */
  onRecords?(records: BenchRecord[]): void;
  /** A GPU instance with the probe's Dawn toggles (PROBE_DAWN_TOGGLES) for the probe case; absent: it says so. */
  probeInstance?(): GPU | null;
}

const SUITE = 'gpu';
const PATTERN = 65_521;
const none = { peer: 'pytorch', peer_value: null, ratio: null } as const;
const want = (ctx: GpuBenchContext, name: string) => ctx.cases.length === 0 || ctx.cases.some((c) => name.includes(c));

/** The HF config.json of a shape with its layer count overridden (null: as published). */
export function shapedJson(json: Record<string, unknown>, layers: number | null): Record<string, unknown> {
  if (layers === null) return json;
  const key = 'n_layer' in json ? 'n_layer' : 'num_hidden_layers';
  return { ...json, [key]: layers, ...('layer_types' in json ? { layer_types: (json.layer_types as unknown[]).slice(0, layers) } : {}) };
}

export function shapedConfig(json: Record<string, unknown>, layers: number | null): ModelConfig {
  return parseModelConfig(shapedJson(json, layers));
}

/**
 * What the PyTorch peer must measure to be comparable: every case with its HF config (layers as run here), LoRA
 * targets and shapes. The Node entry writes it; bench/peers/torch_peer.py reads it — the case list has one owner.
 */
export function caseManifest(size: GpuBenchSize, cases: string[], studioBase: string | null) {
  const keep = (name: string) => cases.length === 0 || cases.some((c) => name.includes(c));
  return {
    lora: LORA_CASES.flatMap(([name, json, targets]) => size.steps.map(([B, T]) => ({ case: `lora/${name}/B${B}xT${T}`, config: shapedJson(json, size.layers), targets, r: 8, alpha: 16, B, T })))
      .filter((c) => keep(c.case) && T_FITS(c.config, c.T)),
    decode: [
      ...(studioBase && keep('decode/studio-base') ? [{ case: 'decode/studio-base', dir: studioBase, prompt: size.prompt, new: size.newTokens }] : []),
      ...DECODE_CASES.map(([name, json]) => ({ case: `decode/${name}`, config: shapedJson(json, size.layers), prompt: size.prompt, new: size.newTokens })).filter((c) => keep(c.case)),
    ],
    matmul: size.matmuls.map(([M, K, N]) => ({ case: `matmul/${M}x${K}x${N}`, M, K, N })).filter((c) => keep(c.case)),
  };
}
const T_FITS = (json: Record<string, unknown>, T: number) => T <= parseModelConfig(json).maxTrainLength;

function sharesOf(p: StepProfile): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [f, ms] of [...p.byFamily].sort((a, b) => b[1] - a[1])) out[f] = +((100 * ms) / p.totalMs).toFixed(1);
  return out;
}

/** PEFT's 'all-linear' for this model as a list of module names (every linear but the head). */
function allLinearNames(cfg: ModelConfig): string[] {
  const all = resolveLoraTargets(cfg, defaultLoraConfig(cfg, { r: 8, loraAlpha: 16, targetModules: 'all-linear', loraDropout: 0 }));
  return [...new Set(all.map((t) => t.module.split('.').pop()!))];
}

async function loraCase(ctx: GpuBenchContext, name: string, json: Record<string, unknown>, targets: string[] | 'all-linear', B: number, T: number): Promise<BenchRecord[]> {
  const { gpu, size } = ctx;
  const cfg = shapedConfig(json, size.layers);
  const label = `lora/${name}/B${B}xT${T}`;
  if (T > cfg.maxTrainLength) return [];
  const lora = { r: 8, alpha: 16, targets: targets === 'all-linear' ? allLinearNames(cfg) : targets };
  const resolved = loraTargets(cfg, lora);
  const limits = { // (GPUSupportedLimits' fields are getters: a spread would copy none)
    maxBufferSize: gpu.device.limits.maxBufferSize, maxStorageBufferBindingSize: gpu.device.limits.maxStorageBufferBindingSize,
    isSoftware: gpu.adapter.isSoftware, hostMemoryBytes: totalmem(),
  };
  const plan = planMemory(cfg, { B, T, lora: resolved.map((t) => ({ module: t.module, layer: t.layer, r: t.r, inFeatures: t.inFeatures, outFeatures: t.outFeatures })), weightFormat: 'f32' }, limits);
  gpu.buffers.resetPeak();
  const base = gpu.buffers.allocatedBytes;
  const pool = `weights#gpu-${name}`;
  let setup: ReturnType<typeof buildTraining> | null = null;
  try {
    setup = buildTraining(gpu, cfg, randomGpuWeights(gpu, cfg, pool), { B, T, lora, maxGradNorm: 1 });
    const micro = [{ batch: randomBatch(cfg.vocabSize, B, T), rows: B, T }];
    const trainer = setup.trainer;
    const warm = await trainer.trainStep(micro); // pipelines, first-touch allocations
    const times: number[] = [];
    for (let i = 0; i < size.stepReps; i++) {
      const t0 = performance.now();
      await trainer.trainStep(micro);
      times.push(performance.now() - t0);
    }
    const stepMs = median(times);
    let shares: Record<string, number> | null = null;
    if (gpu.hasTimestamps) {
      const ranks = new Set(resolved.map((t) => t.r));
      const { profile } = await profileStep(gpu, () => trainer.trainStep(micro), (l) => familyOf(l, cfg.vocabSize, ranks));
      shares = sharesOf(profile);
    }
    const peak = mib(gpu.buffers.peak - base);
    const tps = (B * T) / (stepMs / 1000);
    ctx.log(`${label}: ${tps.toFixed(1)} tokens/s (${stepMs.toFixed(1)} ms/step), loss ${warm.loss.toFixed(3)}, peak ${peak.toFixed(0)} MiB (planned ${mib(plan.bytes.total).toFixed(0)})` +
      (shares ? `; GPU time: ${Object.entries(shares).slice(0, 6).map(([f, s]) => `${f} ${s}%`).join(', ')}` : '; no timestamp queries on this adapter'));
    return [{
      suite: SUITE, case: label, ours: tps, ...none, unit: 'tokens/s',
      note: `${cfg.nLayers} layers, LoRA r=8 on ${lora.targets.join(',')} (${resolved.length} modules), fp32, clip 1.0, AdamW; median of ${size.stepReps}`,
      step_ms: stepMs, loss: warm.loss, peak_MiB: peak, planned_MiB: mib(plan.bytes.total), ...(shares ? { gpu_time_pct: shares } : {}),
    }];
  } finally {
    setup?.release();
    gpu.buffers.releasePool(pool);
  }
}

/** Greedy generation; returns time to first token and decode tokens/s of the tokens after it. */
async function timeGenerate(model: GpuTransformer, prompt: number[], n: number, mode: 'after' | 'before'): Promise<{ ttftMs: number; tps: number; ids: number[] }> {
  const saved = matvecPolicy.maxM;
  matvecPolicy.maxM = mode === 'after' ? MATVEC_MAX_M : 0;
  try {
    const ids: number[] = [];
    const t0 = performance.now();
    let first = 0;
    for await (const t of generate(model, prompt, { maxNewTokens: n, eosIds: [], temperature: 0, topK: 0, topP: 1, sampleOn: mode === 'after' ? 'gpu' : 'host' })) {
      if (ids.length === 0) first = performance.now();
      ids.push(t.id);
    }
    const end = performance.now();
    return { ttftMs: first - t0, tps: ids.length > 1 ? (ids.length - 1) / ((end - first) / 1000) : 0, ids };
  } finally {
    matvecPolicy.maxM = saved;
  }
}

async function decodeModel(ctx: GpuBenchContext, name: string, cfg: ModelConfig, weights: ReadonlyMap<string, GPUBuffer>): Promise<BenchRecord[]> {
  const { size, gpu } = ctx;
  const P = Math.min(size.prompt, cfg.maxTrainLength - 2);
  const n = Math.min(size.newTokens, cfg.maxTrainLength - P);
  const prompt = Array.from(randomBatch(cfg.vocabSize, 1, P, 11).inputIds);
  const model = new GpuTransformer(gpu, cfg, weights, { B: 1, T: P, kvCap: P + n });
  const out: BenchRecord[] = [];
  try {
    let afterIds: number[] = [];
    for (const mode of ['after', 'before'] as const) {
      await timeGenerate(model, prompt, 2, mode); // compile this mode's pipelines
      const r = await timeGenerate(model, prompt, n, mode);
      if (mode === 'after') afterIds = r.ids;
      const same = mode === 'before' ? `; same ids as "after": ${r.ids.every((id, i) => id === afterIds[i])}` : '';
      ctx.log(`decode/${name} ${mode}: ${r.tps.toFixed(2)} tokens/s, time to first token ${r.ttftMs.toFixed(0)} ms (prompt ${P}, ${n} new tokens)${same}`);
      const how = mode === 'after' ? 'matvec + GPU sampling (default)' : 'matmul + host sampling of V logits (the old path)';
      out.push({
        suite: SUITE, case: `decode/${name}/${mode}`, ours: r.tps, ...none, unit: 'tokens/s',
        note: `greedy, fp32, ${cfg.nLayers} layers, prompt ${P}, ${n} new tokens; ${how}${same}`, ttft_ms: r.ttftMs,
      });
    }
    if (gpu.hasTimestamps) {
      const { profile } = await profileStep(gpu, async () => { await timeGenerate(model, prompt, Math.min(n, 8), 'after'); }, kernelFamily);
      const shares = sharesOf(profile);
      ctx.log(`decode/${name}: GPU time ${profile.totalMs.toFixed(1)} ms over ${profile.dispatches} dispatches: ${Object.entries(shares).slice(0, 6).map(([f, s]) => `${f} ${s}%`).join(', ')}`);
      out[0].gpu_time_pct = shares;
    }
  } finally {
    model.release();
  }
  return out;
}

/** public/models/studio-base: in the checkout, or beside a packed bundle (.devkit/app/public/models). */
export function studioBaseDir(): string | null {
  const here = typeof __filename === 'string' ? __filename : new URL(import.meta.url).pathname;
  const candidates = ['public/models/studio-base', `${here.replace(/\/[^/]*$/, '')}/../../public/models/studio-base`];
  return candidates.find((d) => existsSync(`${d}/config.json`)) ?? null;
}

async function decodeCases(ctx: GpuBenchContext): Promise<BenchRecord[]> {
  const out: BenchRecord[] = [];
  const dir = studioBaseDir();
  if (want(ctx, 'decode/studio-base')) {
    if (!dir) ctx.log('decode/studio-base: skipped (public/models/studio-base not found)');
    else {
      const m = await openModelDir(dir);
      const loaded = await loadModelWeights(ctx.gpu, m.config, { source: m.source, weightFormat: 'f32' });
      try {
        out.push(...await decodeModel(ctx, 'studio-base', m.config, loaded.weights));
      } finally {
        ctx.gpu.buffers.releasePool(loaded.pool);
      }
    }
  }
  for (const [name, json] of DECODE_CASES) {
    if (!want(ctx, `decode/${name}`)) continue;
    const cfg = shapedConfig(json, ctx.size.layers);
    const pool = `weights#gpu-decode-${name}`;
    try {
      out.push(...await decodeModel(ctx, name, cfg, randomGpuWeights(ctx.gpu, cfg, pool)));
    } finally {
      ctx.gpu.buffers.releasePool(pool);
    }
  }
  return out;
}

async function matmulCases(ctx: GpuBenchContext): Promise<BenchRecord[]> {
  const { gpu, size } = ctx;
  const out: BenchRecord[] = [];
  const pool = 'bench#gpu-matmul';
  const unit = uniformArray(PATTERN, 1, mulberry32(5));
  const rand = (n: number) => { // a buffer of n floats tiled from one random pattern
    const buf = gpu.buffers.storage(pool, `m${n}`, n * 4);
    for (let at = 0; at < n; at += PATTERN) gpu.device.queue.writeBuffer(buf, at * 4, unit, 0, Math.min(PATTERN, n - at));
    return buf;
  };
  const time = async (record: (rec: Recorder) => void, reps: number) => {
    const rec = new Recorder(gpu);
    record(rec);
    rec.submit();
    await gpu.device.queue.onSubmittedWorkDone(); // warm-up: pipeline compile
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < reps; j++) record(rec);
      const t0 = performance.now();
      rec.submit();
      await gpu.device.queue.onSubmittedWorkDone();
      times.push((performance.now() - t0) / reps);
    }
    rec.destroy();
    return median(times);
  };
  try {
    for (const [M, K, N] of size.matmuls) {
      const name = `matmul/${M}x${K}x${N}`;
      if (!want(ctx, name)) continue;
      const [a, b, c] = [rand(M * K), rand(K * N), rand(M * N)];
      for (const transB of [false, true]) {
        const ms = await time((rec) => matmul(rec, c, a, b, null, M, K, N, { transB }), size.matmulReps);
        const tflops = (2 * M * K * N) / (ms / 1000) / 1e12;
        ctx.log(`${name} ${transB ? 'transB' : 'plain'}: ${tflops.toFixed(3)} TFLOP/s (${ms.toFixed(3)} ms)`);
        out.push({ suite: SUITE, case: `${name}/${transB ? 'transB' : 'plain'}`, ours: tflops, ...none, unit: 'TFLOP/s', ms });
      }
      gpu.buffers.releasePool(pool);
    }
    // Decode products (M = 1): GB/s of weight read, matvec vs matmul, both layouts.
    for (const [, K, N] of size.matmuls) {
      const name = `matvec/1x${K}x${N}`;
      if (!want(ctx, name)) continue;
      const [a, b, c] = [rand(K), rand(K * N), rand(N)];
      for (const transB of [true, false]) {
        for (const kernel of ['matvec', 'matmul'] as const) {
          const f = kernel === 'matvec' ? matvec : matmul;
          const ms = await time((rec) => f(rec, c, a, b, null, 1, K, N, { transB }), size.matmulReps);
          const gbs = (K * N * 4) / (ms / 1000) / 1e9;
          ctx.log(`${name} ${transB ? 'transB' : 'plain'} ${kernel}: ${gbs.toFixed(2)} GB/s of weights (${ms.toFixed(3)} ms)`);
          out.push({ suite: SUITE, case: `${name}/${transB ? 'transB' : 'plain'}/${kernel}`, ours: gbs, peer: 'none', peer_value: null, ratio: null, unit: 'GB/s', ms });
        }
      }
      gpu.buffers.releasePool(pool);
    }
  } finally {
    gpu.buffers.releasePool(pool);
  }
  return out;
}

/** Every part, in order: the tensor-core probe and matmul (seconds), decode, LoRA steps (the longest). */
export async function runGpuBench(ctx: GpuBenchContext): Promise<BenchRecord[]> {
  const { gpu } = ctx;
  ctx.log(`adapter: ${gpu.adapter.description || gpu.adapter.vendor} (${gpu.adapter.isSoftware ? 'CPU' : 'GPU'}); timestamps ${gpu.hasTimestamps}; ` +
    `features ${gpu.adapter.features.join(',')}; size ${JSON.stringify(ctx.size)}`);
  const records: BenchRecord[] = [];
  const add = (r: BenchRecord[]) => {
    records.push(...r);
    ctx.onRecords?.(records);
  };
  if (want(ctx, 'probe/tensor-cores')) {
    ctx.log('probe/tensor-cores: WebGPU subgroup matrices (issue #12, item 6)');
    try { // the probe reports its own failures; this catches only what escapes it (e.g. an instance that cannot be made)
      add(await probeTensorCores({ instance: ctx.probeInstance?.() ?? null, gpu, quick: gpu.adapter.isSoftware, log: ctx.log }));
    } catch (e) {
      ctx.log(`probe/tensor-cores: failed: ${(e as Error).message}`);
    }
  }
  add(await matmulCases(ctx));
  add(await decodeCases(ctx));
  for (const [name, json, targets] of LORA_CASES) {
    for (const [B, T] of ctx.size.steps) {
      if (!want(ctx, `lora/${name}/B${B}xT${T}`)) continue;
      add(await loraCase(ctx, name, json, targets, B, T));
    }
  }
  return records;
}
