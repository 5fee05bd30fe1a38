/**
 * One training run, the same in the browser Worker and in the CLI: label the examples, build the model's trainable
 * state (LoRA as PEFT initialises it, or every weight), step through seeded epochs with gradient accumulation,
 * evaluate on the validation split, checkpoint, and stop cleanly on request or on NaN/Inf (keeping the last good
 * state). Callers get progress through callbacks and the final adapter values at the end.
 */
import type { Gpu } from '../engine/gpu/device';
import type { ModelConfig } from '../engine/model/config';
import { initLoraA, initLoraB, resolveLoraTargets, type LoraConfig, type LoraTarget } from '../engine/model/lora';
import { GpuTransformer } from '../engine/transformer/model';
import { weightFormatOf, widenToF32 } from '../engine/transformer/weights';
import { memoryRefusal, memorySuggestions, planMemory, type MemoryPlan } from '../engine/transformer/memory';
import { GpuMemoryPlanError } from '../engine/gpu/errors';
import { embedWeightName } from '../engine/model/tensors';
import { Trainer, restoreTrainer, snapshotTrainer, type StepResult, type TrainerSnapshot } from '../engine/train/trainer';
import type { ScheduleKind } from '../engine/train/schedule';
import { readF32 } from '../engine/gpu/buffers';
import type { StudioTokenizer } from '../text/tokenizer';
import { epochBatches, microBatchOptions, type LabelConfig, type TrainingExample } from './data';
import { padIdOf, planRun, type RunPlan } from './plan';
import { makeLoraConfig } from './lora';
import { runMemoryRequest } from './memory';
import { stepSplit } from './answerLabels';

export type { RunPlan } from './plan';

export interface LoraSettings {
  r: number;
  alpha: number;
  dropout: number;
  /** Module names, 'all-linear', or 'attention': every attention projection of the model's family (its spec's preset). */
  targetModules: string[] | 'all-linear' | 'attention';
  useRslora: boolean;
}

export interface RunConfig {
  label: LabelConfig;
  /** null = full-parameter training. */
  lora: LoraSettings | null;
  lr: number;
  schedule: ScheduleKind;
  warmupRatio: number;
  weightDecay: number;
  maxGradNorm: number;
  batchSize: number;
  gradAccum: number;
  epochs: number;
  /** Cap on optimizer steps (0 = epochs decide). */
  maxSteps: number;
  pack: boolean;
  seed: number;
  /** Evaluate every N steps (0 = only at the end). */
  evalEvery: number;
  /** Checkpoint every N steps (0 = never). */
  checkpointEvery: number;
  /** Hand the model as trained so far to RunCallbacks.onSample every N steps and after the last one (0/absent = never). */
  sampleEvery?: number;
  recompute: boolean;
  baseModelName?: string;
}

export const DEFAULT_RUN: Omit<RunConfig, 'label'> = {
  lora: { r: 8, alpha: 16, dropout: 0.05, targetModules: 'attention', useRslora: false },
  lr: 2e-4, schedule: 'cosine', warmupRatio: 0.05, weightDecay: 0, maxGradNorm: 1, batchSize: 4, gradAccum: 1,
  epochs: 3, maxSteps: 0, pack: false, seed: 42, evalEvery: 0, checkpointEvery: 0, recompute: false,
};

export interface RunCheckpoint {
  snapshot: TrainerSnapshot;
  epoch: number;
  /** Micro-batches of the current epoch already consumed. */
  cursor: number;
}

export interface RunCallbacks {
  onPlan?(plan: RunPlan): void;
  /** The GPU memory plan of the run (only called when it fits: otherwise runTraining throws GpuMemoryPlanError). */
  onMemory?(plan: MemoryPlan): void;
  onStep?(s: StepResult & { epoch: number; tokensPerSec: number; elapsed: number }): void;
  onEval?(e: { step: number; loss: number }): void;
  /** After each validation micro-batch of an evaluation: `done` of `total` batches (for a progress display). */
  onEvalProgress?(e: { step: number; done: number; total: number }): void;
  onCheckpoint?(c: RunCheckpoint): void | Promise<void>;
  /**
   * Every `sampleEvery` steps and after the last step: the model as of that step, read-only, to generate validation
   * samples from. It changes no training state and draws no training randomness (dropout is seeded per step), so a
   * run samples or not with the very same losses; its time is left out of tokens/s and elapsed.
   */
  onSample?(model: TrainedModelView): Promise<void>;
  /**
   * Polled between steps and between evaluation batches: 'stop' ends the run (an adapter is still produced; an
   * evaluation in progress is abandoned and the final one skipped), 'pause' waits.
   */
  control?(): 'run' | 'pause' | 'stop';
}

/** The model of a run as of `step`: base weights (the trained copy in full-parameter mode) plus the LoRA values. */
export interface TrainedModelView {
  step: number;
  weights: ReadonlyMap<string, GPUBuffer>;
  lora: { targets: LoraTarget[]; values: Map<string, Float32Array> } | null;
}

export interface RunResult {
  reason: 'finished' | 'stopped' | 'nonfinite';
  steps: number;
  loraConfig: LoraConfig | null;
  targets: LoraTarget[];
  /** Trained values by PEFT key (LoRA) or logical name (full mode). */
  values: Map<string, Float32Array>;
  finalEvalLoss: number | null;
}

export { makeLoraConfig } from './lora';

let runs = 0;

export async function runTraining(
  gpu: Gpu,
  modelConfig: ModelConfig,
  weights: ReadonlyMap<string, GPUBuffer>,
  tokenizer: StudioTokenizer,
  examples: TrainingExample[],
  run: RunConfig,
  cb: RunCallbacks = {},
  resume?: RunCheckpoint,
): Promise<RunResult> {
  // Throws NothingToTrainError (with the reason) before any GPU work when no example has a loss target.
  const { data, plan } = planRun(tokenizer, examples, run);
  const padId = padIdOf(tokenizer);
  const T = run.label.maxLength;
  const micro = (epoch: number) => epochBatches(data.train, microBatchOptions(run, padId, epoch));
  const totalSteps = plan.totalSteps;
  cb.onPlan?.(plan);

  const loraConfig = run.lora ? makeLoraConfig(modelConfig, run.lora, run.baseModelName) : null;
  const targets = loraConfig ? resolveLoraTargets(modelConfig, loraConfig) : [];
  // The memory plan, before any allocation: a buffer or binding over a device limit refuses the run, saying what fits.
  const memRequest = runMemoryRequest(run, targets, weightFormatOf(weights, embedWeightName(modelConfig)));
  const limits = { maxBufferSize: gpu.device.limits.maxBufferSize, maxStorageBufferBindingSize: gpu.device.limits.maxStorageBufferBindingSize, isSoftware: gpu.adapter.isSoftware };
  const memory = planMemory(modelConfig, memRequest, limits);
  if (!memory.fits) throw new GpuMemoryPlanError(memoryRefusal(memory, memorySuggestions(modelConfig, memRequest, limits))!);
  cb.onMemory?.(memory);
  const values = new Map<string, Float32Array>();
  for (const t of targets) {
    values.set(t.keyA, initLoraA(t, run.seed));
    values.set(t.keyB, initLoraB(t, run.seed));
  }
  // Full-parameter mode trains a private f32 copy of the weights (f16-stored ones widened), so the loaded base model
  // stays the base model: the playground can still compare against it, and another run starts from it again.
  const copies = `weights-f32#run${++runs}`;
  const base = run.lora ? weights : copyForTraining(gpu, widenToF32(gpu, weights, copies), weights, copies);
  const model = new GpuTransformer(gpu, modelConfig, base, {
    B: run.batchSize, T, recompute: run.recompute, fullParams: !run.lora,
    lora: run.lora ? { targets, values, dropout: run.lora.dropout } : null,
  });
  const trainer = new Trainer(gpu, model, {
    schedule: { kind: run.schedule, lr: run.lr, warmupSteps: Math.round(run.warmupRatio * totalSteps), totalSteps },
    weightDecay: run.weightDecay, beta1: 0.9, beta2: 0.999, eps: 1e-8, maxGradNorm: run.maxGradNorm,
  });
  let epoch = 0, cursor = 0;
  if (resume) {
    restoreTrainer(trainer, resume.snapshot);
    epoch = resume.epoch;
    cursor = resume.cursor;
  }
  const valBatches = data.validation.length
    ? epochBatches(data.validation, { batchSize: run.batchSize, maxLength: T, padId, pack: false, seed: 0 })
    : [];
  // null = nothing to evaluate on (the plan's evalNote says why; never a 0 or NaN loss from an empty split), or the
  // evaluation was stopped. One batch at a time (each is one forward pass and one readback anyway), so a stop request
  // is honoured within a batch and the caller can show progress.
  const evaluate = async () => {
    if (!valBatches.length || cb.control?.() === 'stop') return null;
    let sum = 0, targets = 0;
    for (let i = 0; i < valBatches.length; i++) {
      if (cb.control?.() === 'stop') return null;
      const r = await trainer.evalLoss([valBatches[i]]);
      if (r.targets > 0) sum += r.loss * r.targets;
      targets += r.targets;
      cb.onEvalProgress?.({ step: trainer.step, done: i + 1, total: valBatches.length });
    }
    return targets > 0 ? sum / targets : null;
  };

  let started = performance.now();
  let sampled = -1;
  const sample = async () => {
    if (!cb.onSample || sampled === trainer.step) return;
    const t0 = performance.now();
    sampled = trainer.step;
    const lora = run.lora ? { targets, values: await readTrainable(gpu, model) } : null;
    await cb.onSample({ step: trainer.step, weights: base, lora });
    started += performance.now() - t0; // sampling time is not training time
  };
  const sampleEvery = run.sampleEvery ?? 0;
  let tokens = 0;
  let reason: RunResult['reason'] = 'finished';
  let finalEvalLoss: number | null = null;
  let checkpointed = -1;
  outer: for (; epoch < run.epochs; epoch++, cursor = 0) {
    const batches = micro(epoch);
    while (cursor < batches.length) {
      if (trainer.step >= totalSteps) break outer;
      let ctl = cb.control?.() ?? 'run';
      while (ctl === 'pause') {
        await new Promise((r) => setTimeout(r, 100));
        ctl = cb.control?.() ?? 'run';
      }
      if (ctl === 'stop') {
        reason = 'stopped';
        break outer;
      }
      const group = batches.slice(cursor, cursor + run.gradAccum);
      const result = await trainer.trainStep(group, run.seed);
      if (result.nonFinite) {
        reason = 'nonfinite';
        break outer;
      }
      cursor += group.length;
      tokens += result.tokens;
      const elapsed = (performance.now() - started) / 1000;
      cb.onStep?.({ ...result, split: stepSplit(run.label.mode, result), epoch, tokensPerSec: tokens / Math.max(elapsed, 1e-9), elapsed });
      if (run.evalEvery > 0 && trainer.step % run.evalEvery === 0) {
        const loss = await evaluate();
        if (loss !== null) cb.onEval?.({ step: trainer.step, loss });
      }
      if (sampleEvery > 0 && trainer.step % sampleEvery === 0) await sample();
      if (run.checkpointEvery > 0 && trainer.step % run.checkpointEvery === 0 && cb.onCheckpoint) {
        await cb.onCheckpoint({ snapshot: await snapshotTrainer(trainer), epoch, cursor });
        checkpointed = trainer.step;
      }
    }
  }
  // A stopped run leaves a checkpoint at exactly where it stopped (once: not again when one was just written), so
  // resuming loses no step.
  if (reason === 'stopped' && cb.onCheckpoint && trainer.step > 0 && checkpointed !== trainer.step) {
    await cb.onCheckpoint({ snapshot: await snapshotTrainer(trainer), epoch, cursor });
  }
  if (reason !== 'nonfinite') {
    finalEvalLoss = await evaluate();
    if (finalEvalLoss !== null) cb.onEval?.({ step: trainer.step, loss: finalEvalLoss });
    if (sampleEvery > 0 && trainer.step > 0) await sample();
  }
  const out = await readTrainable(gpu, model);
  model.release();
  trainer.release();
  gpu.buffers.releasePool(copies);
  return { reason, steps: trainer.step, loraConfig, targets, values: out, finalEvalLoss };
}

/** The current values of every trainable tensor, by name (PEFT key for LoRA). */
async function readTrainable(gpu: Gpu, model: GpuTransformer): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const t of model.trainable()) out.set(t.name, await readF32(gpu.device, t.param, 0, t.size));
  return out;
}

/** f32 copies of the buffers `widened` still shares with the loaded `original` weights (the widened ones are new). */
function copyForTraining(gpu: Gpu, widened: ReadonlyMap<string, GPUBuffer>, original: ReadonlyMap<string, GPUBuffer>, pool: string): Map<string, GPUBuffer> {
  const out = new Map<string, GPUBuffer>();
  const enc = gpu.device.createCommandEncoder();
  for (const [name, buffer] of widened) {
    if (buffer !== original.get(name)) {
      out.set(name, buffer);
      continue;
    }
    const copy = gpu.buffers.storage(pool, name, buffer.size);
    enc.copyBufferToBuffer(buffer, 0, copy, 0, buffer.size);
    out.set(name, copy);
  }
  gpu.device.queue.submit([enc.finish()]);
  return out;
}
