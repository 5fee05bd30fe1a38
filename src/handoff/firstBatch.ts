/**
 * The loss the studio's engine computes on the hand-off's first micro-batch before any update (the number train.py
 * prints next to its own at step 0): the mean cross-entropy over the trained targets of those examples, under the
 * base weights (a fresh LoRA has B = 0, so it changes nothing), without dropout — one forward per example through
 * the same GpuTransformer and loss kernel training uses.
 */
import type { Gpu } from '../engine/gpu/device';
import type { ModelConfig } from '../engine/model/config';
import type { LabeledExample } from '../data/labels';
import { IGNORE_INDEX } from '../data/labels';
import { exampleTokenLosses } from '../train/tokenLosses';

export async function firstBatchLoss(gpu: Gpu, config: ModelConfig, weights: ReadonlyMap<string, GPUBuffer>, batch: readonly LabeledExample[]): Promise<{ loss: number; targets: number }> {
  let sum = 0, targets = 0;
  for (const e of batch) {
    if (e.inputIds.length < 2) continue;
    const { losses } = await exampleTokenLosses(gpu, config, weights, null, e.inputIds, e.labels);
    for (let t = 0; t + 1 < e.labels.length; t++) {
      if (e.labels[t + 1] === IGNORE_INDEX) continue;
      sum += losses[t];
      targets++;
    }
  }
  return { loss: targets ? sum / targets : NaN, targets };
}
