/**
 * "Try it" on the Train page: the phrase-finishing starter (src/data/starter/phrases.ts) with settings chosen for the
 * built-in model, and a check of the result — every question asked greedily through the playground's generation
 * path, scored by exact match (src/train/exactMatch.ts): the trained questions with the new adapter, the held-out
 * ones with the adapter and with the base model.
 *
 * The settings, measured with the CLI (same engine, SwiftShader on 2 shared CPU cores; phrases.select.ts --eval): LoRA
 * r = 8, α = 16 on every linear layer at 1e-2 (the small-model rate lrAdvice gives), 16 epochs of batches of 8
 * (80 steps, about 45 s), examples up to 32 tokens (they are 23–25). Seeds 42, 1 and 2 each gave 34/34 trained and
 * 19/20 held-out answers exact, the base model 0/20; 50 steps, or batches of 4, were not reliably enough.
 */
import { create } from 'zustand';
import { addStarterDatasets } from '../../data/starter';
import { TRY_IT_NAME, tryItPhrases } from '../../data/starter/phrases';
import { pairUserText, type Split, type Turn } from '../../data/types';
import { listDatasets } from '../../db';
import type { Run } from '../../db/runs';
import { useStudio } from '../../store';
import { setTrainForm } from '../../store/slices/train';
import { constantGuessRate, scoreExactMatch, type ExactMatchScore } from '../../train/exactMatch';
import type { SamplingRequest } from '../../worker/protocol';
import { generateWith, stopGeneration } from '../playground/generate';
import { DEFAULT_FORM, type TrainForm } from './runConfig';

/** The Train form for the Try-it run (everything else is the form's default). */
export const TRY_IT_FORM = {
  mode: null, template: 'model', trainEos: true, maxLength: 32, overlong: 'truncate',
  method: 'lora', r: 8, alpha: 16, dropout: 0.05, targets: 'all-linear', rslora: false,
  lr: 1e-2, schedule: 'cosine', warmupRatio: 0.05, weightDecay: 0, maxGradNorm: 1,
  batchSize: 8, gradAccum: 1, epochs: 16, maxSteps: 0, pack: false, seed: 42, evalEvery: 0, checkpointEvery: 0,
} satisfies Partial<TrainForm>;

/** Greedy, and long enough for a one-word answer and the end of the turn (the base model runs to the limit). */
export const CHECK_SAMPLING: SamplingRequest = { maxNewTokens: 8, temperature: 0, topK: 0, topP: 1, seed: 0, stopStrings: [] };

/** Adds the Try-it dataset (or reuses the one added before) and puts its settings in the Train form. */
export async function setUpTryIt(): Promise<string> {
  const existing = (await listDatasets()).find((d) => d.name === TRY_IT_NAME);
  const id = existing?.id ?? (await addStarterDatasets([tryItPhrases]));
  if (!id) throw new Error('The Try-it dataset could not be added.');
  setTrainForm({ ...DEFAULT_FORM, ...TRY_IT_FORM, datasetId: id });
  useStudio.getState().setActiveDataset(id);
  return id;
}

/** Whether the form holds the Try-it settings for `datasetId`. */
export function isTryItForm(form: TrainForm, datasetId: string | null): boolean {
  if (!datasetId || form.datasetId !== datasetId) return false;
  return (Object.keys(TRY_IT_FORM) as (keyof typeof TRY_IT_FORM)[]).every((k) => form[k] === TRY_IT_FORM[k]);
}

export interface CheckAnswer {
  text: string;
  reason: string;
}

export interface CheckRow {
  question: string;
  expected: string;
  split: Split;
  /** Held-out rows only. */
  base?: CheckAnswer;
  tuned?: CheckAnswer;
}

export interface TryItCheckState {
  phase: 'idle' | 'checking' | 'done' | 'failed' | 'stopped';
  runId: string | null;
  rows: CheckRow[];
  /** Generations done / to do. */
  done: number;
  total: number;
  error: string | null;
  seconds: number | null;
}

export const useTryItCheck = create<TryItCheckState>(() => ({ phase: 'idle', runId: null, rows: [], done: 0, total: 0, error: null, seconds: null }));
const set = (patch: Partial<TryItCheckState> | ((s: TryItCheckState) => Partial<TryItCheckState>)) => useTryItCheck.setState(patch);
let cancelled = false;

/** The pairs of a run as questions: the prompt training rendered (system prompt, user text) and the stored answer. */
export function checkRows(run: Pick<Run, 'examples'>): CheckRow[] {
  const rows: CheckRow[] = [];
  for (const e of run.examples) if (e.body.kind === 'pair') rows.push({ question: pairUserText(e.body), expected: e.body.output, split: e.split === 'validation' ? 'validation' : 'train' });
  return rows;
}

/** Asks every question of `run`: held-out ones with the base model and the adapter, trained ones with the adapter. */
export async function checkTryIt(run: Run): Promise<void> {
  if (useTryItCheck.getState().phase === 'checking') return;
  const started = performance.now();
  cancelled = false;
  const rows = checkRows(run);
  const jobs: { i: number; who: 'base' | 'tuned' }[] = [];
  rows.forEach((r, i) => r.split === 'validation' && jobs.push({ i, who: 'base' }, { i, who: 'tuned' }));
  rows.forEach((r, i) => r.split === 'train' && jobs.push({ i, who: 'tuned' }));
  set({ phase: 'checking', runId: run.id, rows, done: 0, total: jobs.length, error: null, seconds: null });
  const label = run.config?.label;
  const system: Turn[] = label?.systemPrompt ? [{ role: 'system', content: label.systemPrompt }] : [];
  try {
    for (const { i, who } of jobs) {
      if (cancelled) return set({ phase: 'stopped' });
      const messages: Turn[] = [...system, { role: 'user', content: rows[i].question }];
      const r = await generateWith(who === 'tuned' ? run.id : null, { kind: 'chat', messages, ...(label?.template ? { template: label.template } : {}) }, CHECK_SAMPLING, () => {});
      set((s) => ({ done: s.done + 1, rows: s.rows.map((row, k) => (k === i ? { ...row, [who]: { text: r.text, reason: r.reason } } : row)) }));
    }
    set({ phase: 'done', seconds: (performance.now() - started) / 1000 });
  } catch (e) {
    set({ phase: 'failed', error: e instanceof Error ? e.message : String(e) });
  }
}

export function stopTryItCheck(): void {
  cancelled = true;
  stopGeneration();
}

export interface CheckSummary {
  trained: ExactMatchScore;
  heldTuned: ExactMatchScore;
  heldBase: ExactMatchScore;
  /** The most common trained answer, and how often it is the held-out answer. */
  guess: { answer: string; rate: number };
}

export function summarize(rows: readonly CheckRow[]): CheckSummary {
  const train = rows.filter((r) => r.split === 'train');
  const held = rows.filter((r) => r.split === 'validation');
  const score = (list: CheckRow[], who: 'base' | 'tuned') =>
    scoreExactMatch(list.filter((r) => r[who]).map((r) => ({ expected: r.expected, generated: r[who]!.text, reason: r[who]!.reason })));
  return {
    trained: score(train, 'tuned'), heldTuned: score(held, 'tuned'), heldBase: score(held, 'base'),
    guess: constantGuessRate(train.map((r) => r.expected), held.map((r) => r.expected)),
  };
}

/** The newest finished run with an adapter on the Try-it dataset, if any. */
export function latestTryItRun<R extends { datasetId: string; status: string; adapter?: unknown; createdAt: number }>(runs: readonly R[] | undefined, datasetId: string | null): R | null {
  if (!datasetId) return null;
  return (runs ?? []).filter((r) => r.datasetId === datasetId && r.status === 'finished' && r.adapter).sort((a, b) => b.createdAt - a.createdAt)[0] ?? null;
}
