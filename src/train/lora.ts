/** A run's LoRA settings as a PEFT config (pure: the Train page's memory plan resolves targets with it too). */
import type { ModelConfig } from '../engine/model/config';
import { defaultLoraConfig, type LoraConfig } from '../engine/model/lora';
import type { LoraSettings } from './run';

/** The PEFT config a run's LoRA settings give on this model (presets resolved through the family spec). */
export function makeLoraConfig(cfg: ModelConfig, s: LoraSettings, baseModel?: string): LoraConfig {
  return defaultLoraConfig(cfg, {
    r: s.r, loraAlpha: s.alpha, loraDropout: s.dropout, useRslora: s.useRslora,
    targetModules: s.targetModules === 'attention' ? [...cfg.attentionTargets] : s.targetModules, baseModelNameOrPath: baseModel ?? null,
  });
}
