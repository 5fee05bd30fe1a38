/**
 * The loss of a training step split into answer tokens and the rest, on the very batches (and per-token losses) the
 * step trains on. A run that trains more than the answers (full sequence) gives each micro-batch a second label row,
 * `answerLabels`: the labels the assistant-turn mode would train on the same input ids. Every trained target whose
 * answer label is not −100 (after the same shift by one) is an answer target; every other trained target is a
 * prompt/other target (user and system text, template markup). The GPU sums the two sets from the `losses` buffer
 * the fused cross-entropy already wrote (kernels/loss_split.ts); the host counts them, so the means cost one tiny
 * dispatch per micro-batch and two floats of read-back each.
 */
import type { Gpu } from '../gpu/device';
import type { Recorder } from '../gpu/recorder';
import type { GpuTransformer } from '../transformer/model';
import { lossSplit } from '../kernels/loss_split';
import type { MicroBatch } from './trainer';

/** Mean losses of one step over its answer targets and over its other trained targets (null: none of that kind). */
export interface LossSplit {
  answerLoss: number | null;
  promptLoss: number | null;
  answerTargets: number;
  promptTargets: number;
}

/**
 * mask[i] = 1 where the loss at model position i (laid out as the model's allocated (B, Tcap) rows) scores an answer
 * token: the position's target is trained (labels[t+1] ≠ −100 within the same document, as GpuTransformer.setBatch
 * decides) and answerLabels[t+1] ≠ −100. Also counts the answer and the other trained targets.
 */
export function answerMask(mb: MicroBatch, B: number, Tcap: number): { mask: Uint32Array; answer: number; prompt: number } {
  const { batch, rows, T } = mb;
  if (rows > B || T > Tcap) throw new Error(`batch (${rows}, ${T}) exceeds the allocated (${B}, ${Tcap})`);
  const mask = new Uint32Array(B * Tcap);
  const ans = mb.answerLabels;
  let answer = 0, prompt = 0;
  for (let b = 0; b < rows; b++)
    for (let t = 0; t + 1 < T; t++) {
      const src = b * T + t;
      const sameDoc = !batch.segments || batch.segments[src + 1] === batch.segments[src];
      if (batch.labels[src + 1] === -100 || !sameDoc) continue;
      if (ans && ans[src + 1] !== -100) {
        mask[b * Tcap + t] = 1;
        answer++;
      } else prompt++;
    }
  return { mask, answer, prompt };
}

/** The split of a step from the per-micro-batch [answer sum, other sum] pairs and the host's counts. */
export function splitResult(sums: ArrayLike<number>, micro: number, answerTargets: number, promptTargets: number): LossSplit {
  let a = 0, o = 0;
  for (let i = 0; i < micro; i++) {
    a += sums[2 * i];
    o += sums[2 * i + 1];
  }
  return { answerLoss: answerTargets ? a / answerTargets : null, promptLoss: promptTargets ? o / promptTargets : null, answerTargets, promptTargets };
}

/** The trainer's GPU side of the split: the mask buffer, the two sums, and the counts of the step being recorded. */
export class LossSplitter {
  private readonly mask: GPUBuffer;
  private readonly sums: GPUBuffer;
  answerTargets = 0;
  promptTargets = 0;

  constructor(
    private readonly gpu: Gpu,
    private readonly model: GpuTransformer,
    pool: string,
  ) {
    this.mask = gpu.buffers.storage(pool, 'answerMask', model.N * 4);
    this.sums = gpu.buffers.storage(pool, 'splitSums', 8);
  }

  begin(): void {
    this.answerTargets = this.promptTargets = 0;
  }

  /** After the model's forward of `mb` is recorded (and before its backward): upload the mask, record the sums. */
  record(rec: Recorder, mb: MicroBatch): void {
    const { mask, answer, prompt } = answerMask(mb, this.model.opts.B, this.model.opts.T);
    this.gpu.device.queue.writeBuffer(this.mask, 0, mask);
    this.answerTargets += answer;
    this.promptTargets += prompt;
    lossSplit(rec, this.sums, this.model.losses, this.mask, this.model.N);
  }

  /** Copies this micro-batch's two sums to `dst` at byte `offset` (in the micro-batch's own command buffer). */
  copy(enc: GPUCommandEncoder, dst: GPUBuffer, offset: number): void {
    enc.copyBufferToBuffer(this.sums, 0, dst, offset, 8);
  }
}
