/**
 * The answer tokens of an example, for runs that train more than the answers (full sequence): the same example
 * labeled again with THE label builder in the mode that trains only the answers — assistant-only for chats,
 * completion-only for pairs. The input ids are the same; only the −100s differ. The trainer uses this second label row
 * to report each step's loss on the answer tokens apart from the prompt/other tokens (engine/train/lossSplit.ts).
 */
import { buildLabels, type LabeledExample } from '../data/labels';
import type { ExampleBody, MaskMode } from '../data/types';
import type { StudioTokenizer } from '../text/tokenizer';
import type { LabelConfig } from './data';
import type { StepResult } from '../engine/train/trainer';
import type { LossSplit } from '../engine/train/lossSplit';

/** A labeled example that may carry the answer-only labels of the same input ids. */
export type AnswerLabeled = LabeledExample & { answerLabels?: number[] };

/** The mask mode whose trained tokens are "the answers" of this kind of example (null: a text body has none). */
export function answerModeOf(kind: ExampleBody['kind']): MaskMode | null {
  return kind === 'chat' ? 'assistant-only' : kind === 'pair' ? 'completion-only' : null;
}

/**
 * `labeled` with `answerLabels` added: the labels `answerModeOf` would train on the same ids. Text bodies, and (never
 * expected) a relabeling whose ids differ, get none: all their trained tokens count as prompt/other tokens.
 */
export function withAnswerLabels(tokenizer: StudioTokenizer, body: ExampleBody, labeled: LabeledExample, cfg: LabelConfig): AnswerLabeled {
  const mode = answerModeOf(body.kind);
  if (!mode) return labeled;
  let answers: LabeledExample;
  try {
    answers = buildLabels(tokenizer, body, { mode, trainEos: cfg.trainEos, template: cfg.template, systemPrompt: cfg.systemPrompt, maxLength: cfg.maxLength, specialTokensInText: cfg.specialTokensInText });
  } catch {
    return labeled;
  }
  const same = answers.inputIds.length === labeled.inputIds.length && answers.inputIds.every((id, i) => id === labeled.inputIds[i]);
  return same ? { ...labeled, answerLabels: answers.labels } : labeled;
}

/**
 * A step's loss split as reported to the UI: the trainer's measured split for full-sequence runs; for masked runs
 * the loss already is the answer-token loss (the trained tokens are the answers). undefined: no answers to report.
 */
export function stepSplit(mode: MaskMode, step: StepResult): LossSplit | undefined {
  if (step.split) return step.split;
  if (mode === 'full') return undefined;
  return { answerLoss: step.loss, promptLoss: null, answerTargets: step.targets, promptTargets: 0 };
}
