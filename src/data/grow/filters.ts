/**
 * Filters for generated instruction data (after Self-Instruct, Wang et al. 2023): length bounds, degenerate text,
 * tasks a text-only model cannot do, exact duplicates and near-duplicates (ROUGE-L F ≥ 0.7 against every instruction
 * already in the dataset or generated earlier). Each check returns a reason, so a run can report per-reason counts.
 */
import { answerTokens, rougeL } from '../../eval/metrics';
import { degenerateReason, normalizeText, words } from './text';

export type FilterReason =
  | 'empty'
  | 'too-short'
  | 'too-long'
  | 'degenerate'
  | 'not-text'
  | 'duplicate'
  | 'near-duplicate'
  | 'empty-response'
  | 'short-response'
  | 'degenerate-response'
  | 'copies-instruction'
  | 'duplicate-response'
  | 'no-change'
  | 'copied-prompt'
  | 'refusal';

/** What each reason means, as the review queue shows it. */
export const FILTER_LABELS: Record<FilterReason, string> = {
  empty: 'empty instruction (or a reply without any)',
  'too-short': 'instruction too short',
  'too-long': 'instruction too long',
  degenerate: 'repetitive or degenerate instruction',
  'not-text': 'asks for images, files, audio or browsing',
  duplicate: 'exact duplicate of an existing instruction',
  'near-duplicate': 'near-duplicate (ROUGE-L ≥ threshold)',
  'empty-response': 'empty response',
  'short-response': 'response too short',
  'degenerate-response': 'repetitive or degenerate response',
  'copies-instruction': 'response only repeats the instruction',
  'duplicate-response': 'same response as an earlier row of this run',
  'no-change': 'evolved instruction is the same as the original',
  'copied-prompt': 'evolved instruction copies the rewriting prompt',
  refusal: 'response refuses or says it cannot answer',
};

export type FilterCounts = Partial<Record<FilterReason, number>>;

export function countReason(counts: FilterCounts, reason: FilterReason): FilterCounts {
  return { ...counts, [reason]: (counts[reason] ?? 0) + 1 };
}

export function totalFiltered(counts: FilterCounts): number {
  return Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
}

export interface FilterOptions {
  /** Instruction length bounds in words (Self-Instruct keeps 3–150). */
  minWords: number;
  maxWords: number;
  /** Responses shorter than this many characters (after trimming) are dropped. */
  minResponseChars: number;
  /** ROUGE-L F-measure at or above which an instruction counts as a near-duplicate. */
  rougeThreshold: number;
}

export const DEFAULT_FILTERS: FilterOptions = { minWords: 3, maxWords: 150, minResponseChars: 2, rougeThreshold: 0.7 };

/**
 * Words that mark a task a text model cannot do: make or read pictures, files, audio or video, or go somewhere.
 * Whole words only ("profile" does not match "file").
 */
const NOT_TEXT = [
  /\b(image|images|picture|pictures|photo|photos|photograph|drawing|video|videos|audio|recording|music|song file)\b/i,
  /\b(draw|sketch|paint|plot|graph|graphs|chart|charts|diagram|diagrams|flowchart|map|maps)\b/i,
  /\b(file|files|attachment|attached|upload|download|spreadsheet|pdf)\b/i,
  /\b(go to|visit|browse|open the (link|website|url)|https?:\/\/)/i,
];

/** Checks one instruction on its own: empty, length, degenerate text, or a task that needs more than text. */
export function checkInstruction(instruction: string, opts: FilterOptions = DEFAULT_FILTERS): FilterReason | null {
  const t = instruction.trim();
  if (!t) return 'empty';
  const n = words(t).length;
  if (n < opts.minWords) return 'too-short';
  if (n > opts.maxWords) return 'too-long';
  if (/^[\p{P}\p{S}]/u.test(t) && !/^["'“‘(]/u.test(t)) return 'degenerate'; // starts with punctuation (Self-Instruct)
  if (degenerateReason(t)) return 'degenerate';
  if (NOT_TEXT.some((re) => re.test(t))) return 'not-text';
  return null;
}

const REFUSAL = /^(i'?m sorry|sorry|i cannot|i can't|i am unable|i'm unable|as an ai)\b/i;

/** Checks a response to an instruction: empty, too short, degenerate, only echoing the instruction, or a refusal. */
export function checkResponse(instruction: string, response: string, opts: FilterOptions = DEFAULT_FILTERS): FilterReason | null {
  const r = response.trim();
  if (!r || words(r).length === 0) return 'empty-response';
  if (r.length < opts.minResponseChars) return 'short-response';
  if (degenerateReason(r)) return 'degenerate-response';
  if (normalizeText(r) === normalizeText(instruction)) return 'copies-instruction';
  if (REFUSAL.test(r) && words(r).length < 80) return 'refusal';
  return null;
}

export interface NoveltyHit {
  reason: 'duplicate' | 'near-duplicate';
  /** The existing instruction it matched. */
  similarTo: string;
  score: number;
}

/**
 * The instructions seen so far (dataset + accepted generations), for the duplicate and near-duplicate checks.
 * ROUGE-L needs a longest common subsequence per pair, so a check costs O(n · words²); instructions are short (≤ 150
 * words) and a dataset holds thousands, which stays well under a second per candidate. Pairs whose token counts (the
 * metric's own tokens) make the threshold unreachable are skipped: F = 2·LCS/(|a|+|b|) ≤ 2·min(|a|,|b|)/(|a|+|b|).
 */
export class NoveltyIndex {
  private readonly exact = new Set<string>();
  private readonly texts: { text: string; n: number }[] = [];

  constructor(
    existing: Iterable<string> = [],
    private readonly threshold = DEFAULT_FILTERS.rougeThreshold,
  ) {
    for (const t of existing) this.add(t);
  }

  get size(): number {
    return this.texts.length;
  }

  add(text: string): void {
    const key = normalizeText(text);
    if (!key || this.exact.has(key)) return;
    this.exact.add(key);
    this.texts.push({ text, n: answerTokens(text).length });
  }

  check(text: string): NoveltyHit | null {
    const key = normalizeText(text);
    if (this.exact.has(key)) return { reason: 'duplicate', similarTo: this.texts.find((t) => normalizeText(t.text) === key)?.text ?? text, score: 1 };
    const n = answerTokens(text).length;
    let best: NoveltyHit | null = null;
    for (const t of this.texts) {
      if ((2 * Math.min(n, t.n)) / Math.max(1, n + t.n) < this.threshold) continue;
      const score = rougeL(text, t.text)?.f1 ?? 0;
      if (score >= this.threshold && (!best || score > best.score)) best = { reason: 'near-duplicate', similarTo: t.text, score };
    }
    return best;
  }
}

/**
 * Responses given earlier in a run: a model that answers different instructions with the very same text (of 5+
 * words; short labels such as "Positive" may well repeat) is stuck, not answering.
 */
export class ResponseIndex {
  private readonly seen = new Set<string>();

  /** 'duplicate-response' when seen before; otherwise remembers it and returns null. */
  check(response: string): 'duplicate-response' | null {
    if (words(response).length < 5) return null;
    const key = normalizeText(response);
    if (this.seen.has(key)) return 'duplicate-response';
    this.seen.add(key);
    return null;
  }
}
