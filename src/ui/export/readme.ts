/** README.md for an adapter imported from disk (trained runs get theirs from the Worker). */
import { peftSnippet } from './snippet';

export function adapterReadmeFor(configText: string, loadedModel: string): string {
  let cfg: Record<string, unknown> = {};
  try {
    cfg = JSON.parse(configText) as Record<string, unknown>;
  } catch {
    /* the Worker reports a bad config; the README just says less */
  }
  const base = typeof cfg.base_model_name_or_path === 'string' && cfg.base_model_name_or_path ? cfg.base_model_name_or_path : loadedModel;
  const targets = Array.isArray(cfg.target_modules) ? cfg.target_modules.join(', ') : String(cfg.target_modules ?? '');
  return `# LoRA adapter for ${base}

Imported into the WebGPU Fine-Tuning Studio.

- rank r = ${String(cfg.r ?? '?')}, lora_alpha = ${String(cfg.lora_alpha ?? '?')}${cfg.use_rslora ? ' (rsLoRA)' : ''}
- target modules: ${targets}

## Use with PEFT

\`\`\`python
${peftSnippet(base, 'path/to/this/folder')}\`\`\`
`;
}
