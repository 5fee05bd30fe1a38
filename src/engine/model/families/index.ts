/**
 * The registry of model families. Adding a family = one spec file beside this one + a line here (+ any kernel it
 * truly lacks). Everything else — config parsing, tensor names, LoRA targets, the graph, the float64 reference, the
 * UI — reads the spec's names and the features its `parse` returns.
 */
import type { FamilySpec } from '../config.ts';
import { gemma3 } from './gemma3.ts';
import { gpt2 } from './gpt2.ts';
import { llama } from './llama.ts';
import { mistral } from './mistral.ts';
import { olmo2 } from './olmo2.ts';
import { phi3 } from './phi3.ts';
import { qwen2 } from './qwen2.ts';
import { qwen3 } from './qwen3.ts';
import { smollm3 } from './smollm3.ts';

export const FAMILIES: readonly FamilySpec[] = [llama, mistral, qwen2, qwen3, gemma3, phi3, olmo2, smollm3, gpt2];

export function familyFor(modelType: string): FamilySpec | undefined {
  return FAMILIES.find((f) => f.modelType === modelType);
}
