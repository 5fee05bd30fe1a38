/**
 * LLM-as-a-judge: another model (any OpenAI-compatible endpoint, endpoint.ts) grades each output 1–5 against the
 * rubric below. This module owns the rubric (the Evaluation page shows JUDGE_RUBRIC, the judge is prompted with it),
 * the prompt, the reading of the judge's reply, and the batch run. Browser and Node; no React.
 *
 * A row that cannot be judged (the endpoint failed for it, or the reply has no score in 1–5) is a per-row error with
 * the reason and the raw reply; the batch goes on and the aggregate counts it as a failure, never as a score.
 */
import { chatComplete, EndpointError, type ChatMessage, type Endpoint, type EndpointErrorKind } from './endpoint';

export const JUDGE_MIN_SCORE = 1;
export const JUDGE_MAX_SCORE = 5;

/** The 1–5 scale, one line per score: the one definition the judge is prompted with and the UI displays. */
export const JUDGE_RUBRIC_LEVELS: readonly { score: number; meaning: string }[] = [
  { score: 1, meaning: 'incorrect or unhelpful' },
  { score: 2, meaning: 'mostly incorrect, or correct but hard to use (wrong format, rambling, incomplete)' },
  { score: 3, meaning: 'partly right, in an acceptable format' },
  { score: 4, meaning: 'right, with small flaws (a minor omission, extra words, a formatting slip)' },
  { score: 5, meaning: 'accurate, well formatted and concise' },
];

export const JUDGE_RUBRIC = JUDGE_RUBRIC_LEVELS.map((l) => `${l.score} = ${l.meaning}`).join('\n');

const SYSTEM = `You are a strict, fair grader. You grade one answer to one instruction on this scale:
${JUDGE_RUBRIC}

When a reference answer is given, judge correctness against it (wording may differ; meaning must not). Without one,
judge by your own knowledge. Do not reward length. Reply in exactly this format:
Score: <an integer from ${JUDGE_MIN_SCORE} to ${JUDGE_MAX_SCORE}>
Reason: <one sentence>`;

/** The messages that ask the judge to grade `output` (the answer under test) for `instruction`. */
export function judgePrompt(instruction: string, reference: string | null, output: string): ChatMessage[] {
  const parts = [
    `Instruction:\n<<<\n${instruction}\n>>>`,
    reference === null ? 'Reference answer: none given.' : `Reference answer:\n<<<\n${reference}\n>>>`,
    `Answer to grade:\n<<<\n${output}\n>>>`,
    'Grade the answer. Reply with "Score: N" and "Reason: ...".',
  ];
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

export type ParsedScore = { ok: true; score: number; reason?: string } | { ok: false; error: string };

const KEY = '(?:final\\s+)?(?:score|rating|grade)';
/** "Score: 4", "**Score**: 4/5", "score = 4", "Rating - 4 out of 5", … (the number right after the key). */
const LABELLED = new RegExp(`\\b${KEY}\\b[*_\\s]*[:=\\-–—]?[*_\\s]*(-?\\d+(?:\\.\\d+)?)`, 'gi');
/** The whole reply is a number, maybe with "/5", "out of 5" or a period: "4", "4.", "4/5". */
const BARE = /^[*_\s"'`]*(-?\d+(?:\.\d+)?)\s*(?:\/\s*\d+|out of \d+)?[.!*_\s"'`]*$/i;

/**
 * The score in a judge's reply: JSON ({"score": 4, "reason": "…"}, also inside a ```json fence or surrounded by
 * text), a labelled score ("Score: 4"; the last one when the reply names several), or a reply that is just the number.
 * A score outside 1–5, a fraction (3.5) or no score at all is an error that says which.
 */
export function parseJudgeScore(text: string): ParsedScore {
  const raw = text.trim();
  if (!raw) return { ok: false, error: 'the judge replied with nothing' };
  const json = fromJson(raw);
  if (json) return check(json.value, json.reason);
  const labelled = [...raw.matchAll(LABELLED)];
  if (labelled.length) return check(Number(labelled[labelled.length - 1][1]), reasonOf(raw));
  const bare = BARE.exec(raw);
  if (bare) return check(Number(bare[1]));
  return { ok: false, error: `no score found in the judge's reply: ${quote(raw)}` };
}

function check(value: number, reason?: string): ParsedScore {
  if (!Number.isFinite(value)) return { ok: false, error: 'the score is not a number' };
  if (!Number.isInteger(value)) return { ok: false, error: `the score ${value} is not a whole number from ${JUDGE_MIN_SCORE} to ${JUDGE_MAX_SCORE}` };
  if (value < JUDGE_MIN_SCORE || value > JUDGE_MAX_SCORE) return { ok: false, error: `the score ${value} is outside ${JUDGE_MIN_SCORE}–${JUDGE_MAX_SCORE}` };
  return reason ? { ok: true, score: value, reason } : { ok: true, score: value };
}

function fromJson(raw: string): { value: number; reason?: string } | null {
  const start = raw.indexOf('{'), end = raw.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  let obj: unknown;
  try {
    obj = JSON.parse(raw.slice(start, end + 1));
  } catch {
    return null;
  }
  if (typeof obj !== 'object' || obj === null) return null;
  const o = obj as Record<string, unknown>;
  const key = Object.keys(o).find((k) => /^(final_?)?(score|rating|grade)$/i.test(k));
  if (!key) return null;
  const v = o[key];
  const value = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  const reason = ['reason', 'reasoning', 'explanation', 'rationale'].map((k) => o[k]).find((r): r is string => typeof r === 'string');
  return { value, ...(reason ? { reason } : {}) };
}

function reasonOf(raw: string): string | undefined {
  const m = /\breason(?:ing)?\b[*_\s]*[:=\-–—][*_\s]*(.+)/i.exec(raw);
  return m ? m[1].trim() : undefined;
}

const quote = (s: string) => JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);

export interface JudgeRow {
  instruction: string;
  /** The expected answer, when the dataset has one. */
  reference: string | null;
  /** The answer under test (what the fine-tuned model generated). */
  output: string;
}

export interface JudgeRowResult {
  index: number;
  /** 1–5, or null when the row could not be judged. */
  score: number | null;
  reason?: string;
  /** Why the row has no score. */
  error?: string;
  /** 'parse' (the reply had no valid score) or the endpoint failure's kind. */
  errorKind?: 'parse' | EndpointErrorKind;
  /** The judge's raw reply, when there was one. */
  reply?: string;
}

export interface JudgeSummary {
  rows: JudgeRowResult[];
  /** Mean of the scored rows; null when none was scored. */
  mean: number | null;
  /** Rows scored. */
  count: number;
  /** Rows not scored (endpoint errors, unreadable replies, cancelled). */
  failures: number;
  /** How many rows got each score: histogram[s - 1] for s in 1..5. */
  histogram: number[];
  /** True when the signal aborted before every row was judged (the rest are 'cancelled' errors). */
  cancelled: boolean;
}

export interface JudgeOptions {
  /** Requests in flight at once (default 1: a local server runs one at a time anyway). */
  concurrency?: number;
  /** Default 0. */
  temperature?: number;
  /** Default 256: room for the score and a reason. */
  maxTokens?: number;
  signal?: AbortSignal;
  timeoutMs?: number;
  retries?: number;
  /** Called as each row is done (in completion order), with how many are done. */
  onRow?: (result: JudgeRowResult, done: number, total: number) => void;
}

/**
 * Judges every row; failures are per row. Once a failure shows no later row can succeed (unreachable after retries,
 * or HTTP 401/403/404: a wrong key or model name), the remaining rows are skipped with that error instead of waiting
 * for each to fail the same way.
 */
export async function judgeMany(rows: readonly JudgeRow[], endpoint: Endpoint, opts: JudgeOptions = {}): Promise<JudgeSummary> {
  const results: JudgeRowResult[] = new Array(rows.length);
  let next = 0, done = 0;
  let fatal: EndpointError | null = null;
  const finish = (r: JudgeRowResult) => {
    results[r.index] = r;
    opts.onRow?.(r, ++done, rows.length);
  };
  const judgeOne = async (index: number): Promise<JudgeRowResult> => {
    if (opts.signal?.aborted) return { index, score: null, error: 'cancelled', errorKind: 'cancelled' };
    if (fatal) return { index, score: null, error: `skipped: ${fatal.message}`, errorKind: fatal.kind };
    const row = rows[index];
    try {
      const { text } = await chatComplete(endpoint, judgePrompt(row.instruction, row.reference, row.output), {
        temperature: opts.temperature ?? 0, maxTokens: opts.maxTokens ?? 256, signal: opts.signal, timeoutMs: opts.timeoutMs, retries: opts.retries,
      });
      const parsed = parseJudgeScore(text);
      if (!parsed.ok) return { index, score: null, error: parsed.error, errorKind: 'parse', reply: text };
      return { index, score: parsed.score, ...(parsed.reason ? { reason: parsed.reason } : {}), reply: text };
    } catch (e) {
      if (!(e instanceof EndpointError)) throw e;
      // No later row can succeed either: the server is gone, or the key or the model name is wrong.
      if (e.kind === 'unreachable' || (e.kind === 'http' && [401, 403, 404].includes(e.status ?? 0))) fatal = e;
      return { index, score: null, error: e.message, errorKind: e.kind };
    }
  };
  const worker = async () => {
    while (next < rows.length) finish(await judgeOne(next++));
  };
  const lanes = Math.max(1, Math.min(Math.floor(opts.concurrency ?? 1), 16, rows.length));
  await Promise.all(Array.from({ length: lanes }, worker));
  return summarize(results, opts.signal?.aborted ?? false);
}

/** The aggregate of per-row results (also for the UI to recompute after a re-run of some rows). */
export function summarize(rows: JudgeRowResult[], cancelled = false): JudgeSummary {
  const scores = rows.filter((r) => r.score !== null).map((r) => r.score!);
  const histogram = Array.from({ length: JUDGE_MAX_SCORE - JUDGE_MIN_SCORE + 1 }, (_, k) => scores.filter((s) => s === k + JUDGE_MIN_SCORE).length);
  return {
    rows, histogram, cancelled,
    mean: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null,
    count: scores.length,
    failures: rows.length - scores.length,
  };
}
