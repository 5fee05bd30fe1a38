/**
 * A run's GPU memory plan: its settings as a MemoryRequest for the engine's planner (src/engine/transformer/memory.ts,
 * the one owner of the arithmetic). The Train page, `cli train` and runTraining all go through runMemoryRequest, so
 * they plan the same buffers; runTraining refuses a run whose plan does not fit before allocating anything.
 */
import type { ModelConfig } from '../engine/model/config';
import { resolveLoraTargets, type LoraTarget } from '../engine/model/lora';
import type { WeightFormat } from '../engine/transformer/format';
import {
  describeMemory, memoryRefusal, memorySuggestions, planMemory, type MemoryLimits, type MemoryPlan, type MemoryRequest, type MemorySuggestion,
} from '../engine/transformer/memory';
import { makeLoraConfig } from './lora';
import type { RunConfig } from './run';

export type RunMemorySettings = Pick<RunConfig, 'batchSize' | 'lora' | 'recompute'> & { label: { maxLength: number } };

/** The model runTraining builds for `run` (its LoRA targets already resolved). */
export function runMemoryRequest(run: RunMemorySettings, targets: readonly LoraTarget[], weightFormat: WeightFormat): MemoryRequest {
  return { B: run.batchSize, T: run.label.maxLength, lora: run.lora ? targets : null, fullParams: !run.lora, recompute: run.recompute, weightFormat };
}

export interface RunMemory {
  plan: MemoryPlan;
  /** What would fit (when refused) or stay under the budget (when warned); empty otherwise. */
  suggestions: MemorySuggestion[];
  /** Why the run cannot start, or null. */
  refusal: string | null;
  /** describeMemory's line. */
  summary: string;
}

/** Plans `run` on this device. Throws what resolving the LoRA targets throws (bad target modules). */
export function planRunMemory(cfg: ModelConfig, run: RunMemorySettings, limits: MemoryLimits, weightFormat: WeightFormat): RunMemory {
  const targets = run.lora ? resolveLoraTargets(cfg, makeLoraConfig(cfg, run.lora)) : [];
  const req = runMemoryRequest(run, targets, weightFormat);
  const plan = planMemory(cfg, req, limits);
  const suggestions = memorySuggestions(cfg, req, limits);
  return { plan, suggestions, refusal: memoryRefusal(plan, suggestions), summary: describeMemory(plan) };
}
