/**
 * The Classroom lesson, "Why mask the prompt?": the same data trained twice with the Train page's own run flow
 * (controller.ts startTraining) — first on the answers only, then on the full sequence — and then the base model
 * and both adapters answering the same prompts through the playground's generation path. Every setting of the
 * lesson is in LESSON; the lesson's progress lives in its own small store so it survives leaving the page.
 */
import { create } from 'zustand';
import { buildLabels } from '../../data/labels';
import type { ExampleBody } from '../../data/types';
import { getDataset, listExamples } from '../../db';
import { getRun, type Run } from '../../db/runs';
import { trainState } from '../../store/slices/train';
import type { SamplingRequest } from '../../worker/protocol';
import { startTraining, stopTraining } from '../train/controller';
import { lrAdvice } from '../train/lrAdvice';
import { MODE_LABELS, recommendedMode, templateText, type TrainForm } from '../train/runConfig';
import { generateWith, stopGeneration } from '../playground/generate';
import { LESSON_GROUP_PREFIX, lessonHoldOut, lessonPrompts, type LessonPrompt } from './lessonData';

/** The lesson's settings, all here. */
export const LESSON = {
  /** Optimizer steps of each run (the page lets the presenter lower or raise it). */
  steps: 40,
  minSteps: 2,
  maxSteps: 500,
  /** Over the Train form: LoRA on every linear layer, no dropout, a constant rate, small batches, no checkpoints. */
  form: {
    method: 'lora', r: 8, alpha: 16, dropout: 0, targets: 'all-linear', rslora: false, trainEos: true, overlong: 'truncate',
    schedule: 'constant', warmupRatio: 0, weightDecay: 0, maxGradNorm: 1, batchSize: 4, gradAccum: 1, epochs: 1000,
    pack: false, seed: 42, evalEvery: 0, checkpointEvery: 0,
  } satisfies Partial<TrainForm>,
  /** The learning rate for models the Train page gives no advice for (its advice wins for small ones). */
  lr: 2e-4,
  /** Examples held out to ask both adapters about (when the dataset has no validation split). */
  heldOut: 2,
  /** Max length bounds: the longest example, rounded up to a multiple of 16, within these. */
  minLength: 32,
  maxLength: 256,
  /** Greedy and short: the same answer every time for the same prompt. */
  sampling: { maxNewTokens: 24, temperature: 0, topK: 0, topP: 1, seed: 0, stopStrings: [] } satisfies SamplingRequest,
  /** Steps averaged for the "final" numbers. */
  tail: 5,
};

export type Who = 'base' | 'masked' | 'full';
export const WHO: readonly Who[] = ['base', 'masked', 'full'];

export interface Generation {
  text: string;
  done: boolean;
  reason?: string;
  error?: string;
}

export interface LessonState {
  phase: 'idle' | 'training' | 'generating' | 'done' | 'failed' | 'stopped';
  /** Which run is training now (0 = masked, 1 = full). */
  runIndex: number;
  error: string | null;
  /** Wall time of the last lesson run on this page (training both runs and the generations), seconds. */
  wallSeconds: number | null;
  prompts: LessonPrompt[];
  /** generations[prompt index][who]. */
  generations: Partial<Record<Who, Generation>>[];
}

export const useLesson = create<LessonState>(() => ({ phase: 'idle', runIndex: 0, error: null, wallSeconds: null, prompts: [], generations: [] }));
const set = (patch: Partial<LessonState> | ((s: LessonState) => Partial<LessonState>)) => useLesson.setState(patch);
let cancelled = false;

/** Max length for the lesson: the longest example as the run will label it, rounded up to a multiple of 16. */
function lessonMaxLength(bodies: ExampleBody[], template: string | undefined, systemPrompt: string): number {
  const s = trainState();
  const cap = Math.min(LESSON.maxLength, s.modelInfo?.config.maxTrainLength ?? LESSON.maxLength);
  let longest = 0;
  for (const body of bodies) {
    try {
      longest = Math.max(longest, buildLabels(s.tokenizer!, body, { mode: 'full', trainEos: true, template, systemPrompt: systemPrompt || undefined }).inputIds.length);
    } catch {
      /* the run reports examples it cannot label */
    }
  }
  return Math.min(cap, Math.max(LESSON.minLength, Math.ceil(longest / 16) * 16));
}

/** Trains both runs on `datasetId` with `steps` steps each, then asks all three models the lesson's prompts. */
export async function runLesson(datasetId: string, steps: number): Promise<void> {
  const s = trainState();
  const fail = (error: string) => set({ phase: 'failed', error });
  if (!s.modelInfo || !s.tokenizer) return fail('Load a model first (Model section).');
  if (s.liveRun) return fail('A training run is already in progress.');
  const dataset = await getDataset(datasetId);
  if (!dataset) return fail('The chosen dataset no longer exists.');
  const rows = await listExamples(datasetId);
  const kinds = new Set<ExampleBody['kind']>(rows.map((e) => e.body.kind));
  if (!kinds.has('pair') && !kinds.has('chat')) return fail(`“${dataset.name}” has no instruction pairs or chats: the lesson compares what is trained of a prompt and its answer.`);
  const started = performance.now();
  cancelled = false;
  set({ phase: 'training', runIndex: 0, error: null, wallSeconds: null, prompts: [], generations: [] });
  const template: TrainForm['template'] = s.tokenizer.chatTemplate ? 'model' : 'chatml';
  const heldOut = lessonHoldOut(rows, LESSON.heldOut);
  const form: Partial<TrainForm> = {
    ...LESSON.form, datasetId, template, maxSteps: steps, lr: lrAdvice(s.modelInfo.params, 'lora', LESSON.lr)?.lr ?? LESSON.lr,
    maxLength: lessonMaxLength(rows.filter((r) => !heldOut.has(r.id)).map((r) => r.body), templateText(template), dataset.systemPrompt),
  };
  const group = `${LESSON_GROUP_PREFIX}${crypto.randomUUID()}`;
  const modes = [recommendedMode(kinds), 'full'] as const;
  const done: Run[] = [];
  for (const [index, mode] of modes.entries()) {
    set({ runIndex: index });
    const run = await startTraining({ mode, form, heldOut, compare: { group, index, of: 2 }, name: `Lesson · ${dataset.name} · ${MODE_LABELS[mode]}` });
    if (cancelled) return set({ phase: 'stopped' });
    if (!run || run.status !== 'finished') return fail(trainState().trainMessage?.text ?? 'The run did not finish.');
    done.push(run);
  }
  await generateAll(done[0], done[1]);
  if (useLesson.getState().phase === 'generating') set({ phase: 'done', wallSeconds: (performance.now() - started) / 1000 });
}

/** The base model and both adapters on the lesson's prompts, one after another (greedy, short). */
export async function generateAll(masked: Run, full: Run): Promise<void> {
  const prompts = lessonPrompts(masked.examples, LESSON.heldOut, masked.config?.label.systemPrompt);
  set({ phase: 'generating', prompts, generations: prompts.map(() => ({})), error: null });
  const template = masked.config?.label.template;
  const adapters: Record<Who, string | null> = { base: null, masked: masked.id, full: full.id };
  for (const [i, p] of prompts.entries()) {
    for (const who of WHO) {
      if (cancelled) return set({ phase: 'stopped' });
      const put = (g: Generation) => set((st) => ({ generations: st.generations.map((row, k) => (k === i ? { ...row, [who]: g } : row)) }));
      put({ text: '', done: false });
      try {
        const r = await generateWith(adapters[who], { kind: 'chat', messages: p.messages, ...(template ? { template } : {}) }, LESSON.sampling, (text) => put({ text, done: false }));
        put({ text: r.text, done: true, reason: r.reason });
      } catch (e) {
        put({ text: '', done: true, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }
}

/** Generations again for stored lesson runs (after a reload the adapters come back from IndexedDB). */
export async function regenerate(maskedId: string, fullId: string): Promise<void> {
  const [m, f] = await Promise.all([getRun(maskedId), getRun(fullId)]);
  if (!m || !f) return void set({ phase: 'failed', error: 'The lesson’s runs no longer exist.' });
  cancelled = false;
  await generateAll(m, f);
  if (useLesson.getState().phase === 'generating') set({ phase: 'done' });
}

export function stopLesson(): void {
  cancelled = true;
  if (trainState().liveRun) stopTraining();
  else stopGeneration();
}
