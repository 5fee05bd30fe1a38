/**
 * Continuing training from an adapter trained elsewhere (or exported earlier): the adapter's LoRA settings as a run's
 * LoRA settings, and its values as the starting point runTraining resumes from (step 0, fresh AdamW moments, the
 * schedule from its start) — through the same `resume` path as a checkpoint, so nothing else changes. A merged model
 * needs no helper: it loads as a base model like any other folder.
 */
import type { LoraConfig, LoraTarget } from '../engine/model/lora';
import type { LoraSettings, RunCheckpoint } from './run';

/** The run settings that give exactly this adapter's modules and ranks; throws naming what cannot be expressed. */
export function loraSettingsOf(c: LoraConfig): LoraSettings {
  if (Object.keys(c.rankPattern).length || Object.keys(c.alphaPattern).length) throw new Error('This adapter sets rank_pattern / alpha_pattern, which a studio run cannot continue (one r and alpha for every module).');
  if (c.excludeModules !== null || c.layersToTransform !== null) throw new Error('This adapter limits its layers (exclude_modules / layers_to_transform), which a studio run cannot continue.');
  const t = c.targetModules;
  if (t === null || (typeof t === 'string' && t.toLowerCase() !== 'all-linear')) throw new Error(`This adapter's target_modules (${JSON.stringify(t)}) is not a list or "all-linear"; a studio run cannot continue it.`);
  return { r: c.r, alpha: c.loraAlpha, dropout: c.loraDropout, targetModules: Array.isArray(t) ? [...t] : 'all-linear', useRslora: c.useRslora };
}

/** A checkpoint at step 0 holding the adapter's values with zero moments: pass it as runTraining's `resume`. */
export function continueFromAdapter(targets: readonly LoraTarget[], values: ReadonlyMap<string, Float32Array>): RunCheckpoint {
  const tensors = targets.flatMap((t) =>
    [t.keyA, t.keyB].map((name) => {
      const param = values.get(name);
      if (!param) throw new Error(`the adapter has no values for ${name}`);
      return { name, param: param.slice(), m: new Float32Array(param.length), v: new Float32Array(param.length) };
    }),
  );
  return { snapshot: { step: 0, tensors }, epoch: 0, cursor: 0 };
}
