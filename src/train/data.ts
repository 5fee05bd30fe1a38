/**
 * From examples to micro-batches: label every example with THE label builder (so training uses exactly the mask the
 * token view shows), set aside what cannot be trained (with the reason), split off validation, and cut seeded,
 * shuffled micro-batches for each epoch.
 */
import type { SpecialTokensInText } from '../data/labels-specials';
import { TemplateLimitError } from '../text/boundedTemplate';
import type { ExampleBody, MaskMode, Split } from '../data/types';
import { buildLabels, type LabeledExample } from '../data/labels';
import { collate, type Batch } from '../data/collate';
import type { StudioTokenizer } from '../text/tokenizer';
import type { MicroBatch } from '../engine/train/trainer';
import { withAnswerLabels } from './answerLabels';

/** What happens to an example longer than maxLength: cut from the right (the default, as before), or left out. */
export type OverlongAction = 'truncate' | 'skip';
export const OVERLONG_ACTIONS: readonly OverlongAction[] = ['truncate', 'skip'];

export interface LabelConfig {
  mode: MaskMode;
  trainEos: boolean;
  template?: string;
  systemPrompt?: string;
  maxLength: number;
  /** Default 'truncate'. */
  overlong?: OverlongAction;
  /** Special-token strings typed in message text (default 'keep'; see data/labels-specials.ts). */
  specialTokensInText?: SpecialTokensInText;
}

export interface TrainingExample {
  body: ExampleBody;
  split?: Split;
}

/** Why an example is left out: it cannot be labeled, nothing of it is trained, or it is too long (overlong: skip). */
export type SkipKind = 'error' | 'masked' | 'overlong';

export interface PreparedData {
  train: LabeledExample[];
  validation: LabeledExample[];
  /** Examples left out, by input index, with why. */
  skipped: { index: number; reason: string; kind?: SkipKind; split?: Split }[];
  warnings: string[];
  /** Examples longer than maxLength (truncated or skipped, as `overlong.action` says). */
  overlong: OverlongSummary;
}

export interface OverlongSummary {
  count: number;
  maxLength: number;
  action: OverlongAction;
}

/** "12 examples exceed 256 tokens: truncated", or null when none do. */
export function describeOverlong(o: OverlongSummary | undefined): string | null {
  if (!o || o.count === 0) return null;
  return `${o.count} example${o.count === 1 ? ' exceeds' : 's exceed'} ${o.maxLength} tokens: ${o.action === 'skip' ? 'skipped' : 'truncated'}`;
}

export function prepareExamples(tokenizer: StudioTokenizer, examples: TrainingExample[], cfg: LabelConfig): PreparedData {
  const action = cfg.overlong ?? 'truncate';
  const out: PreparedData = { train: [], validation: [], skipped: [], warnings: [], overlong: { count: 0, maxLength: cfg.maxLength, action } };
  examples.forEach((ex, index) => {
    const split = ex.split === 'validation' ? 'validation' : 'train';
    const skip = (kind: SkipKind, reason: string): void => void out.skipped.push({ index, reason, kind, split });
    let labeled: LabeledExample;
    try {
      labeled = buildLabels(tokenizer, ex.body, { mode: cfg.mode, trainEos: cfg.trainEos, template: cfg.template, systemPrompt: cfg.systemPrompt, maxLength: cfg.maxLength, specialTokensInText: cfg.specialTokensInText });
    } catch (e) {
      if (e instanceof TemplateLimitError) throw e; // a runaway template stops the run, not one example at a time
      skip('error', (e as Error).message);
      return;
    }
    if (labeled.truncated) {
      out.overlong.count++;
      if (action === 'skip') return skip('overlong', `${labeled.untruncatedLength} tokens, longer than the max length ${cfg.maxLength}`);
    }
    if (labeled.targetCount === 0) return skip('masked', maskedReason(labeled, cfg));
    // Full-sequence runs also carry the answer tokens' labels, to report the loss on the answers alone.
    if (cfg.mode === 'full') labeled = withAnswerLabels(tokenizer, ex.body, labeled, cfg);
    (split === 'validation' ? out.validation : out.train).push(labeled);
  });
  return out;
}

function maskedReason(l: LabeledExample, cfg: LabelConfig): string {
  if (l.trainedCount > 0) return 'fully masked after the shift: only its first token is trained, and nothing predicts the first token';
  const weights = l.warnings.find((w) => w.includes('marked not trained (weight 0)'));
  const cut = l.truncated ? ` within the first ${cfg.maxLength} tokens` : '';
  return `fully masked: no trained tokens${cut} with the mask mode "${cfg.mode}"${weights ? ` (${weights})` : ''}`;
}

/**
 * Why a run has nothing to train on (PreparedData.train is empty), in words a user can act on. `inputs` = how many
 * examples were given.
 */
export function nothingToTrainReason(data: PreparedData, inputs: number, mode: MaskMode): string {
  if (inputs === 0) return 'the dataset has no examples';
  const train = data.skipped.filter((s) => s.split !== 'validation');
  const heldOut = data.validation.length + data.skipped.filter((s) => s.split === 'validation').length;
  if (heldOut === inputs) return `${inputs === 1 ? 'the only example is' : `all ${inputs} examples are`} in the validation split; mark some as train`;
  const n = train.length;
  const one = n === 1;
  const count = (k: SkipKind) => train.filter((s) => s.kind === k).length;
  if (count('masked') === n) {
    const w = train.filter((s) => s.reason.includes('(weight 0)')).length;
    const why = w === n ? ': the replies this mode trains are unticked (weight 0)' : w > 0 ? `; in ${w} of them the replies this mode trains are unticked (weight 0)` : '';
    const fix = w > 0 ? 'Tick "train" on some assistant replies, or choose another mask mode' : 'Choose another mask mode';
    return `${one ? 'the only training example is' : `every training example (${n}) is`} fully masked (all labels are -100 after the shift) with the mask mode "${mode}"${why}. ${fix}`;
  }
  if (count('overlong') === n)
    return `${one ? 'the only training example exceeds' : `all ${n} training examples exceed`} ${data.overlong.maxLength} tokens and ${one ? 'is' : 'are'} skipped; raise the max length or truncate overlong examples`;
  if (count('error') === n) return `${one ? 'the only training example' : `all ${n} training examples`} could not be labeled: ${train[0].reason}`;
  const parts = [
    count('masked') && `${count('masked')} fully masked (all labels -100 after the shift)`,
    count('overlong') && `${count('overlong')} longer than ${data.overlong.maxLength} tokens (skipped)`,
    count('error') && `${count('error')} could not be labeled`,
  ].filter(Boolean);
  return `none of the ${n} training examples can be trained: ${parts.join(', ')}`;
}

/** Why there will be no evaluation, or null when there is a held-out split to evaluate on. */
export function evalNote(data: PreparedData): string | null {
  if (data.validation.length > 0) return null;
  const k = data.skipped.filter((s) => s.split === 'validation').length;
  if (k > 0) return `no evaluation: ${k === 1 ? 'the held-out example is' : `all ${k} held-out examples are`} skipped (see why)`;
  return 'no evaluation: the held-out (validation) split is empty';
}

/** Seeded Fisher–Yates. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const a = items.slice();
  let s = seed >>> 0 || 1;
  for (let i = a.length - 1; i > 0; i--) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

export interface MicroBatchOptions {
  batchSize: number;
  maxLength: number;
  padId: number;
  pack: boolean;
  seed: number;
}

/** How runTraining cuts epoch `epoch` (0-based) into micro-batches: one definition for the trainer and the batch view. */
export function microBatchOptions(run: { batchSize: number; pack: boolean; seed: number; label: { maxLength: number } }, padId: number, epoch: number): MicroBatchOptions {
  return { batchSize: run.batchSize, maxLength: run.label.maxLength, padId, pack: run.pack, seed: run.seed + epoch };
}

/**
 * The collated micro-batches of one epoch, attention mask and placement included: what epochBatches hands the
 * trainer before dropping what the GPU model does not read (the batch view shows these).
 */
export function epochCollated(examples: readonly LabeledExample[], opts: MicroBatchOptions): Batch[] {
  const order = shuffled(examples, opts.seed);
  const out: Batch[] = [];
  if (opts.pack) {
    // Pack greedily into rows, then group rows into micro-batches of batchSize rows.
    const all = collate(order, { padId: opts.padId, maxLength: opts.maxLength, pack: true, padToMaxLength: true });
    for (let r = 0; r < all.B; r += opts.batchSize) {
      const rows = Math.min(opts.batchSize, all.B - r);
      const sl = (a: Int32Array) => a.slice(r * all.T, (r + rows) * all.T);
      const placement = all.placement.filter((p) => p.row >= r && p.row < r + rows).map((p) => ({ ...p, row: p.row - r }));
      out.push({ B: rows, T: all.T, inputIds: sl(all.inputIds), attentionMask: sl(all.attentionMask), labels: sl(all.labels), positions: sl(all.positions), segments: sl(all.segments), placement, ...(all.answerLabels ? { answerLabels: sl(all.answerLabels) } : {}) });
    }
    return out;
  }
  for (let i = 0; i < order.length; i += opts.batchSize) out.push(collate(order.slice(i, i + opts.batchSize), { padId: opts.padId, maxLength: opts.maxLength, padToMaxLength: true }));
  return out;
}

/**
 * Micro-batches of `batchSize` examples (or packed rows up to maxLength) for one epoch. Every micro-batch is padded
 * to maxLength so the GPU buffers keep one shape.
 */
export function epochBatches(examples: readonly LabeledExample[], opts: MicroBatchOptions): MicroBatch[] {
  return epochCollated(examples, opts).map((b) => ({
    rows: b.B,
    T: b.T,
    batch: opts.pack ? { inputIds: b.inputIds, labels: b.labels, positions: b.positions, segments: b.segments } : { inputIds: b.inputIds, labels: b.labels },
    // Full-sequence runs: the answer tokens' labels, for the step's answer/prompt loss split (answerLabels.ts).
    ...(b.answerLabels ? { answerLabels: b.answerLabels } : {}),
  }));
}
