/**
 * The optimisation loop around a GpuTransformer: gradient accumulation over micro-batches, global-norm clipping,
 * AdamW (torch semantics), an LR schedule, NaN/Inf detection and evaluation loss. Each micro-batch is one command
 * buffer; the only readback per optimizer step is a handful of floats (loss sums, grad norm, non-finite flag).
 */
import type { Gpu } from '../gpu/device';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import type { GpuTransformer, HostBatch } from '../transformer/model';
import { adamwStep } from '../kernels/adamw';
import { gradNormClip, paramNorms } from '../kernels/grad_norm';
import { optimizerStatusLayout, OPTIMIZER_WG, type OptimizerStatusLayout } from '../kernels/optimizerStatus';
import { reductionThreads } from '../kernels/reductionThreads';
import { learningRate, type Schedule } from './schedule';
import { LossSplitter, splitResult, type LossSplit } from './lossSplit';

export interface OptimizerConfig {
  schedule: Schedule;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** ≤ 0 disables clipping. */
  maxGradNorm: number;
}

export const DEFAULT_OPTIMIZER: Omit<OptimizerConfig, 'schedule'> = { weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, maxGradNorm: 1 };

export interface MicroBatch {
  batch: HostBatch;
  rows: number;
  T: number;
  /**
   * Unshifted labels of the answer tokens only (the assistant-turn labels of the same examples, same layout as
   * batch.labels). When a step's micro-batches have them, the step also reports its loss split (lossSplit.ts).
   */
  answerLabels?: Int32Array;
}

export interface StepResult {
  step: number;
  /** Mean loss over the step's trained targets (HF's reported training loss). */
  loss: number;
  gradNorm: number;
  lr: number;
  targets: number;
  tokens: number;
  /**
   * The step was rejected: its loss or gradients were NaN/Inf (no parameter or moment was changed), or the update
   * left parameters non-finite or exploded (see `explodedParams`; the parameters were restored to before the step).
   */
  nonFinite: boolean;
  /** The update made the parameters non-finite or multiplied their norm by more than PARAM_GROWTH_LIMIT. */
  explodedParams?: boolean;
  /** The loss over answer tokens and over the other trained tokens (only when the micro-batches carry answerLabels). */
  split?: LossSplit;
}

export class NonFiniteLossError extends Error {
  constructor(readonly step: number) {
    super(`Training produced NaN/Inf at step ${step}. The last good parameters were kept; lower the learning rate or check the data.`);
    this.name = 'NonFiniteLossError';
  }
}

let trainers = 0;

/**
 * The NaN guard's "exploded" rule: one update may not multiply the trainable parameters' global norm (floored at 1) by
 * more than this. No sane step comes close (Adam moves each value by about the learning rate); --lr 1e30 does.
 */
export const PARAM_GROWTH_LIMIT = 1000;

/** The status header read back each step: Σg², clipScale, nonFinite, Σp² before and after the update. */
const STATUS_READ_FLOATS = 5;

export class Trainer {
  step = 0;
  private readonly moments: { m: GPUBuffer; v: GPUBuffer }[];
  /** [Σg², clipScale, nonFinite, Σp² before, Σp² after, _, _, _, partials…] (optimizerStatus.ts). */
  private readonly status: GPUBuffer;
  private readonly layout: OptimizerStatusLayout;
  private readonly stepLosses: GPUBuffer; // one float per micro-batch + status header copy + 2 split sums per micro-batch
  /** The answer/prompt loss split (used by steps whose micro-batches carry answerLabels). */
  private readonly splitter: LossSplitter;
  private readonly maxMicro = 64;
  private readonly pool = `optimizer#${++trainers}`;
  /** One recorder for the trainer's life: its uniform buffer is reused by every step. */
  private readonly rec: Recorder;
  /** NaN guard: each parameter as it was before the current step (restored when the step is rejected). */
  private readonly lastGood: GPUBuffer[];
  /**
   * The model's gradients are all zero: the last step's AdamW cleared each after reading it, so this step's first
   * backward may accumulate onto them without a fill. False until a step has run (the model may hold gradients from
   * elsewhere), and while a step is in flight. Only trainStep may run backward on a trainer's model.
   */
  private gradsZero = false;

  constructor(
    readonly gpu: Gpu,
    readonly model: GpuTransformer,
    readonly opt: OptimizerConfig,
  ) {
    this.moments = model.trainable().map((t) => ({
      m: gpu.buffers.storage(this.pool, `m:${t.name}`, t.size * 4),
      v: gpu.buffers.storage(this.pool, `v:${t.name}`, t.size * 4),
    }));
    this.rec = new Recorder(gpu);
    this.layout = optimizerStatusLayout(model.trainable().map((t) => t.size), reductionThreads(gpu, OPTIMIZER_WG));
    this.status = gpu.buffers.storage(this.pool, 'status', this.layout.floats * 4);
    this.stepLosses = gpu.buffers.storage(this.pool, 'stepLosses', (this.maxMicro * 3 + STATUS_READ_FLOATS) * 4);
    this.splitter = new LossSplitter(gpu, model, this.pool);
    this.lastGood = model.trainable().map((t) => gpu.buffers.storage(this.pool, `last-good:${t.name}`, t.size * 4));
  }

  release(): void {
    this.rec.destroy();
    this.gpu.buffers.releasePool(this.pool);
  }

  momentsOf(i: number): { m: GPUBuffer; v: GPUBuffer } {
    return this.moments[i];
  }

  /** One optimizer step over `micro` (gradient accumulation). Seeds dropout with (seed, step, micro index). */
  async trainStep(micro: MicroBatch[], seed = 0): Promise<StepResult> {
    if (micro.length === 0 || micro.length > this.maxMicro) throw new Error(`1..${this.maxMicro} micro-batches per step, got ${micro.length}`);
    const { gpu, model } = this;
    // Targets of the whole step first: every micro-batch's gradient is scaled by 1/total, as HF does.
    const counts = micro.map((mb) => countTargets(mb));
    const total = counts.reduce((a, b) => a + b, 0);
    if (total === 0) throw new Error('This step has no trained tokens (every label is -100). Check the mask mode and the data.');
    const rec = this.rec;
    // The answer/other split: at the end of stepLosses, two floats per micro-batch.
    const splitAt = this.maxMicro + STATUS_READ_FLOATS;
    const splitter = micro.some((mb) => mb.answerLabels) ? this.splitter : null;
    splitter?.begin();
    if (!this.gradsZero) {
      model.zeroGrads(rec);
      rec.submit();
    }
    this.gradsZero = false;
    micro.forEach((mb, i) => {
      model.setBatch(mb.batch, mb.rows, mb.T);
      model.forward(rec, { backward: true, lossScale: 1 / total, seed: mix(seed, this.step, i) });
      splitter?.record(rec, mb);
      model.backward(rec, { seed: mix(seed, this.step, i) });
      const enc = gpu.device.createCommandEncoder();
      rec.encode(enc);
      rec.clear();
      enc.copyBufferToBuffer(model.lossSum, 0, this.stepLosses, i * 4, 4);
      splitter?.copy(enc, this.stepLosses, (splitAt + 2 * i) * 4);
      gpu.device.queue.submit([enc.finish()]);
    });
    const lr = learningRate(this.opt.schedule, this.step);
    const trainable = model.trainable();
    this.saveLastGood();
    // Per trainable tensor: one grad-norm partial and one AdamW dispatch (which also writes the NaN guard's Σ p²
    // partials before and after its update and zeroes the gradient for the next step); then one pass sums all
    // gradient partials (and clips), one all Σ p² partials.
    // The norms are summed over every tensor's partials at once in a fixed order (optimizerStatus.ts), not tensor by
    // tensor: reproducible bit for bit, though not the same bits as a tensor-by-tensor sum.
    gradNormClip(rec, this.status, this.layout, trainable.map((t) => t.grad), this.opt.maxGradNorm);
    trainable.forEach((t, i) => {
      const { m, v } = this.moments[i];
      adamwStep(rec, t.param, t.grad, m, v, this.status, this.layout, i, {
        lr, beta1: this.opt.beta1, beta2: this.opt.beta2, eps: this.opt.eps,
        weightDecay: t.decay ? this.opt.weightDecay : 0, step: this.step + 1,
      });
    });
    paramNorms(rec, this.status, this.layout);
    const enc = gpu.device.createCommandEncoder();
    rec.encode(enc);
    rec.clear();
    enc.copyBufferToBuffer(this.status, 0, this.stepLosses, this.maxMicro * 4, STATUS_READ_FLOATS * 4);
    gpu.device.queue.submit([enc.finish()]);
    this.gradsZero = true; // AdamW zeroed every gradient, also on a rejected step
    const out = await readF32(gpu.device, this.stepLosses, 0, splitter ? splitAt + 2 * micro.length : splitAt);
    let lossSum = 0;
    for (let i = 0; i < micro.length; i++) lossSum += out[i];
    const [normSq, , nonFiniteFlag, beforeSq, afterSq] = out.subarray(this.maxMicro, this.maxMicro + STATUS_READ_FLOATS);
    // The guard compares the norm after the update with the one measured just before it (by the same AdamW pass).
    const paramNorm = Math.sqrt(afterSq), before = Math.sqrt(beforeSq);
    const exploded = !Number.isFinite(paramNorm) || paramNorm > PARAM_GROWTH_LIMIT * Math.max(Number.isFinite(before) ? before : 0, 1);
    const nonFinite = nonFiniteFlag !== 0 || !Number.isFinite(lossSum) || exploded;
    if (nonFinite) this.restoreLastGood();
    const result: StepResult = {
      step: this.step + 1, loss: lossSum / total, gradNorm: Math.sqrt(normSq), lr, targets: total,
      tokens: micro.reduce((a, mb) => a + mb.rows * mb.T, 0), nonFinite,
    };
    if (exploded && nonFiniteFlag === 0) result.explodedParams = true;
    if (splitter) result.split = splitResult(out.subarray(splitAt), micro.length, splitter.answerTargets, splitter.promptTargets);
    if (!nonFinite) this.step++;
    return result;
  }

  /** NaN guard: copy every parameter aside before the update. */
  private saveLastGood(): void {
    const trainable = this.model.trainable();
    const enc = this.gpu.device.createCommandEncoder();
    trainable.forEach((t, i) => enc.copyBufferToBuffer(t.param, 0, this.lastGood[i], 0, t.size * 4));
    this.gpu.device.queue.submit([enc.finish()]);
  }

  /** NaN guard: put back the parameters saved before the rejected step. */
  private restoreLastGood(): void {
    const enc = this.gpu.device.createCommandEncoder();
    this.model.trainable().forEach((t, i) => enc.copyBufferToBuffer(this.lastGood[i], 0, t.param, 0, t.size * 4));
    this.gpu.device.queue.submit([enc.finish()]);
  }

  /** Mean loss over every trained target of `batches` (no gradients, no dropout). */
  async evalLoss(batches: MicroBatch[]): Promise<{ loss: number; targets: number }> {
    const { model } = this;
    const rec = this.rec;
    let sum = 0, total = 0;
    for (const mb of batches) {
      const n = model.setBatch(mb.batch, mb.rows, mb.T);
      if (n === 0) continue;
      model.forward(rec, { backward: false, lossScale: 1 });
      rec.submit();
      sum += await model.readLossSum();
      total += n;
    }
    return { loss: total ? sum / total : NaN, targets: total };
  }
}

/** Trained targets of a micro-batch after the causal shift (same rule as GpuTransformer.setBatch). */
export function countTargets({ batch, rows, T }: MicroBatch): number {
  let n = 0;
  for (let b = 0; b < rows; b++)
    for (let t = 0; t + 1 < T; t++) {
      const i = b * T + t;
      if (batch.labels[i + 1] !== -100 && (!batch.segments || batch.segments[i + 1] === batch.segments[i])) n++;
    }
  return n;
}

function mix(seed: number, step: number, micro: number): number {
  return (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca77) ^ Math.imul(micro + 1, 0xc2b2ae3d)) >>> 0;
}

/** Everything needed to continue training exactly where it stopped (stored in checkpoints). */
export interface TrainerSnapshot {
  step: number;
  tensors: { name: string; param: Float32Array; m: Float32Array; v: Float32Array }[];
}

export async function snapshotTrainer(trainer: Trainer): Promise<TrainerSnapshot> {
  const dev = trainer.gpu.device;
  const tensors = [];
  for (const [i, t] of trainer.model.trainable().entries()) {
    const { m, v } = trainer.momentsOf(i);
    tensors.push({ name: t.name, param: await readF32(dev, t.param, 0, t.size), m: await readF32(dev, m, 0, t.size), v: await readF32(dev, v, 0, t.size) });
  }
  return { step: trainer.step, tensors };
}

export function restoreTrainer(trainer: Trainer, snap: TrainerSnapshot): void {
  const trainable = trainer.model.trainable();
  const byName = new Map(snap.tensors.map((t) => [t.name, t]));
  if (byName.size !== trainable.length || trainable.some((t) => byName.get(t.name)?.param.length !== t.size))
    throw new Error('The checkpoint does not match this model and adapter configuration.');
  const q = trainer.gpu.device.queue;
  trainable.forEach((t, i) => {
    const s = byName.get(t.name)!;
    const { m, v } = trainer.momentsOf(i);
    q.writeBuffer(t.param, 0, s.param);
    q.writeBuffer(m, 0, s.m);
    q.writeBuffer(v, 0, s.v);
  });
  trainer.step = snap.step;
}
