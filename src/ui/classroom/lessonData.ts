/**
 * The Classroom lesson's pure parts: which dataset it starts on, which examples it holds out, the prompts both
 * adapters answer, and the numbers it puts on screen — measured from the two runs' stored step histories only.
 */
import type { Dataset, ExampleBody, Split, Turn } from '../../data/types';
import { pairUserText } from '../../data/types';
import type { Run, StepPoint } from '../../db/runs';

/** A lesson's runs share a compareGroup with this prefix (the Train page's own comparisons have plain uuids). */
export const LESSON_GROUP_PREFIX = 'lesson:';

export const isLessonRun = (r: Pick<Run, 'compareGroup'>): boolean => !!r.compareGroup?.startsWith(LESSON_GROUP_PREFIX);

/** The lesson's two runs (masked and full) of the newest lesson among `runs` (newest first), or null. */
export function latestLesson<R extends Run>(runs: readonly R[]): { group: string; masked: R | null; full: R | null } | null {
  const first = runs.find(isLessonRun);
  if (!first) return null;
  const group = first.compareGroup!;
  const mine = runs.filter((r) => r.compareGroup === group);
  return { group, masked: mine.find((r) => r.config?.label.mode !== 'full') ?? null, full: mine.find((r) => r.config?.label.mode === 'full') ?? null };
}

/**
 * The dataset the lesson starts on: a starter "Try it" dataset when there is one, else the dataset open in the
 * Dataset section, else the Train form's, else the newest.
 */
export function defaultLessonDataset(datasets: readonly Dataset[], active: string | null, trainForm: string | null): string | null {
  const tryIt = datasets.find((d) => /\btry it\b/i.test(d.name));
  if (tryIt) return tryIt.id;
  for (const id of [active, trainForm]) if (id && datasets.some((d) => d.id === id)) return id;
  return [...datasets].sort((a, b) => b.updatedAt - a.updatedAt)[0]?.id ?? null;
}

/**
 * Examples (by id) the lesson holds out of training to ask both adapters about: none when the dataset already has a
 * validation split (those are held out already), else the last `max` instruction examples, keeping at least four
 * fifths of them for training.
 */
export function lessonHoldOut(rows: readonly { id: string; body: ExampleBody; split: Split }[], max: number): Set<string> {
  const usable = rows.filter((r) => r.body.kind !== 'text');
  if (usable.some((r) => r.split === 'validation')) return new Set();
  const k = Math.min(max, Math.floor(usable.length / 5));
  return new Set(usable.slice(usable.length - k).map((r) => r.id));
}

export interface LessonPrompt {
  /** The conversation up to the reply the models write, with the system prompt training used (if any). */
  messages: Turn[];
  /** The reply the dataset has for it. */
  expected: string;
  /** true: held out of both runs; false: one of the training examples (what memorising looks like). */
  heldOut: boolean;
}

/**
 * The prompt of a pair or chat as training renders it: everything before its last assistant turn, with the dataset's
 * system prompt where the example has none (a pair's `system: ''` means none). null for text or a chat without a reply.
 */
export function promptOf(body: ExampleBody, systemPrompt?: string): Omit<LessonPrompt, 'heldOut'> | null {
  const sys = (content: string | undefined): Turn[] => (content ? [{ role: 'system', content }] : []);
  if (body.kind === 'pair') return { messages: [...sys(body.system ?? systemPrompt), { role: 'user', content: pairUserText(body) }], expected: body.output };
  if (body.kind !== 'chat') return null;
  const last = body.messages.map((m) => m.role).lastIndexOf('assistant');
  if (last < 1) return null;
  const before: Turn[] = body.messages.slice(0, last).map(({ role, content }) => ({ role, content }));
  return { messages: before[0].role === 'system' ? before : [...sys(systemPrompt), ...before], expected: body.messages[last].content };
}

/** Up to `heldOut` held-out prompts, then one training prompt, from a lesson run's stored examples. */
export function lessonPrompts(examples: Run['examples'], heldOut: number, systemPrompt?: string): LessonPrompt[] {
  const out: LessonPrompt[] = [];
  for (const e of examples) {
    if (e.split !== 'validation' || out.length >= heldOut) continue;
    const p = promptOf(e.body, systemPrompt);
    if (p) out.push({ ...p, heldOut: true });
  }
  const seen = examples.map((e) => (e.split === 'validation' ? null : promptOf(e.body, systemPrompt))).find((p) => p);
  if (seen) out.push({ ...seen, heldOut: false });
  return out;
}

/** One chart series: steps and values (NaN where the step has none). */
export function seriesOf(steps: readonly StepPoint[], key: 'answerLoss' | 'promptLoss'): { x: number[]; y: number[] } {
  const pts = steps.filter((p) => Number.isFinite(p.loss));
  return { x: pts.map((p) => p.step), y: pts.map((p) => (typeof p[key] === 'number' ? (p[key] as number) : NaN)) };
}

/** Mean of the last `tail` finite values (null when there are none). */
export function tailMean(values: readonly number[], tail: number): number | null {
  const v = values.filter(Number.isFinite).slice(-tail);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

export interface LessonNumbers {
  /** Mean answer-token loss over the last `tail` steps of each run. */
  masked: number | null;
  full: number | null;
  /** The full run's prompt-token loss over the same steps. */
  fullPrompt: number | null;
  /** full − masked (positive: the masked run fits the answers better). */
  difference: number | null;
  tail: number;
  maskedSteps: number;
  fullSteps: number;
}

export function lessonNumbers(masked: readonly StepPoint[] | null, full: readonly StepPoint[] | null, tail: number): LessonNumbers {
  const m = masked ? tailMean(seriesOf(masked, 'answerLoss').y, tail) : null;
  const f = full ? tailMean(seriesOf(full, 'answerLoss').y, tail) : null;
  return {
    masked: m, full: f, fullPrompt: full ? tailMean(seriesOf(full, 'promptLoss').y, tail) : null,
    difference: m !== null && f !== null ? f - m : null, tail,
    maskedSteps: masked ? seriesOf(masked, 'answerLoss').x.length : 0, fullSteps: full ? seriesOf(full, 'answerLoss').x.length : 0,
  };
}

/** One sentence that says what the numbers show and nothing more. */
export function verdict(n: LessonNumbers): string {
  if (n.masked === null || n.full === null || n.difference === null) return 'Run the lesson to measure both runs.';
  const base = `Over the last ${n.tail} steps, the answer-token loss was ${n.masked.toFixed(3)} for the masked run and ${n.full.toFixed(3)} for the full-sequence run`;
  const rel = Math.abs(n.difference) / Math.max(n.masked, n.full, 1e-9);
  if (rel < 0.02) return `${base}: about the same on these runs.`;
  const lower = n.difference > 0 ? 'masked' : 'full-sequence';
  return `${base}: the ${lower} run's is lower by ${Math.abs(n.difference).toFixed(3)} (${(rel * 100).toFixed(0)}%) on these runs.`;
}
