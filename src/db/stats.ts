/** Dataset statistics: counts by split, kind and tag, length histograms (characters, and tokens when known) and health. */
import type { Example, ExampleBody, Split } from '../data/types';
import { bodyLength, bucketOf, CHAR_BUCKETS, TOKEN_BUCKETS, type LengthBucket } from './text';
import type { DuplicateReport } from './dedupe';

export interface Histogram {
  buckets: { id: string; label: string; count: number }[];
  min: number;
  max: number;
  mean: number;
  median: number;
}

export interface DatasetStats {
  total: number;
  bySplit: Record<Split, number>;
  byKind: Record<ExampleBody['kind'], number>;
  /** Sorted by count, then name. */
  byTag: { tag: string; count: number }[];
  untagged: number;
  chars: Histogram;
  tokens?: Histogram;
}

export function histogram(values: number[], buckets: LengthBucket[]): Histogram {
  const counts = buckets.map((b) => ({ id: b.id, label: b.label, count: 0 }));
  for (const v of values) counts[buckets.indexOf(bucketOf(buckets, v))].count++;
  const sorted = values.slice().sort((a, b) => a - b);
  const n = sorted.length;
  return {
    buckets: counts,
    min: n ? sorted[0] : 0,
    max: n ? sorted[n - 1] : 0,
    mean: n ? sorted.reduce((a, b) => a + b, 0) / n : 0,
    median: n ? (n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2) : 0,
  };
}

/**
 * `countTokens`, when given (a loaded tokenizer), returns the token count of one example's formatted sequence;
 * it is called once per example.
 */
export function computeStats(examples: readonly Example[], countTokens?: (ex: Example) => number): DatasetStats {
  const bySplit: Record<Split, number> = { train: 0, validation: 0 };
  const byKind: Record<ExampleBody['kind'], number> = { pair: 0, chat: 0, text: 0 };
  const tags = new Map<string, number>();
  let untagged = 0;
  const lengths: number[] = [];
  const tokenLengths: number[] = [];
  for (const ex of examples) {
    bySplit[ex.split]++;
    byKind[ex.body.kind]++;
    if (ex.tags.length === 0) untagged++;
    for (const t of ex.tags) tags.set(t, (tags.get(t) ?? 0) + 1);
    lengths.push(bodyLength(ex.body));
    if (countTokens) tokenLengths.push(countTokens(ex));
  }
  const byTag = [...tags].map(([tag, count]) => ({ tag, count })).sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag));
  return {
    total: examples.length,
    bySplit,
    byKind,
    byTag,
    untagged,
    chars: histogram(lengths, CHAR_BUCKETS),
    tokens: countTokens ? histogram(tokenLengths, TOKEN_BUCKETS) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Dataset health: size guidance, task balance, duplicate rate, and (with a tokenizer) lengths against the max
// length and the share of tokens that are trained.

export type SizeLevel = 'tiny' | 'small' | 'typical' | 'large';

export interface SizeGuidance {
  level: SizeLevel;
  text: string;
}

/**
 * Guidance, not a rule: small task adapters usually do well with a few hundred to a few thousand high-quality
 * examples; below that they tend to memorise, above it the returns come from quality filtering and deduplication.
 */
export function sizeGuidance(trainCount: number): SizeGuidance {
  if (trainCount < 50)
    return { level: 'tiny', text: 'Very small: enough to try the pipeline or teach a narrow format, but an adapter will mostly memorise these. Small task adapters usually do well with a few hundred to a few thousand high-quality examples.' };
  if (trainCount < 200)
    return { level: 'small', text: 'Small: it can work for a narrow task; a few hundred to a few thousand high-quality examples usually gives more robust results. Make every example excellent.' };
  if (trainCount <= 5000)
    return { level: 'typical', text: 'In the usual range for a small task adapter (a few hundred to a few thousand high-quality examples). Quality and variety matter more than more rows from here.' };
  return { level: 'large', text: 'Larger than most small task adapters need: deduplication, task balance and quality filtering matter more than size at this scale.' };
}

/** Tags that record where a row came from (Grow data) rather than what task it is. */
export function isOriginTag(tag: string): boolean {
  return tag === 'self-instruct' || tag.startsWith('evol:') || tag.startsWith('flan:');
}

export interface TagBalance {
  /** Task tags (origin tags left out), largest first, with their share of all examples. */
  tags: { tag: string; count: number; share: number }[];
  /** Largest task tag's count over the smallest's (1 when balanced; 0 when there are no task tags). */
  ratio: number;
  /** A sentence when the balance deserves a look, else null. */
  note: string | null;
  /** Share of examples that carry an origin tag (generated or templated). */
  generatedShare: number;
}

export function tagBalance(examples: readonly Pick<Example, 'tags'>[]): TagBalance {
  const counts = new Map<string, number>();
  let generated = 0;
  for (const ex of examples) {
    if (ex.tags.some(isOriginTag)) generated++;
    for (const t of ex.tags) if (!isOriginTag(t)) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const n = Math.max(1, examples.length);
  const tags = [...counts].map(([tag, count]) => ({ tag, count, share: count / n })).sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag));
  const ratio = tags.length ? tags[0].count / tags[tags.length - 1].count : 0;
  let note: string | null = null;
  if (tags.length >= 2 && tags[0].share > 0.6) note = `"${tags[0].tag}" is ${Math.round(100 * tags[0].share)}% of the examples: the adapter will lean towards that task.`;
  else if (tags.length >= 2 && ratio >= 10) note = `"${tags[tags.length - 1].tag}" has ${ratio.toFixed(0)}× fewer examples than "${tags[0].tag}": it may be learned poorly.`;
  return { tags, ratio, note, generatedShare: generated / n };
}

export interface DuplicateRate {
  /** Examples beyond the first of each exact-duplicate group. */
  exactExtra: number;
  /** Examples beyond the first of each near-duplicate group. */
  nearExtra: number;
  /** (exactExtra + nearExtra) / total. */
  rate: number;
}

export function duplicateRate(report: Pick<DuplicateReport, 'groups'>, total: number): DuplicateRate {
  let exactExtra = 0;
  let nearExtra = 0;
  for (const g of report.groups) {
    if (g.kind === 'exact') exactExtra += g.ids.length - 1;
    else nearExtra += g.ids.length - 1;
  }
  return { exactExtra, nearExtra, rate: total ? (exactExtra + nearExtra) / total : 0 };
}

/** What the label builder says about one example (src/data/labels.ts, with the run's max length). */
export interface LabelFacts {
  /** Token count before truncation. */
  untruncated: number;
  /** Tokens kept (≤ max length). */
  tokens: number;
  /** Labels that are not -100. */
  trained: number;
  /** Loss targets after the shift (0 = adds nothing to the loss). */
  targets: number;
}

export interface LengthHealth {
  maxLength: number;
  /** Examples longer than the max length (truncated or skipped, per the Train settings). */
  over: number;
  /** Examples the label builder could not label (shown apart, not counted above). */
  failed: number;
  /** Examples with no loss target at all. */
  noTargets: number;
  /** Trained tokens over all tokens kept, across the dataset. */
  trainedShare: number;
  trainedTokens: number;
  totalTokens: number;
}

export function lengthHealth(facts: readonly (LabelFacts | null)[], maxLength: number): LengthHealth {
  let over = 0;
  let failed = 0;
  let noTargets = 0;
  let trainedTokens = 0;
  let totalTokens = 0;
  for (const f of facts) {
    if (!f) {
      failed++;
      continue;
    }
    if (f.untruncated > maxLength) over++;
    if (f.targets === 0) noTargets++;
    trainedTokens += f.trained;
    totalTokens += f.tokens;
  }
  return { maxLength, over, failed, noTargets, trainedTokens, totalTokens, trainedShare: totalTokens ? trainedTokens / totalTokens : 0 };
}
