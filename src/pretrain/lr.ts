/**
 * The pretraining learning rate: linear warmup over the first `warmupSteps` optimizer steps, then cosine decay from
 * the peak to `minRatio` × peak as `progress` goes from 0 to 1. Progress is steps done / step budget, or — for a
 * wall-clock budget (`--minutes`) — training seconds / budget seconds, so the decay ends when the time runs out
 * whatever the machine's speed turns out to be.
 */
export interface LrPlan {
  peak: number;
  warmupSteps: number;
  minRatio: number;
}

export function pretrainLr(plan: LrPlan, step: number, progress: number): number {
  const p = Math.min(1, Math.max(0, progress));
  const cosine = plan.minRatio + (1 - plan.minRatio) * 0.5 * (1 + Math.cos(Math.PI * p));
  const warm = step < plan.warmupSteps ? (step + 1) / plan.warmupSteps : 1;
  return plan.peak * warm * cosine;
}
