/** Dataset statistics: counts by split, kind and tag, and length histograms (characters, and tokens when known). */
import type { Example, ExampleBody, Split } from '../data/types';
import { bodyLength, bucketOf, CHAR_BUCKETS, TOKEN_BUCKETS, type LengthBucket } from './text';

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
