/**
 * A run's plan, before any GPU work: label every example with THE label builder, count what is trained, skipped and
 * truncated, and the steps. The Train form's preview, `cli train` (before it touches the GPU) and runTraining all call
 * planRun, so a run that has nothing to train on is refused with the same reason everywhere.
 */
import type { StudioTokenizer } from '../text/tokenizer';
import { epochBatches, evalNote, nothingToTrainReason, prepareExamples, type LabelConfig, type OverlongSummary, type PreparedData, type TrainingExample } from './data';

export interface RunPlan {
  trainExamples: number;
  validationExamples: number;
  skipped: { index: number; reason: string }[];
  warnings: string[];
  stepsPerEpoch: number;
  totalSteps: number;
  trainedTokens: number;
  /** Examples longer than the max length and what was done with them (absent in plans stored before it existed). */
  overlong?: OverlongSummary;
  /** Why there is no evaluation (empty held-out split), or null. */
  evalNote?: string | null;
}

/** The settings planRun reads (a subset of RunConfig). */
export interface PlanSettings {
  label: LabelConfig;
  batchSize: number;
  gradAccum: number;
  epochs: number;
  maxSteps: number;
  pack: boolean;
  seed: number;
}

/** The run cannot start: nothing is left to train on. The message says why; `skipped` lists each example's reason. */
export class NothingToTrainError extends Error {
  override name = 'NothingToTrainError';
  constructor(
    message: string,
    readonly skipped: { index: number; reason: string }[],
  ) {
    super(message);
  }
}

export function padIdOf(tokenizer: StudioTokenizer): number {
  return tokenizer.padId ?? tokenizer.eosId ?? 0;
}

/** Plans the run; throws NothingToTrainError when no example has a loss target. */
export function planRun(tokenizer: StudioTokenizer, examples: TrainingExample[], run: PlanSettings): { data: PreparedData; plan: RunPlan } {
  const data = prepareExamples(tokenizer, examples, run.label);
  if (data.train.length === 0) throw new NothingToTrainError(`Nothing to train on: ${nothingToTrainReason(data, examples.length, run.label.mode)}.`, data.skipped);
  const micro = epochBatches(data.train, { batchSize: run.batchSize, maxLength: run.label.maxLength, padId: padIdOf(tokenizer), pack: run.pack, seed: run.seed }).length;
  const stepsPerEpoch = Math.ceil(micro / run.gradAccum);
  const totalSteps = run.maxSteps > 0 ? Math.min(run.maxSteps, stepsPerEpoch * run.epochs) : stepsPerEpoch * run.epochs;
  return {
    data,
    plan: {
      trainExamples: data.train.length, validationExamples: data.validation.length, skipped: data.skipped.map(({ index, reason }) => ({ index, reason })),
      warnings: data.warnings, stepsPerEpoch, totalSteps, trainedTokens: data.train.reduce((a, e) => a + e.trainedCount, 0),
      overlong: data.overlong, evalNote: evalNote(data),
    },
  };
}
