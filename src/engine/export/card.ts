/** The README.md model card of an export: what it is, how it was made, the files, and how to load it. */
import type { ExportInput } from './plan';

export function modelCard(i: ExportInput & { files: string[]; storedAs: string }): string {
  const what = i.lora ? `${i.baseName} with a LoRA adapter merged into its weights (W + s·B·A, computed in f32)` : i.full ? `${i.baseName} fine-tuned in full (every weight trained)` : i.baseName;
  const l = i.lora?.config;
  const facts: [string, string][] = [
    ['base model', i.baseName],
    ['architecture', `${i.config.architecture} (${i.config.nLayers} layers, hidden ${i.config.hidden})`],
    ...(l ? [['LoRA', `r = ${l.r}, lora_alpha = ${l.loraAlpha}${l.useRslora ? ' (rsLoRA)' : ''}, ${i.lora!.targets.length} modules`] as [string, string]] : []),
    ['stored as', i.storedAs],
    ...(i.runFacts ?? []),
  ];
  const front = ['---', `base_model: ${JSON.stringify(i.baseName)}`, i.format === 'hf' ? 'library_name: transformers' : 'library_name: gguf', 'tags:', '- webgpu-finetune-studio', ...(i.lora ? ['- lora', '- merged'] : []), '---', ''];
  const use =
    i.format === 'hf'
      ? ['```python', 'from transformers import AutoModelForCausalLM, AutoTokenizer', '', 'model = AutoModelForCausalLM.from_pretrained("path/to/this/folder")', 'tokenizer = AutoTokenizer.from_pretrained("path/to/this/folder")', '```']
      : ['```sh', `llama-cli -m ${i.files.find((f) => f.endsWith('.gguf') && !f.startsWith('adapter')) ?? 'model.gguf'}${i.format === 'gguf-adapter' ? ' --lora adapter.gguf' : ''} -p "Hello"`, 'ollama create my-model -f Modelfile', '```'];
  return [
    ...front,
    `# ${i.name}`,
    '',
    `Exported from the WebGPU Fine-Tuning Studio: ${what}.`,
    '',
    '| | |',
    '| --- | --- |',
    ...facts.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, '\\|')} |`),
    '',
    '## Files',
    '',
    ...i.files.map((f) => `- \`${f}\``),
    '',
    '## Use',
    '',
    ...use,
    '',
  ].join('\n');
}
