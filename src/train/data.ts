/**
 * From examples to micro-batches: label every example with THE label builder (so training uses exactly the mask the
 * token view shows), set aside what cannot be trained (with the reason), split off validation, and cut seeded,
 * shuffled micro-batches for each epoch.
 */
import type { ExampleBody, MaskMode, Split } from '../data/types';
import { buildLabels, type LabeledExample } from '../data/labels';
import { collate } from '../data/collate';
import type { StudioTokenizer } from '../text/tokenizer';
import type { MicroBatch } from '../engine/train/trainer';

export interface LabelConfig {
  mode: MaskMode;
  trainEos: boolean;
  template?: string;
  systemPrompt?: string;
  maxLength: number;
}

export interface TrainingExample {
  body: ExampleBody;
  split?: Split;
}

export interface PreparedData {
  train: LabeledExample[];
  validation: LabeledExample[];
  /** Examples left out, by input index, with why. */
  skipped: { index: number; reason: string }[];
  warnings: string[];
}

export function prepareExamples(tokenizer: StudioTokenizer, examples: TrainingExample[], cfg: LabelConfig): PreparedData {
  const out: PreparedData = { train: [], validation: [], skipped: [], warnings: [] };
  examples.forEach((ex, index) => {
    let labeled: LabeledExample;
    try {
      labeled = buildLabels(tokenizer, ex.body, { mode: cfg.mode, trainEos: cfg.trainEos, template: cfg.template, systemPrompt: cfg.systemPrompt, maxLength: cfg.maxLength });
    } catch (e) {
      out.skipped.push({ index, reason: (e as Error).message });
      return;
    }
    if (labeled.trainedCount === 0) {
      out.skipped.push({ index, reason: 'no trained tokens with this mask mode' });
      return;
    }
    if (labeled.truncated) out.warnings.push(`example ${index + 1} was truncated to ${cfg.maxLength} tokens`);
    (ex.split === 'validation' ? out.validation : out.train).push(labeled);
  });
  return out;
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

/**
 * Micro-batches of `batchSize` examples (or packed rows up to maxLength) for one epoch. Every micro-batch is padded
 * to maxLength so the GPU buffers keep one shape.
 */
export function epochBatches(examples: readonly LabeledExample[], opts: { batchSize: number; maxLength: number; padId: number; pack: boolean; seed: number }): MicroBatch[] {
  const order = shuffled(examples, opts.seed);
  const out: MicroBatch[] = [];
  if (opts.pack) {
    // Pack greedily into rows, then group rows into micro-batches of batchSize rows.
    const all = collate(order, { padId: opts.padId, maxLength: opts.maxLength, pack: true, padToMaxLength: true });
    for (let r = 0; r < all.B; r += opts.batchSize) {
      const rows = Math.min(opts.batchSize, all.B - r);
      const sl = (a: Int32Array) => a.slice(r * all.T, (r + rows) * all.T);
      out.push({ rows, T: all.T, batch: { inputIds: sl(all.inputIds), labels: sl(all.labels), positions: sl(all.positions), segments: sl(all.segments) } });
    }
    return out;
  }
  for (let i = 0; i < order.length; i += opts.batchSize) {
    const b = collate(order.slice(i, i + opts.batchSize), { padId: opts.padId, maxLength: opts.maxLength, padToMaxLength: true });
    out.push({ rows: b.B, T: b.T, batch: { inputIds: b.inputIds, labels: b.labels } });
  }
  return out;
}
