/** The README.md that travels with an exported adapter: what it is and how to load it with PEFT. */
import type { HeldAdapter } from './session';

export function adapterReadme(a: HeldAdapter, baseModel: string): string {
  const c = a.config;
  const targets = Array.isArray(c.targetModules) ? c.targetModules.join(', ') : String(c.targetModules);
  return `# LoRA adapter for ${baseModel}

Trained in the WebGPU Fine-Tuning Studio, in the browser.

- rank r = ${c.r}, lora_alpha = ${c.loraAlpha}${c.useRslora ? ' (rsLoRA: scale = alpha/sqrt(r))' : ''}, dropout = ${c.loraDropout}
- target modules: ${targets} (${a.targets.length} modules)

## Use with PEFT

\`\`\`python
from transformers import AutoModelForCausalLM, AutoTokenizer
from peft import PeftModel

base = AutoModelForCausalLM.from_pretrained("${baseModel}")
model = PeftModel.from_pretrained(base, "path/to/this/folder")
tokenizer = AutoTokenizer.from_pretrained("${baseModel}")
\`\`\`
`;
}
