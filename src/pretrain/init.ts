/**
 * Seeded initialisation the way HF's LlamaPreTrainedModel._init_weights does it: every Linear and the embedding
 * normal(0, initializer_range), RMSNorm weights 1. Each tensor draws from its own stream (seed, name), so adding a
 * tensor never changes the others. Normals by Box–Muller over mulberry32 (no Math.random anywhere).
 */
import type { ModelConfig } from '../engine/model/config';
import { expectedTensors } from '../engine/model/tensors';
import { hashSeed, mulberry32 } from '../engine/model/random';

export function normalArray(n: number, std: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - rand(); // (0, 1]: log is finite
    const u2 = rand();
    const r = Math.sqrt(-2 * Math.log(u1)) * std;
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

export function isNormWeight(name: string): boolean {
  return /norm\.weight$/.test(name);
}

/** Logical HF name → initial values, for every tensor the config expects. */
export function initWeights(config: ModelConfig, seed: number, std = 0.02): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const spec of expectedTensors(config)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (isNormWeight(spec.name)) out.set(spec.name, new Float32Array(n).fill(1));
    else if (spec.name.endsWith('.bias')) out.set(spec.name, new Float32Array(n));
    else out.set(spec.name, normalArray(n, std, hashSeed(seed, spec.name)));
  }
  return out;
}

export function parameterCount(config: ModelConfig): number {
  return expectedTensors(config).reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
}
