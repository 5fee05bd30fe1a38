/**
 * A real training batch as the trainer gets it: the same plan (planRun: THE label builder, skips, split), the same
 * seeded shuffle and collate (epochCollated with runTraining's microBatchOptions), so the [B, T] grids shown are the
 * micro-batch runTraining feeds the model — padding, −100 labels, packing and all.
 */
import type { StudioTokenizer } from '../text/tokenizer';
import { IGNORE_INDEX } from '../data/labels';
import { epochCollated, microBatchOptions, type TrainingExample } from './data';
import { padIdOf, planRun, type PlanSettings } from './plan';

export interface BatchGrid {
  /** Rows (examples, or packed rows) and columns (every micro-batch is padded to the max length). */
  B: number;
  T: number;
  inputIds: Int32Array;
  attentionMask: Int32Array;
  /** Unshifted, as Hugging Face stores them: −100 = no loss. */
  labels: Int32Array;
  /** Packed runs: which example of its row each position belongs to (−1 = padding); null without packing. */
  segments: Int32Array | null;
  padId: number;
  /** This micro-batch's index in epoch `epoch`, and how many the epoch has. */
  index: number;
  of: number;
  epoch: number;
  /** Real (unpadded) tokens, padding positions, and positions with a label. */
  counts: { tokens: number; padding: number; labelled: number };
}

/** Micro-batch `index` of epoch `epoch` (0-based) of a run with these settings; throws NothingToTrainError like planRun. */
export function trainingBatchGrid(tokenizer: StudioTokenizer, examples: TrainingExample[], run: PlanSettings, index = 0, epoch = 0): BatchGrid {
  const { data } = planRun(tokenizer, examples, run);
  const padId = padIdOf(tokenizer);
  const batches = epochCollated(data.train, microBatchOptions(run, padId, epoch));
  const i = Math.max(0, Math.min(index, batches.length - 1));
  const b = batches[i];
  let tokens = 0, labelled = 0;
  for (let k = 0; k < b.B * b.T; k++) {
    tokens += b.attentionMask[k];
    if (b.labels[k] !== IGNORE_INDEX) labelled++;
  }
  return {
    B: b.B, T: b.T, inputIds: b.inputIds, attentionMask: b.attentionMask, labels: b.labels, segments: run.pack ? b.segments : null,
    padId, index: i, of: batches.length, epoch, counts: { tokens, padding: b.B * b.T - tokens, labelled },
  };
}
