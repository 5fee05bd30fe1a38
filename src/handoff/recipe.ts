/**
 * The hand-off's data and recipe.json: the run's examples labelled by THE label builder (so the rows are exactly the
 * tensors runTraining trains on), as chat messages (per-turn weights kept) and as pre-tokenized rows, and every setting
 * train.py, train_trl.py and axolotl.yaml read.
 */
import type { ModelConfig } from '../engine/model/config';
import { initLoraA, initLoraB, resolveLoraTargets, serializeLoraConfig, type LoraConfig, type LoraTarget } from '../engine/model/lora';
import type { LabeledExample } from '../data/labels';
import { pairUserText, type ExampleBody } from '../data/types';
import type { StudioTokenizer } from '../text/tokenizer';
import { microBatchOptions, shuffled, type TrainingExample } from '../train/data';
import { padIdOf, planRun, type RunPlan } from '../train/plan';
import { makeLoraConfig, type RunConfig } from '../train/run';

export interface Recipe {
  format: 'webgpu-finetune-studio/handoff@1';
  run_name: string;
  method: 'lora' | 'full';
  base_model: { name: string; load_from: string; architecture: string; model_type: string };
  data: { train_chat: string; train_tokenized: string; validation_chat: string | null; validation_tokenized: string | null; train_examples: number; validation_examples: number; trained_tokens: number; mask_mode: string; train_eos: boolean; template: string | null; system_prompt: string | null };
  lora: { r: number; lora_alpha: number; lora_dropout: number; use_rslora: boolean; target_modules: string[] | string | null; modules: number } | null;
  optimizer: { name: 'adamw'; beta1: number; beta2: number; eps: number; weight_decay: number; max_grad_norm: number; decay_on: string };
  training: { lr: number; schedule: string; warmup_ratio: number; warmup_steps: number; batch_size: number; grad_accum: number; epochs: number; max_steps: number; total_steps: number; steps_per_epoch: number; seed: number; max_length: number; pad_id: number; eval_every: number; packed_in_studio: boolean };
  first_batch: { loss: number; targets: number; examples: number; note: string };
}

export interface PreparedHandoff {
  train: LabeledExample[];
  validation: LabeledExample[];
  plan: RunPlan;
  padId: number;
  /** The first micro-batch of epoch 0 (the examples train.py's step-0 check uses). */
  firstBatch: LabeledExample[];
  loraConfig: LoraConfig | null;
  targets: LoraTarget[];
}

/** Labels the run's examples exactly as runTraining does (throws NothingToTrainError the same way). */
export function prepareHandoff(tokenizer: StudioTokenizer, examples: TrainingExample[], run: RunConfig, model: ModelConfig, baseName: string): PreparedHandoff {
  const { data, plan } = planRun(tokenizer, examples, run);
  const padId = padIdOf(tokenizer);
  // epochBatches shuffles with `shuffled(examples, seed + epoch)` and cuts batchSize at a time (unpacked).
  const firstBatch = shuffled(data.train, microBatchOptions(run, padId, 0).seed).slice(0, run.batchSize);
  const loraConfig = run.lora ? makeLoraConfig(model, run.lora, baseName) : null;
  return { train: data.train, validation: data.validation, plan, padId, firstBatch, loraConfig, targets: loraConfig ? resolveLoraTargets(model, loraConfig) : [] };
}

/** One labelled example as a pre-tokenized row (no padding). */
export function tokenizedRow(e: LabeledExample): { input_ids: number[]; attention_mask: number[]; labels: number[] } {
  return { input_ids: Array.from(e.inputIds), attention_mask: e.inputIds.map(() => 1) as number[], labels: Array.from(e.labels) };
}

/** An example as chat messages (per-turn weights and reasoning kept), or {text} for plain documents. */
export function chatRow(body: ExampleBody, systemPrompt?: string): Record<string, unknown> {
  if (body.kind === 'text') return { text: body.text };
  if (body.kind === 'pair') {
    const system = body.system ?? systemPrompt ?? '';
    return { messages: [...(system ? [{ role: 'system', content: system }] : []), { role: 'user', content: pairUserText(body) }, { role: 'assistant', content: body.output }] };
  }
  const messages = body.messages.map((m) => ({ role: m.role, content: m.content, ...(m.reasoning !== undefined ? { reasoning_content: m.reasoning } : {}), ...(m.role === 'assistant' && m.weight !== undefined ? { weight: m.weight } : {}) }));
  const sys = systemPrompt && !body.messages.some((m) => m.role === 'system') ? [{ role: 'system', content: systemPrompt }] : [];
  return { messages: [...sys, ...messages] };
}

export const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');

/** The initial LoRA values runTraining starts from (PEFT init, seeded per module). */
export function initialLora(p: PreparedHandoff, seed: number): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  for (const t of p.targets) {
    values.set(t.keyA, initLoraA(t, seed));
    values.set(t.keyB, initLoraB(t, seed));
  }
  return values;
}

export function buildRecipe(o: { runName: string; baseName: string; loadFrom: string; model: ModelConfig; run: RunConfig; prepared: PreparedHandoff; firstBatch: { loss: number; targets: number }; validation: boolean }): Recipe {
  const { run, prepared: p, model } = o;
  const l = p.loraConfig;
  return {
    format: 'webgpu-finetune-studio/handoff@1',
    run_name: o.runName,
    method: run.lora ? 'lora' : 'full',
    base_model: { name: o.baseName, load_from: o.loadFrom, architecture: model.architecture, model_type: model.modelType },
    data: {
      train_chat: 'data/train.jsonl', train_tokenized: 'data/train.tokenized.jsonl',
      validation_chat: o.validation ? 'data/validation.jsonl' : null, validation_tokenized: o.validation ? 'data/validation.tokenized.jsonl' : null,
      train_examples: p.plan.trainExamples, validation_examples: p.plan.validationExamples, trained_tokens: p.plan.trainedTokens,
      mask_mode: run.label.mode, train_eos: run.label.trainEos, template: run.label.template ?? null, system_prompt: run.label.systemPrompt ?? null,
    },
    lora: l ? { r: l.r, lora_alpha: l.loraAlpha, lora_dropout: l.loraDropout, use_rslora: l.useRslora, target_modules: serializeLoraConfig(l).target_modules as string[] | string | null, modules: p.targets.length } : null,
    optimizer: { name: 'adamw', beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: run.weightDecay, max_grad_norm: run.maxGradNorm, decay_on: run.lora ? 'every LoRA matrix' : 'weight matrices (not norms or biases)' },
    training: {
      lr: run.lr, schedule: run.schedule, warmup_ratio: run.warmupRatio, warmup_steps: Math.round(run.warmupRatio * p.plan.totalSteps), batch_size: run.batchSize, grad_accum: run.gradAccum,
      epochs: run.epochs, max_steps: run.maxSteps, total_steps: p.plan.totalSteps, steps_per_epoch: p.plan.stepsPerEpoch, seed: run.seed, max_length: run.label.maxLength,
      pad_id: p.padId, eval_every: run.evalEvery, packed_in_studio: run.pack,
    },
    first_batch: { loss: o.firstBatch.loss, targets: o.firstBatch.targets, examples: p.firstBatch.length, note: 'mean cross-entropy over the trained targets of epoch 0\'s first micro-batch under the initial weights (LoRA B = 0: the base model), no dropout' },
  };
}
