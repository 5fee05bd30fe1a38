/**
 * Dispatches per LoRA training step, by kernel family, without running them: `npx tsx src/lab/bench/dispatchCount.ts`.
 *
 * Builds each model shape (random weights) with 1 and 2 layers, records two Trainer.trainSteps with
 * Recorder.prototype.encode replaced by a label counter (nothing reaches the GPU; the steps' numbers are garbage),
 * counts the second (steady state: the first also zeroes every gradient, one fill per trainable tensor, which later
 * steps leave to AdamW; its total is printed too), and extrapolates linearly to the real layer count: count(L) = count(1) + (L − 1)·(count(2) − count(1)). Both matmul
 * plans are counted: the CPU adapter's (SwiftShader: never split-K) and a hardware adapter's (split-K on).
 *
 * `--time`: instead, real steps on SwiftShader (warm-up, then the median of `--steps` (3) steps) of the built-in
 * shape at B=1, T=256 and of SmolLM2 / GPT-2 shapes cut to `--layers` (6) layers at B=1, T=64, in tokens/s — a quick
 * before/after probe that needs no browser (the browser suite is `npm run bench -- --suite train_step`).
 */
import { readFileSync } from 'node:fs';
import { acquireNodeGpu } from '../../node/gpu';
import { Recorder } from '../../engine/gpu/recorder';
import { parseModelConfig, type ModelConfig } from '../../engine/model/config';
import { initLoraA, initLoraB } from '../../engine/model/lora';
import { GpuTransformer } from '../../engine/transformer/model';
import { DEFAULT_OPTIMIZER, Trainer } from '../../engine/train/trainer';
import { asHardwareAdapter } from '../../engine/kernels/reductionThreads';
import type { Gpu } from '../../engine/gpu/device';
import { GPT2_124M, SMOLLM2_135M } from './shapes';
import { buildTraining, loraTargets, randomBatch, randomGpuWeights } from './trainSetup';
import { familyOf } from './stepProfile';

const LLAMA_ATTN = ['q_proj', 'k_proj', 'v_proj', 'o_proj'];
const studioBase = JSON.parse(readFileSync('public/models/studio-base/config.json', 'utf8')) as Record<string, unknown>;
const CASES: { name: string; json: Record<string, unknown>; layersKey: string; B: number; T: number; targets: string[]; dropout?: number }[] = [
  { name: 'smollm2-135m qkvo B4xT512', json: SMOLLM2_135M, layersKey: 'num_hidden_layers', B: 4, T: 512, targets: LLAMA_ATTN },
  { name: 'gpt2-124m c_attn B4xT512', json: GPT2_124M, layersKey: 'n_layer', B: 4, T: 512, targets: ['c_attn'] },
  { name: 'studio-base qkvo B4xT256', json: studioBase, layersKey: 'num_hidden_layers', B: 4, T: 256, targets: LLAMA_ATTN },
  { name: 'smollm2-135m qkvo B4xT512, LoRA dropout 0.05 (the app default)', json: SMOLLM2_135M, layersKey: 'num_hidden_layers', B: 4, T: 512, targets: LLAMA_ATTN, dropout: 0.05 },
];

/** buildTraining (trainSetup.ts), with a LoRA dropout (the app trains with 0.05; the benchmarks with 0). */
function setupWithDropout(gpu: Gpu, cfg: ModelConfig, weights: Map<string, GPUBuffer>, B: number, T: number, targets: string[], dropout: number) {
  if (dropout === 0) return buildTraining(gpu, cfg, weights, { B, T, lora: { r: 8, alpha: 16, targets } });
  const lt = loraTargets(cfg, { r: 8, alpha: 16, targets });
  const values = new Map(lt.flatMap((t) => [[t.keyA, initLoraA(t, 1)], [t.keyB, initLoraB(t, 1)]] as const));
  const model = new GpuTransformer(gpu, cfg, weights, { B, T, lora: { targets: lt, values, dropout } });
  const trainer = new Trainer(gpu, model, { ...DEFAULT_OPTIMIZER, schedule: { kind: 'constant', lr: 1e-4, warmupSteps: 0, totalSteps: 1_000_000 } });
  return { trainer, release: () => (trainer.release(), model.release()) };
}

async function countStep(gpu: Gpu, json: Record<string, unknown>, B: number, T: number, targets: string[], dropout = 0): Promise<{ steady: Map<string, number>; first: number }> {
  const cfg = parseModelConfig(json);
  const pool = 'weights#count';
  const labels: string[] = [], firstLabels: string[] = [];
  const proto = Recorder.prototype;
  const original = proto.encode;
  proto.encode = function countOnly(this: Recorder) {
    labels.push(...this.labels);
  };
  try {
    const setup = setupWithDropout(gpu, cfg, randomGpuWeights(gpu, cfg, pool), B, T, targets, dropout);
    try {
      const micro = [{ batch: randomBatch(cfg.vocabSize, B, T), rows: B, T }];
      await setup.trainer.trainStep(micro);
      firstLabels.push(...labels.splice(0));
      await setup.trainer.trainStep(micro);
    } finally {
      setup.release();
    }
  } finally {
    proto.encode = original;
    gpu.buffers.releasePool(pool);
  }
  const out = new Map<string, number>();
  for (const l of labels) {
    const f = familyOf(l, cfg.vocabSize, new Set([8]));
    const key = / splitK sum$/.test(l) ? 'matmul splitK sum' : f;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return { steady: out, first: firstLabels.length };
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function timeSteps(gpu: Gpu): Promise<void> {
  const layers = flag('--layers', 6), steps = flag('--steps', 3);
  const cases = [
    { ...CASES[2], B: 1, T: 256 },
    { ...CASES[2], B: 1, T: 256, dropout: 0.05, name: 'studio-base qkvo, LoRA dropout 0.05' },
    { ...CASES[0], json: { ...CASES[0].json, num_hidden_layers: layers }, B: 1, T: 64, name: `smollm2-135m qkvo, ${layers} layers` },
    { ...CASES[1], json: { ...CASES[1].json, n_layer: layers }, B: 1, T: 64, name: `gpt2-124m c_attn, ${layers} layers` },
  ];
  for (const c of cases) {
    const cfg = parseModelConfig(c.json);
    const pool = 'weights#time';
    const setup = setupWithDropout(gpu, cfg, randomGpuWeights(gpu, cfg, pool), c.B, c.T, c.targets, c.dropout ?? 0);
    try {
      const micro = [{ batch: randomBatch(cfg.vocabSize, c.B, c.T), rows: c.B, T: c.T }];
      await setup.trainer.trainStep(micro);
      const ms: number[] = [];
      let loss = 0;
      for (let i = 0; i < steps; i++) {
        const t0 = performance.now();
        loss = (await setup.trainer.trainStep(micro)).loss;
        ms.push(performance.now() - t0);
      }
      ms.sort((a, b) => a - b);
      const med = ms[Math.floor(ms.length / 2)];
      console.log(`${c.name} B${c.B}xT${c.T}: ${((c.B * c.T) / (med / 1000)).toFixed(1)} tokens/s (median ${(med / 1000).toFixed(2)} s of ${ms.map((m) => (m / 1000).toFixed(2)).join(', ')}; loss ${loss.toFixed(4)})`);
    } finally {
      setup.release();
      gpu.buffers.releasePool(pool);
    }
  }
}

async function main(): Promise<void> {
  const cpu = await acquireNodeGpu({ adapter: 'swiftshader' });
  if (process.argv.includes('--time')) return timeSteps(cpu);
  for (const c of CASES) {
    const L = Number(c.json[c.layersKey]);
    for (const [kind, gpu] of [['cpu plan', cpu], ['hardware plan', asHardwareAdapter(cpu)]] as const) {
      const c1 = await countStep(gpu, { ...c.json, [c.layersKey]: 1 }, c.B, c.T, c.targets, c.dropout);
      const c2 = await countStep(gpu, { ...c.json, [c.layersKey]: 2 }, c.B, c.T, c.targets, c.dropout);
      const one = c1.steady, two = c2.steady;
      const firstTotal = c1.first + (L - 1) * (c2.first - c1.first);
      const fams = [...new Set([...one.keys(), ...two.keys()])].sort();
      let total = 0, perLayerTotal = 0;
      const rows = fams.map((f) => {
        const a = one.get(f) ?? 0, per = (two.get(f) ?? 0) - a;
        const n = a + (L - 1) * per;
        total += n;
        perLayerTotal += per;
        return `  ${f.padEnd(32)} ${String(n).padStart(6)}   (per layer ${per})`;
      });
      console.log(`${c.name}, ${L} layers, ${kind}: ${total} dispatches per step (${perLayerTotal} per layer; the first step: ${firstTotal})`);
      console.log(rows.join('\n'));
    }
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
