/**
 * Small pieces of `train`: refusing a LoRA rank larger than the layers it adapts, and the progress display of an
 * evaluation (which can take as long as a stretch of training and used to show nothing).
 */
import type { LoraTarget } from '../engine/model/lora.ts';
import { formatMemory } from '../engine/transformer/memory.ts';
import type { Progress } from './progress.ts';

/**
 * A rank above min(in, out) of every adapted layer adds parameters, gradients and AdamW state (4 × r × (in + out)
 * floats per layer) and no expressiveness: refuse it with the numbers.
 */
export function checkRank(targets: readonly LoraTarget[], r: number): void {
  const useful = Math.max(...targets.map((t) => Math.min(t.inFeatures, t.outFeatures)));
  if (targets.length === 0 || r <= useful) return;
  const floats = targets.reduce((a, t) => a + r * (t.inFeatures + t.outFeatures), 0);
  const widest = targets.find((t) => Math.min(t.inFeatures, t.outFeatures) === useful)!;
  throw new Error(
    `--r ${r} is larger than the layers it adapts (the widest, ${widest.module}, is ${widest.outFeatures}×${widest.inFeatures}): ` +
      `a rank above ${useful} adds ~${formatMemory(floats * 4 * 4)} of adapter, gradients and optimizer state and nothing else; use --r ${useful} or less`,
  );
}

/** onEvalProgress for runTraining: a live counter on a terminal, a line every few seconds elsewhere. */
export function evalProgress(progress: Progress, everyMs = 5000): (e: { step: number; done: number; total: number }) => void {
  let last = 0;
  return ({ step, done, total }) => {
    const text = `eval  step ${step}  batch ${done}/${total}`;
    if (progress.tty) {
      progress.status(`${text}  (Ctrl+C stops)`);
      return;
    }
    const now = performance.now();
    if (done === 1 || (now - last >= everyMs && done < total)) {
      progress.log(done === 1 ? `eval  step ${step}  ${total} batch${total === 1 ? '' : 'es'}…` : text);
      last = now;
    }
  };
}
