/**
 * Which prompts a run samples during training, and how often: the user's own prompts (one per line) or the first few
 * examples of the validation split (else of the training split), every N steps — by default only for small models,
 * where a 32-token greedy sample costs little next to a training step.
 */
import type { ExampleBody, Split } from '../../data/types';
import { chatPrompt } from '../../text/prompt';
import type { SamplePrompt } from '../../train/samples';
import type { TrainForm } from './runConfig';

export const SAMPLE_PROMPTS = 3;
/** Models up to this many parameters sample by default. */
export const SMALL_MODEL_PARAMS = 50e6;
export const AUTO_SAMPLE_EVERY = 10;

export function autoSampleEvery(params: number): number {
  return params > 0 && params <= SMALL_MODEL_PARAMS ? AUTO_SAMPLE_EVERY : 0;
}

/** The effective "sample every N steps" of the form (null/absent = automatic; negative or fractional = off/rounded). */
export function resolveSampleEvery(form: Pick<TrainForm, 'sampleEvery'>, params: number): number {
  const v = form.sampleEvery;
  if (v === null || v === undefined) return autoSampleEvery(params);
  return Number.isFinite(v) && v > 0 ? Math.round(v) : 0;
}

/** A short label of an example's prompt for the samples table. */
export function promptLabel(body: ExampleBody, max = 80): string {
  let text: string;
  if (body.kind === 'pair') text = [body.instruction, body.input].filter((s) => s.trim()).join(' — ');
  else if (body.kind === 'chat') {
    const lastAssistant = body.messages.map((m) => m.role).lastIndexOf('assistant');
    const before = lastAssistant > 0 ? body.messages.slice(0, lastAssistant) : body.messages;
    text = [...before].reverse().find((m) => m.role === 'user')?.content ?? '';
  } else text = body.text;
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text || '(empty)';
}

export interface SampleChoice {
  prompts: SamplePrompt[];
  labels: string[];
  source: 'custom' | 'validation' | 'train';
}

/**
 * The prompts of a run. Custom lines become chat prompts (with the run's template and the dataset's system prompt)
 * when the dataset is chats or pairs, else plain text; examples are prompted as training renders them.
 */
export function chooseSamplePrompts(
  rows: readonly { body: ExampleBody; split?: Split }[],
  custom: string,
  opts: { template?: string; system?: string } = {},
  n = SAMPLE_PROMPTS,
): SampleChoice {
  const lines = custom.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.length) {
    const chat = rows.some((r) => r.body.kind !== 'text');
    const prompts: SamplePrompt[] = lines.slice(0, 8).map((l) => (chat ? chatPrompt(l, { system: opts.system, template: opts.template }) : { kind: 'text', text: l }));
    return { prompts, labels: lines.slice(0, 8), source: 'custom' };
  }
  const val = rows.filter((r) => r.split === 'validation');
  const source = val.length ? 'validation' : 'train';
  const picked = (val.length ? val : rows).slice(0, val.length ? n : Math.min(n, 2));
  return { prompts: picked.map((r) => ({ kind: 'example', body: r.body })), labels: picked.map((r) => promptLabel(r.body)), source };
}
