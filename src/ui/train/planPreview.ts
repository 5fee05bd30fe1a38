/**
 * The run's plan before it starts, computed on the main thread with the loaded model's tokenizer and THE label
 * builder (the Worker computes the same plan again when the run starts): examples trained and skipped (with why),
 * steps, trained tokens. Debounced, and only for datasets small enough to label quickly here.
 */
import { useEffect, useState } from 'react';
import type { Example } from '../../data/types';
import type { StudioTokenizer } from '../../text/tokenizer';
import { planRun } from '../../train/plan';
import type { RunConfig, RunPlan } from '../../train/run';
import type { TrainingExample } from '../../train/data';
import { withGeneralMix } from './generalMix';

export const PREVIEW_LIMIT = 3000;

export type PlanPreview = { plan: RunPlan } | { error: string } | { tooBig: number } | null;

/** The plan runTraining will make (the same planRun); throws NothingToTrainError with the reason. */
export function computePlan(tokenizer: StudioTokenizer, examples: Example[], run: RunConfig): RunPlan {
  return planRun(tokenizer, examples.map((e) => ({ body: e.body, split: e.split })), run).plan;
}

/**
 * `generalMix` (Train → "Mix general text") adds the same general-text examples the run will add (withGeneralMix,
 * the one builder the controller calls too), so the plan's example, step and token counts are the run's.
 */
export function usePlanPreview(tokenizer: StudioTokenizer | null, examples: Example[] | undefined, run: RunConfig | null, generalMix = 0): PlanPreview {
  const [preview, setPreview] = useState<PlanPreview>(null);
  const key = run ? JSON.stringify({ ...run, lora: null, generalMix }) : '';
  useEffect(() => {
    let cancelled = false;
    const t = setTimeout(() => {
      if (!tokenizer || !examples || !run || examples.length === 0) return setPreview(null);
      if (examples.length > PREVIEW_LIMIT) return setPreview({ tooBig: examples.length });
      const rows: TrainingExample[] = examples.map((e) => ({ body: e.body, split: e.split }));
      const mixed = generalMix > 0 ? withGeneralMix(tokenizer, rows, generalMix, run.label.maxLength, run.seed) : Promise.resolve(rows);
      mixed
        .then((all) => ({ plan: planRun(tokenizer, all, run).plan }))
        .catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }))
        .then((p) => {
          if (!cancelled) setPreview(p);
        });
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
    // `key` stands for `run`: a new object with the same values must not recompute.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tokenizer, examples, key]);
  return preview;
}
