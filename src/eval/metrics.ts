/**
 * Answer-quality metrics of the Evaluation page and `cli eval` — the one owner of their definitions.
 *
 *  - exact match: the strict check of "Try it" (`src/train/exactMatch.ts`): trimmed text with whitespace runs as one
 *    space equals the reference exactly (case and punctuation count), and the model ended its turn itself.
 *  - normalised exact match: SQuAD's — both sides through `normalizeAnswer` (lower-case, punctuation and the articles
 *    a/an/the removed, whitespace collapsed), then equal. The stop reason does not count.
 *  - ROUGE-L: precision/recall/F1 of the longest common subsequence of the two token lists (tokens: `normalizeAnswer`
 *    split on spaces).
 *  - token F1: SQuAD's bag-of-tokens F1 (multiset overlap of the same tokens).
 *
 * A metric that needs a reference is `null` when the reference is missing or blank — shown "n/a", never 0. When one
 * side has no tokens at all, ROUGE-L and token F1 follow SQuAD: 1 if both are empty, else 0.
 */
import { isExactMatch } from '../train/exactMatch';

const ARTICLES = new Set(['a', 'an', 'the']);

/** SQuAD's normalisation: lower-case, drop punctuation, drop the articles a/an/the, collapse whitespace. */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, '') // punctuation and symbols (SQuAD drops string.punctuation; we drop every non-word)
    .split(/\s+/u)
    .filter((w) => w !== '' && !ARTICLES.has(w))
    .join(' ');
}

/** The tokens ROUGE-L and token F1 compare. */
export function answerTokens(text: string): string[] {
  const n = normalizeAnswer(text);
  return n ? n.split(' ') : [];
}

function hasReference(reference: string | null | undefined): reference is string {
  return reference != null && reference.trim() !== '';
}

/**
 * 1 or 0 (null without a reference): the strict check of "Try it". `reason` is why generation stopped ('eos' = the
 * model ended its turn); leave it out for text known to be complete.
 */
export function exactMatch(candidate: string, reference: string | null | undefined, reason = 'eos'): number | null {
  if (!hasReference(reference)) return null;
  return isExactMatch({ expected: reference, generated: candidate, reason }) ? 1 : 0;
}

/** 1 or 0 (null without a reference): equal after `normalizeAnswer`. */
export function normalizedExactMatch(candidate: string, reference: string | null | undefined): number | null {
  if (!hasReference(reference)) return null;
  return normalizeAnswer(candidate) === normalizeAnswer(reference) ? 1 : 0;
}

export interface PRF {
  precision: number;
  recall: number;
  f1: number;
}

/** Length of the longest common subsequence, O(|a|·|b|) time, O(|b|) memory. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

function prf(overlap: number, nCandidate: number, nReference: number): PRF {
  if (nCandidate === 0 || nReference === 0) {
    const same = nCandidate === nReference ? 1 : 0;
    return { precision: same, recall: same, f1: same };
  }
  const precision = overlap / nCandidate;
  const recall = overlap / nReference;
  const f1 = overlap === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/** ROUGE-L (LCS-based precision/recall/F1); null without a reference. */
export function rougeL(candidate: string, reference: string | null | undefined): PRF | null {
  if (!hasReference(reference)) return null;
  const c = answerTokens(candidate);
  const r = answerTokens(reference);
  return prf(lcsLength(c, r), c.length, r.length);
}

/** SQuAD token F1 (multiset overlap); null without a reference. */
export function tokenF1(candidate: string, reference: string | null | undefined): number | null {
  if (!hasReference(reference)) return null;
  const c = answerTokens(candidate);
  const r = answerTokens(reference);
  const counts = new Map<string, number>();
  for (const t of r) counts.set(t, (counts.get(t) ?? 0) + 1);
  let overlap = 0;
  for (const t of c) {
    const k = counts.get(t) ?? 0;
    if (k > 0) {
      overlap++;
      counts.set(t, k - 1);
    }
  }
  return prf(overlap, c.length, r.length).f1;
}

// ---------------------------------------------------------------------------------------------------------------
// Per-row scores and their aggregation (per run, per tag).

export type MetricKey = 'exact' | 'normalizedExact' | 'rougeL' | 'tokenF1';

export const METRICS: readonly { key: MetricKey; label: string; help: string }[] = [
  { key: 'exact', label: 'Exact match', help: 'Text equals the reference exactly (trimmed) and the model ended its turn.' },
  { key: 'normalizedExact', label: 'Normalised exact', help: 'Equal after lower-casing and removing punctuation and a/an/the.' },
  { key: 'rougeL', label: 'ROUGE-L F1', help: 'Longest common subsequence of words, as F1.' },
  { key: 'tokenF1', label: 'Token F1', help: 'Overlap of the words, in any order, as F1 (SQuAD).' },
];

export type RowScores = Record<MetricKey, number | null>;

/** Every metric of one output against its reference. */
export function scoreOutput(candidate: string, reference: string | null | undefined, reason = 'eos'): RowScores {
  return {
    exact: exactMatch(candidate, reference, reason),
    normalizedExact: normalizedExactMatch(candidate, reference),
    rougeL: rougeL(candidate, reference)?.f1 ?? null,
    tokenF1: tokenF1(candidate, reference),
  };
}

export interface MetricSummary {
  /** Rows with a score (a reference). */
  n: number;
  /** Mean over those rows; null when none has one. */
  mean: number | null;
}

export type Summary = Record<MetricKey, MetricSummary> & { rows: number };

export interface ScoredRow {
  tags: readonly string[];
  scores: RowScores;
}

/** Means over the rows that have a score (nulls are left out, not counted as 0). */
export function summarize(rows: readonly ScoredRow[]): Summary {
  const out = { rows: rows.length } as Summary;
  for (const { key } of METRICS) {
    const vals = rows.map((r) => r.scores[key]).filter((v): v is number => v != null);
    out[key] = { n: vals.length, mean: vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null };
  }
  return out;
}

/** The summary of all rows and of each tag (rows without tags under '' only in `all`). Tags sorted by name. */
export function summarizeByTag(rows: readonly ScoredRow[]): { all: Summary; byTag: [string, Summary][] } {
  const tags = [...new Set(rows.flatMap((r) => r.tags))].sort((a, b) => a.localeCompare(b));
  return { all: summarize(rows), byTag: tags.map((t) => [t, summarize(rows.filter((r) => r.tags.includes(t)))]) };
}

/** a − b, null when either is. */
export function difference(a: number | null, b: number | null): number | null {
  return a == null || b == null ? null : a - b;
}

/** "73.5%" for a mean of 0.735; "n/a" for null. */
export function formatMetric(v: number | null, digits = 1): string {
  return v == null ? 'n/a' : `${(v * 100).toFixed(digits)}%`;
}

/** "+12.0 pts" / "−3.5 pts" / "±0.0 pts" / "n/a". */
export function formatDifference(d: number | null, digits = 1): string {
  if (d == null) return 'n/a';
  const pts = (d * 100).toFixed(digits);
  if (Number(pts) === 0) return `±${(0).toFixed(digits)} pts`;
  return d > 0 ? `+${pts} pts` : `−${pts.slice(1)} pts`;
}
