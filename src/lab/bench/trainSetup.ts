/**
 * Building blocks of the train_step suite: random weights written straight into GPU buffers (no host RNG over 135M
 * values), a random token batch, a GpuTransformer + Trainer with a LoRA adapter exactly as a training run builds
 * them (src/train/run.ts), and GPU memory by pool kind.
 */
import type { Gpu } from '../../engine/gpu/device';
import type { ModelConfig } from '../../engine/model/config';
import { expectedTensors } from '../../engine/model/tensors';
import { defaultLoraConfig, initLoraA, initLoraB, resolveLoraTargets, type LoraTarget } from '../../engine/model/lora';
import { mulberry32, uniformArray } from '../../engine/model/random';
import { GpuTransformer, type HostBatch } from '../../engine/transformer/model';
import { DEFAULT_OPTIMIZER, Trainer } from '../../engine/train/trainer';

const MiB = 1 << 20;
/** Period of the random pattern a weight is tiled with: 64 Ki floats (256 KiB), not a multiple of any row width. */
const PATTERN = 65_521;

/** Value range per tensor, as a freshly initialised model has them: norms ≈ 1, biases ≈ 0, matrices ±1/√fan_in. */
function rangeOf(name: string, shape: number[], conv1d: boolean): { center: number; bound: number } {
  if (/(layernorm|norm|ln_\d|ln_f)\.weight$/.test(name)) return { center: 1, bound: 0.1 };
  if (name.endsWith('.bias') || name.endsWith('wpe.weight')) return { center: 0, bound: 0.02 };
  if (/embed_tokens|wte/.test(name)) return { center: 0, bound: 0.05 };
  const fanIn = conv1d ? shape[0] : shape[shape.length - 1];
  return { center: 0, bound: 1 / Math.sqrt(fanIn) };
}

/**
 * Every tensor of `cfg` as an f32 GPU buffer in `pool`, filled by tiling one random pattern (scaled per tensor) with
 * queue.writeBuffer: a 135M-parameter model takes well under a second instead of minutes of host RNG.
 */
export function randomGpuWeights(gpu: Gpu, cfg: ModelConfig, pool: string, seed = 1): Map<string, GPUBuffer> {
  const unit = uniformArray(PATTERN, 1, mulberry32(seed));
  const scaled = new Float32Array(PATTERN);
  const out = new Map<string, GPUBuffer>();
  for (const spec of expectedTensors(cfg)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    gpu.checkBinding(`Weight ${spec.name}`, n * 4);
    const buf = gpu.buffers.storage(pool, spec.name, n * 4);
    const { center, bound } = rangeOf(spec.name, spec.shape, cfg.names.linearLayout === 'conv1d');
    for (let i = 0; i < PATTERN; i++) scaled[i] = center + bound * unit[i];
    for (let at = 0; at < n; at += PATTERN) gpu.device.queue.writeBuffer(buf, at * 4, scaled, 0, Math.min(PATTERN, n - at));
    out.set(spec.name, buf);
  }
  return out;
}

/** B rows of T random token ids, every label trained (labels = ids, unshifted as HF expects). */
export function randomBatch(vocab: number, B: number, T: number, seed = 7): HostBatch {
  const rand = mulberry32(seed);
  const inputIds = new Int32Array(B * T);
  for (let i = 0; i < inputIds.length; i++) inputIds[i] = Math.floor(rand() * vocab);
  return { inputIds, labels: inputIds.slice() };
}

export interface LoraSpec {
  r: number;
  alpha: number;
  /** PEFT target_modules, e.g. ['q_proj', 'k_proj', 'v_proj', 'o_proj'] or ['c_attn']. */
  targets: string[];
  /** Initial values by PEFT key; default PEFT's init (kaiming A, zero B). */
  values?: Map<string, Float32Array>;
}

export interface TrainSetup {
  model: GpuTransformer;
  trainer: Trainer;
  targets: LoraTarget[];
  release(): void;
}

/** The modules a LoRA spec resolves to, as PEFT would (dropout 0: a benchmark wants no RNG noise). */
export function loraTargets(cfg: ModelConfig, lora: Pick<LoraSpec, 'r' | 'alpha' | 'targets'>): LoraTarget[] {
  return resolveLoraTargets(cfg, defaultLoraConfig(cfg, { r: lora.r, loraAlpha: lora.alpha, targetModules: lora.targets, loraDropout: 0 }));
}

/** A LoRA training setup over loaded weights, as src/train/run.ts builds it. */
export function buildTraining(gpu: Gpu, cfg: ModelConfig, weights: ReadonlyMap<string, GPUBuffer>, opts: { B: number; T: number; recompute?: boolean; lora: LoraSpec; maxGradNorm?: number }): TrainSetup {
  const { lora } = opts;
  const targets = loraTargets(cfg, lora);
  const values = lora.values ?? new Map(targets.flatMap((t) => [[t.keyA, initLoraA(t, 1)], [t.keyB, initLoraB(t, 1)]] as const));
  const model = new GpuTransformer(gpu, cfg, weights, { B: opts.B, T: opts.T, recompute: !!opts.recompute, lora: { targets, values, dropout: 0 } });
  try {
    const trainer = new Trainer(gpu, model, {
      ...DEFAULT_OPTIMIZER,
      maxGradNorm: opts.maxGradNorm ?? DEFAULT_OPTIMIZER.maxGradNorm,
      schedule: { kind: 'constant', lr: 1e-4, warmupSteps: 0, totalSteps: 1_000_000 },
    });
    return {
      model, trainer, targets,
      release: () => {
        trainer.release();
        model.release();
      },
    };
  } catch (e) {
    model.release();
    throw e;
  }
}

/** Allocated GPU memory by pool kind ("activations#3", "weights#bench" → activations, weights), in MiB. */
export function memoryByKind(gpu: Gpu): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [pool, bytes] of Object.entries(gpu.buffers.byPool())) {
    const kind = pool.replace(/#.*$/, '');
    out[kind] = (out[kind] ?? 0) + bytes / MiB;
  }
  return out;
}

export const mib = (bytes: number) => bytes / MiB;
