/**
 * Suite "train_step": LoRA training-step throughput (tokens/s; forward + backward + AdamW through Trainer.trainStep,
 * one command buffer per micro-batch), peak GPU memory allocated (BufferPool.peak) and the GPU time per kernel
 * family of a step (timestamp queries), for
 *   - studio-base, the built-in model (public/models/studio-base), when it is present in the build;
 *   - a SmolLM2-135M-shaped model (random weights), LoRA r=8 on q,k,v,o, B=1, T=256 (--quick: T=64), plus the
 *     memory of T=512 with and without activation recomputation (allocated, not stepped: a step there takes minutes;
 *     `--case recompute` runs it);
 *   - a GPT-2-124M-shaped model (random weights), LoRA r=8 on c_attn, B=1, T=256 (--quick: T=64);
 * and, side by side with TensorFlow.js (tfjs-webgpu, tfjs-wasm), the same small GPT-2 LoRA step (trainPeer.ts).
 *
 * A big model gets ONE step (1–3 minutes on a CPU adapter), after its pipelines were compiled on a tiny model of
 * the same family; that step is also the one profiled. Smaller models get more steps and report the median.
 */
import type { Gpu } from '../../engine/gpu/device';
import { parseModelConfig, type ModelConfig } from '../../engine/model/config';
import { loadModelWeights } from '../../engine/loadModel';
import { GPT2_124M, GPT2_WARMUP, LLAMA_WARMUP, SMOLLM2_135M } from './shapes';
import { buildTraining, memoryByKind, mib, randomBatch, randomGpuWeights, type TrainSetup } from './trainSetup';
import { familyOf, profileStep, shares } from './stepProfile';
import { median } from './timing';
import { runPeerComparison } from './trainPeer';
import type { BenchContext, BenchRecord } from './types';

type Ctx = BenchContext & { gpu: Gpu };

const SUITE = 'train_step';
const LLAMA_ATTN = ['q_proj', 'k_proj', 'v_proj', 'o_proj'];
/** A first (profiled) step faster than this gets more steps and the median; slower ones are reported as is. */
const REPEAT_BELOW_MS = 15_000;

interface CaseSpec {
  name: string;
  cfg: ModelConfig;
  T: number;
  targets: string[];
  recompute?: boolean;
  /** Loaded weights (studio-base); otherwise random ones are generated on the GPU. */
  weights?: ReadonlyMap<string, GPUBuffer>;
  /** false: allocate and report memory only. */
  step: boolean;
}

const none = { peer: 'none', peer_value: null, ratio: null } as const;

function memoryRecord(gpu: Gpu, name: string, peakBytes: number, note: string): BenchRecord {
  const byKind = Object.fromEntries(Object.entries(memoryByKind(gpu)).map(([k, v]) => [`${k}_MiB`, v]));
  return { suite: SUITE, case: name, ours: mib(peakBytes), ...none, unit: 'MiB', note, ...byKind };
}

async function measureCase(ctx: Ctx, c: CaseSpec): Promise<BenchRecord[]> {
  const { gpu } = ctx;
  const B = 1;
  // Peak of this case = what it allocates + the weights it was handed (loaded before the case started).
  const given = [...(c.weights?.values() ?? [])].reduce((a, b) => a + b.size, 0);
  const base = gpu.buffers.allocatedBytes - given;
  gpu.buffers.resetPeak();
  const pool = `weights#bench-${c.name}`;
  let setup: TrainSetup | null = null;
  try {
    const weights = c.weights ?? randomGpuWeights(gpu, c.cfg, pool);
    setup = buildTraining(gpu, c.cfg, weights, { B, T: c.T, recompute: c.recompute, lora: { r: 8, alpha: 16, targets: c.targets } });
    const what = `LoRA r=8 on ${c.targets.join(',')}, B=${B}, T=${c.T}${c.recompute ? ', activation recomputation' : ''}`;
    if (!c.step) {
      const peak = gpu.buffers.peak - base;
      ctx.log(`${c.name}: ${mib(peak).toFixed(0)} MiB allocated (${what}; no step run)`);
      return [memoryRecord(gpu, c.name, peak, `GPU memory allocated for training (${what}); no step run`)];
    }
    const { trainer, targets } = setup;
    const micro = [{ batch: randomBatch(c.cfg.vocabSize, B, c.T), rows: B, T: c.T }];
    const ranks = new Set(targets.map((t) => t.r));
    ctx.log(`${c.name}: one profiled step (${what}) ...`);
    let t0 = performance.now();
    const { result: first, profile } = await profileStep(gpu, () => trainer.trainStep(micro), (l) => familyOf(l, c.cfg.vocabSize, ranks));
    const firstMs = performance.now() - t0;
    let times = [firstMs];
    let how = '1 step (the profiled one; pipelines warmed on a tiny model of the same family)';
    if (firstMs < REPEAT_BELOW_MS) {
      const reps = ctx.quick ? 2 : 4;
      times = [];
      for (let i = 0; i < reps; i++) {
        t0 = performance.now();
        await trainer.trainStep(micro);
        times.push(performance.now() - t0);
      }
      how = `median of ${reps} steps after a profiled one`;
    }
    const stepMs = median(times);
    const peak = gpu.buffers.peak - base;
    const tokens = B * c.T;
    const top = shares(profile, 1);
    ctx.log(`${c.name}: ${(tokens / (stepMs / 1000)).toFixed(1)} tokens/s (${(stepMs / 1000).toFixed(1)} s/step, ${how}); loss ${first.loss.toFixed(3)}; ` +
      `peak ${mib(peak).toFixed(0)} MiB`);
    ctx.log(`${c.name}: GPU time by kernel family (${profile.dispatches} dispatches, ${(profile.totalMs / 1000).toFixed(1)} s GPU in ` +
      `${(firstMs / 1000).toFixed(1)} s wall): ${top.map(([f, s]) => `${f} ${s.toFixed(1)}%`).join(', ')}`);
    const shareNote = top.slice(0, 4).map(([f, s]) => `${f} ${s.toFixed(0)}%`).join(', ');
    return [
      {
        suite: SUITE, case: c.name, ours: tokens / (stepMs / 1000), ...none, unit: 'tokens/s',
        note: `${what}; ${how}; GPU time: ${shareNote}${first.nonFinite ? '; step was non-finite' : ''}`,
        step_s: stepMs / 1000, loss: first.loss, peak_MiB: mib(peak), dispatches: profile.dispatches, gpu_busy_pct: (100 * profile.totalMs) / firstMs,
      },
      memoryRecord(gpu, c.name, peak, `peak GPU memory allocated (BufferPool.peak) while training (${what})`),
      ...top.map(([family, share]): BenchRecord => ({ suite: SUITE, case: `${c.name} · ${family}`, ours: share, ...none, unit: '%', note: 'share of GPU time in one step' })),
    ];
  } finally {
    setup?.release();
    gpu.buffers.releasePool(pool);
  }
}

/** Compiles every pipeline a family's LoRA step uses, on a 1-layer model (seconds instead of a minute-long step). */
async function warmUp(ctx: Ctx, json: Record<string, unknown>, targets: string[]): Promise<void> {
  const { gpu } = ctx;
  const cfg = parseModelConfig(json);
  const pool = 'weights#bench-warmup';
  const t0 = performance.now();
  const setup = buildTraining(gpu, cfg, randomGpuWeights(gpu, cfg, pool), { B: 1, T: 32, lora: { r: 8, alpha: 16, targets } });
  try {
    await setup.trainer.trainStep([{ batch: randomBatch(cfg.vocabSize, 1, 32), rows: 1, T: 32 }]);
  } finally {
    setup.release();
    gpu.buffers.releasePool(pool);
  }
  ctx.log(`pipelines warmed on a 1-layer ${cfg.modelType} model in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** The built-in model as the app serves it (public/models/studio-base), or null when this build has none. */
async function studioBase(ctx: Ctx): Promise<{ cfg: ModelConfig; weights: Map<string, GPUBuffer>; pool: string } | { absent: string }> {
  const base = `${import.meta.env.BASE_URL}models/studio-base`;
  const res = await fetch(`${base}/config.json`).catch((e: unknown) => String(e));
  if (typeof res === 'string' || !res.ok) return { absent: `public/models/studio-base is not in this build (${base}/config.json: ${typeof res === 'string' ? res : `HTTP ${res.status}`})` };
  // A missing file may come back as the SPA's index.html (HTTP 200): not JSON, so absent too.
  const json: unknown = await res.json().catch(() => null);
  if (!json) return { absent: `public/models/studio-base is not in this build (${base}/config.json is not JSON: the server's fallback page)` };
  const cfg = parseModelConfig(json);
  const blob = await (await fetch(`${base}/model.safetensors`)).blob();
  const t0 = performance.now();
  const loaded = await loadModelWeights(ctx.gpu, cfg, { source: { kind: 'files', files: [{ name: 'model.safetensors', blob }] }, cache: null });
  ctx.log(`studio-base: ${cfg.nLayers} layers, hidden ${cfg.hidden}, vocab ${cfg.vocabSize}; loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { cfg, weights: loaded.weights, pool: loaded.pool };
}

export async function run(ctx: Ctx): Promise<BenchRecord[]> {
  const want = (name: string) => ctx.cases.length === 0 || ctx.cases.some((f) => name.includes(f));
  const explicitly = (word: string) => ctx.cases.some((f) => f.includes(word));
  const T = ctx.quick ? 64 : 256;
  const smol = parseModelConfig(SMOLLM2_135M);
  const gpt2 = parseModelConfig(GPT2_124M);
  const records: BenchRecord[] = [];
  const warmed = new Set<string>();
  // Pipelines are per shader variant: one warm-up per block layout (the Llama one or the GPT-2 one).
  const warm = async (cfg: ModelConfig) => {
    const gpt2Like = cfg.names.linearLayout === 'conv1d';
    if (warmed.has(String(gpt2Like))) return;
    warmed.add(String(gpt2Like));
    await (gpt2Like ? warmUp(ctx, GPT2_WARMUP, ['c_attn']) : warmUp(ctx, LLAMA_WARMUP, LLAMA_ATTN));
  };

  if (want('studio-base-lora')) {
    const sb = await studioBase(ctx);
    if ('absent' in sb) {
      ctx.log(`studio-base skipped: ${sb.absent}`);
      records.push({ suite: SUITE, case: 'studio-base-lora', ours: Number.NaN, ...none, unit: 'tokens/s', note: `skipped: ${sb.absent}` });
    } else {
      try {
        const sbT = Math.min(T, sb.cfg.maxTrainLength);
        await warm(sb.cfg);
        const targets = [...sb.cfg.attentionTargets];
        records.push(...(await measureCase(ctx, { name: `studio-base-lora-T${sbT}`, cfg: sb.cfg, T: sbT, targets, weights: sb.weights, step: true })));
      } finally {
        ctx.gpu.buffers.releasePool(sb.pool);
      }
    }
  }

  const big: CaseSpec[] = [
    { name: `smollm2-135m-lora-T${T}`, cfg: smol, T, targets: LLAMA_ATTN, step: true },
    { name: 'smollm2-135m-lora-T512-recompute', cfg: smol, T: 512, targets: LLAMA_ATTN, recompute: true, step: explicitly('recompute') },
    { name: 'smollm2-135m-lora-T512-stored', cfg: smol, T: 512, targets: LLAMA_ATTN, step: false },
    { name: `gpt2-124m-lora-T${T}`, cfg: gpt2, T, targets: ['c_attn'], step: true },
  ];
  for (const c of big.filter((x) => want(x.name))) {
    if (c.step) await warm(c.cfg);
    records.push(...(await measureCase(ctx, c)));
  }
  if (want('gpt2-small-lora')) records.push(...(await runPeerComparison(ctx)));
  if (records.length === 0) throw new Error(`No train_step case matches ${ctx.cases.join(', ')}`);
  return records;
}
