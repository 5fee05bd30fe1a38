/**
 * The Evaluation page's stored data, on the v3 tables of schema.ts:
 *  - evalResults: one row per model (the base model or a run's adapter) per evaluated set (a dataset's validation
 *    split, or its examples with a tag): every example's greedy output and its metric scores. A newer row for the
 *    same model and set replaces the older one in the page; older rows stay until deleted with their run.
 *  - ratings: a 1–5 score per output, by a person or by an LLM judge (src/eval/judge.ts).
 *  - abVotes: blind A/B preferences between two models' outputs for one example.
 */
import type { Turn } from '../data/types';
import type { RowScores } from '../eval/metrics';
import { getDb, newId, type AbVoteRow, type EvalResultRow, type RatingRow } from './schema';

/** The key of the base model (no adapter) in results and ratings; a run's key is its id. */
export function baseModelKey(modelName: string): string {
  return `base:${modelName}`;
}

export function isBaseKey(key: string): boolean {
  return key.startsWith('base:');
}

export interface EvalRow {
  exampleId: string;
  /** The turns sent (system prompt included) and, for display, the last user text. */
  messages: Turn[];
  prompt: string;
  /** The reference answer; null when the example has none. */
  reference: string | null;
  tags: string[];
  output: string;
  /** Why generation stopped ('eos', 'max-tokens', …) or 'error'. */
  reason: string;
  error?: string;
  tokens: number;
  seconds: number;
  scores: RowScores;
}

export interface EvalSettings {
  maxNewTokens: number;
  /** Chat template used (undefined: the tokenizer's own). */
  template?: string;
  systemPrompt?: string;
}

export interface EvalResult {
  id: string;
  modelKey: string;
  /** "Base model (studio-base)" or the run's name. */
  modelLabel: string;
  /** ModelInfo.name of the base model. */
  modelName: string;
  datasetId: string;
  datasetName: string;
  /** 'validation' or 'tag:<name>'. */
  setKey: string;
  setLabel: string;
  createdAt: number;
  settings: EvalSettings;
  /** Examples in the set (rows may be fewer when stopped early). */
  total: number;
  rows: EvalRow[];
  /** Stopped (or failed) before every example was done. */
  partial: boolean;
}

const toRow = <T>(x: T) => x as unknown as EvalResultRow;

export async function saveEvalResult(init: Omit<EvalResult, 'id' | 'createdAt'>): Promise<EvalResult> {
  const r: EvalResult = { ...init, id: newId(), createdAt: Date.now() };
  await getDb().evalResults.add(toRow(r));
  return r;
}

/** The newest result of each model for one set, in the order models were first evaluated. */
export async function latestEvalResults(datasetId: string, setKey: string): Promise<EvalResult[]> {
  const rows = (await getDb().evalResults.where('[datasetId+setKey]').equals([datasetId, setKey]).toArray()) as unknown as EvalResult[];
  const newest = new Map<string, EvalResult>();
  for (const r of rows.sort((a, b) => a.createdAt - b.createdAt)) newest.set(r.modelKey, r);
  return [...newest.values()];
}

/** Every stored result of a model (e.g. a run about to be deleted). */
export async function deleteEvalResults(modelKey: string): Promise<void> {
  const db = getDb();
  await db.transaction('rw', db.evalResults, db.ratings, async () => {
    await db.evalResults.where('modelKey').equals(modelKey).delete();
    await db.ratings.where('modelKey').equals(modelKey).delete();
  });
}

// ---------------------------------------------------------------------------------------------------------------

export type RatingSource = 'human' | 'judge';

export interface Rating {
  id: string;
  resultId: string;
  modelKey: string;
  exampleId: string;
  source: RatingSource;
  /** 1–5, or null when the judge failed for this row (see `error`). */
  score: number | null;
  error?: string;
  /** The judge's own words, when it gave any. */
  note?: string;
  updatedAt: number;
}

export function ratingId(resultId: string, exampleId: string, source: RatingSource): string {
  return `${resultId}|${exampleId}|${source}`;
}

export async function putRating(r: Omit<Rating, 'id' | 'updatedAt'>): Promise<void> {
  if (r.score !== null && !(Number.isInteger(r.score) && r.score >= 1 && r.score <= 5)) throw new Error('A rating is a whole number from 1 to 5.');
  await getDb().ratings.put({ ...r, id: ratingId(r.resultId, r.exampleId, r.source), updatedAt: Date.now() } as unknown as RatingRow);
}

export async function deleteRating(resultId: string, exampleId: string, source: RatingSource): Promise<void> {
  await getDb().ratings.delete(ratingId(resultId, exampleId, source));
}

/** Ratings of the given results. */
export async function ratingsFor(resultIds: readonly string[]): Promise<Rating[]> {
  if (resultIds.length === 0) return [];
  return (await getDb().ratings.where('resultId').anyOf([...resultIds]).toArray()) as unknown as Rating[];
}

// ---------------------------------------------------------------------------------------------------------------

export interface AbVote {
  id: string;
  datasetId: string;
  setKey: string;
  exampleId: string;
  /** The two model keys, in a fixed (sorted) order. */
  pair: [string, string];
  /** The preferred model key, or 'tie'. */
  winner: string;
  createdAt: number;
}

export function abPair(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

export async function putAbVote(v: Omit<AbVote, 'id' | 'createdAt' | 'pair'> & { pair: [string, string] }): Promise<void> {
  const pair = abPair(...v.pair);
  if (v.winner !== 'tie' && !pair.includes(v.winner)) throw new Error('The winner must be one of the two models.');
  const row: AbVote = { ...v, pair, id: `${v.datasetId}|${v.setKey}|${v.exampleId}|${pair.join('|')}`, createdAt: Date.now() };
  await getDb().abVotes.put(row as unknown as AbVoteRow);
}

export async function abVotesFor(datasetId: string, setKey: string): Promise<AbVote[]> {
  return (await getDb().abVotes.where('[datasetId+setKey]').equals([datasetId, setKey]).toArray()) as unknown as AbVote[];
}
