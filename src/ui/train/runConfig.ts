/**
 * The Train form and how it becomes a RunConfig (src/train/run.ts). Pure functions: the form, the dataset's kinds of
 * examples and the model decide the defaults (mask mode, template, targets) and the values sent to the Worker.
 */
import type { Dataset, ExampleBody, MaskMode } from '../../data/types';
import { getPreset, type TemplatePresetId } from '../../data/templates';
import type { ModelConfig } from '../../engine/model/config';
import { DEFAULT_RUN, type RunConfig } from '../../train/run';
import type { OverlongAction } from '../../train/data';

export type TargetPreset = 'attention' | 'all-linear' | 'custom';

/** Optimizer, batching and run-control fields are exactly RunConfig's. */
type RunFields = Pick<
  RunConfig,
  'lr' | 'schedule' | 'warmupRatio' | 'weightDecay' | 'maxGradNorm' | 'batchSize' | 'gradAccum' | 'epochs' | 'maxSteps' | 'pack' | 'seed' | 'evalEvery' | 'checkpointEvery'
>;

export interface TrainForm extends RunFields {
  datasetId: string | null;
  /** null: the recommended mode for the dataset (assistant-only for chats, completion-only for pairs). */
  mode: MaskMode | null;
  /** 'model': the tokenizer's chat template; else a preset id. */
  template: 'model' | TemplatePresetId;
  trainEos: boolean;
  maxLength: number;
  /** Examples longer than maxLength: cut from the right (default) or left out of the run. */
  overlong: OverlongAction;
  method: 'lora' | 'full';
  r: number;
  alpha: number;
  dropout: number;
  targets: TargetPreset;
  customTargets: string;
  rslora: boolean;
  /** LoRA: id of a run (trained or imported) whose adapter this run continues; null / absent = a fresh adapter. */
  initAdapter?: string | null;
  /** Validation samples every N steps: null = automatic (samplePrompts.ts), 0 = off. */
  sampleEvery?: number | null;
  /** User-chosen sample prompts, one per line; blank = the first validation examples. */
  samplePrompts?: string;
  /** Share of the training examples that are general English text trained on every token (0 / absent = none). */
  generalMix?: number;
  /** Train only on the training examples with one of these tags (absent / empty = every example). Validation is kept whole. */
  trainOnTags?: string[];
}

/**
 * The examples a run trains on when the form names tags: validation examples all stay (so the Evaluate page can score
 * the tags the run never saw: zero-shot), training examples only with a chosen tag.
 */
export function filterByTags<T extends { tags: string[]; split?: string }>(rows: T[], tags: readonly string[] | undefined): T[] {
  if (!tags || tags.length === 0) return rows;
  const keep = new Set(tags);
  return rows.filter((r) => r.split === 'validation' || r.tags.some((t) => keep.has(t)));
}

/** The "Mix general text" choices: shares of the training set (rehearsal against forgetting). */
export const GENERAL_MIX_CHOICES = [0, 0.1, 0.25, 0.5] as const;

const lora = DEFAULT_RUN.lora!;
export const DEFAULT_FORM: TrainForm = {
  datasetId: null, mode: null, template: 'model', trainEos: true, maxLength: 512, overlong: 'truncate',
  method: 'lora', r: lora.r, alpha: lora.alpha, dropout: lora.dropout, targets: 'attention', customTargets: '', rslora: false,
  lr: DEFAULT_RUN.lr, schedule: DEFAULT_RUN.schedule, warmupRatio: DEFAULT_RUN.warmupRatio, weightDecay: DEFAULT_RUN.weightDecay,
  maxGradNorm: DEFAULT_RUN.maxGradNorm, batchSize: DEFAULT_RUN.batchSize, gradAccum: DEFAULT_RUN.gradAccum, epochs: DEFAULT_RUN.epochs,
  maxSteps: 0, pack: false, seed: DEFAULT_RUN.seed, evalEvery: 0, checkpointEvery: 10,
};

export const MODE_LABELS: Record<MaskMode, string> = {
  'assistant-only': 'Assistant turns',
  'completion-only': 'Completion only',
  'last-turn': 'Last assistant turn',
  'per-turn-weights': 'Per-turn weights',
  full: 'Full sequence',
};

export const MODE_HINTS: Record<MaskMode, string> = {
  'assistant-only': 'Every assistant reply is trained; prompts are context only.',
  'completion-only': 'Only the answer (a pair’s output, a chat’s final replies) is trained.',
  'last-turn': 'Only the final assistant reply of each chat is trained.',
  'per-turn-weights': 'Every assistant reply not unticked is trained (unticked replies are context in every mode).',
  full: 'Every token is trained, prompts included — except replies unticked in the dataset (their text and end-of-turn token are masked).',
};

/** Shown with every mode: an unticked reply is never trained. */
export const WEIGHT_NOTE = 'Assistant replies whose “train” box is unticked (weight 0) are never trained, in any mode.';

/** The recommended mask mode for a dataset with these kinds of examples. */
export function recommendedMode(kinds: ReadonlySet<ExampleBody['kind']>): MaskMode {
  if (kinds.has('chat')) return 'assistant-only';
  if (kinds.has('pair')) return 'completion-only';
  return 'full';
}

/** The mode "Compare masking" trains second: full if the first masks, else the recommended masked mode. */
export function comparisonMode(first: MaskMode, kinds: ReadonlySet<ExampleBody['kind']>): MaskMode {
  if (first !== 'full') return 'full';
  return kinds.has('chat') ? 'assistant-only' : 'completion-only';
}

/** LoRA target module names for a preset on this model. */
export function targetModules(form: Pick<TrainForm, 'targets' | 'customTargets'>, model: ModelConfig): string[] | 'all-linear' {
  if (form.targets === 'all-linear') return 'all-linear';
  if (form.targets === 'custom') return form.customTargets.split(/[\s,]+/).filter(Boolean);
  return [...model.attentionTargets];
}

/** The Jinja template to label with, or undefined for the tokenizer's own. */
export function templateText(choice: TrainForm['template']): string | undefined {
  return choice === 'model' ? undefined : getPreset(choice)?.template;
}

export interface FormProblem {
  field: keyof TrainForm;
  message: string;
}

/** What is wrong with the form for this model (empty when it can run). */
export function formProblems(form: TrainForm, model: ModelConfig | null, hasChatTemplate: boolean): FormProblem[] {
  const out: FormProblem[] = [];
  const int = (field: keyof TrainForm, min: number, what: string) => {
    const v = form[field] as number;
    if (!Number.isInteger(v) || v < min) out.push({ field, message: `${what} must be a whole number ≥ ${min}.` });
  };
  if (!form.datasetId) out.push({ field: 'datasetId', message: 'Choose a dataset.' });
  int('maxLength', 8, 'Max length');
  int('batchSize', 1, 'Batch size');
  int('gradAccum', 1, 'Gradient accumulation');
  int('epochs', 1, 'Epochs');
  int('maxSteps', 0, 'Max steps');
  int('seed', 0, 'Seed');
  int('evalEvery', 0, 'Eval every');
  int('checkpointEvery', 0, 'Checkpoint every');
  if (!(form.lr > 0 && form.lr < 1)) out.push({ field: 'lr', message: 'Learning rate must be between 0 and 1 (e.g. 2e-4).' });
  if (!(form.warmupRatio >= 0 && form.warmupRatio < 1)) out.push({ field: 'warmupRatio', message: 'Warmup ratio must be in [0, 1).' });
  if (!(form.weightDecay >= 0)) out.push({ field: 'weightDecay', message: 'Weight decay must be ≥ 0.' });
  if (!(form.maxGradNorm >= 0)) out.push({ field: 'maxGradNorm', message: 'Grad clip must be ≥ 0 (0 = off).' });
  if (form.method === 'lora') {
    int('r', 1, 'Rank r');
    if (!(form.alpha > 0)) out.push({ field: 'alpha', message: 'Alpha must be > 0.' });
    if (!(form.dropout >= 0 && form.dropout < 1)) out.push({ field: 'dropout', message: 'Dropout must be in [0, 1).' });
    if (form.targets === 'custom' && !form.customTargets.trim()) out.push({ field: 'customTargets', message: 'List the module names to adapt, e.g. q_proj, v_proj.' });
  }
  if (model && form.maxLength > model.maxTrainLength)
    out.push({ field: 'maxLength', message: `This model trains on at most ${model.maxTrainLength} tokens per example.` });
  if (form.template === 'model' && model && !hasChatTemplate)
    out.push({ field: 'template', message: 'This model has no chat template: choose a preset (Alpaca, ChatML, …).' });
  return out;
}

/** The RunConfig the Worker runs. `mode` is the effective mask mode (recommended or chosen, or a comparison's). */
export function toRunConfig(form: TrainForm, mode: MaskMode, model: ModelConfig, systemPrompt: string): RunConfig {
  return {
    label: { mode, trainEos: form.trainEos, template: templateText(form.template), systemPrompt: systemPrompt || undefined, maxLength: form.maxLength, overlong: form.overlong },
    lora: form.method === 'full' ? null : { r: form.r, alpha: form.alpha, dropout: form.dropout, targetModules: targetModules(form, model), useRslora: form.rslora },
    lr: form.lr, schedule: form.schedule, warmupRatio: form.warmupRatio, weightDecay: form.weightDecay, maxGradNorm: form.maxGradNorm,
    batchSize: form.batchSize, gradAccum: form.gradAccum, epochs: form.epochs, maxSteps: form.maxSteps, pack: form.pack, seed: form.seed,
    evalEvery: form.evalEvery, checkpointEvery: form.checkpointEvery, recompute: false,
  };
}

/**
 * The dataset the Train form should show: the chosen one while it exists, else the only one, else the last edited
 * (latest updatedAt; ties go to the dataset open in the Dataset section, then the newest). null when there is none.
 */
export function pickDataset(datasets: readonly Dataset[], current: string | null, active: string | null = null): string | null {
  if (current && datasets.some((d) => d.id === current)) return current;
  let best: Dataset | null = null;
  for (const d of datasets) {
    const better = !best || d.updatedAt > best.updatedAt || (d.updatedAt === best.updatedAt && (d.id === active || (best.id !== active && d.createdAt > best.createdAt)));
    if (better) best = d;
  }
  return best?.id ?? null;
}
