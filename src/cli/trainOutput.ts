/**
 * What `train` writes: a PEFT adapter directory (adapter_config.json + adapter_model.safetensors, loadable with
 * PeftModel.from_pretrained) or, for full-parameter training, a complete model directory (config.json +
 * model.safetensors + the tokenizer files), each with a README.md recording the run's settings and final losses.
 * The folder is written whole beside the old one and swapped in (src/node/outputDir.ts): never half old, half new. The
 * training checkpoint (OUT/checkpoint) is carried over into the new folder.
 */
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADAPTER_CONFIG, ADAPTER_WEIGHTS, writeAdapter } from '../engine/adapter/peft';
import { serializeSafetensors } from '../engine/io/safetensors';
import type { ModelConfig } from '../engine/model/config';
import { expectedTensors } from '../engine/model/tensors';
import type { RunConfig, RunResult } from '../train/run';
import { OUTPUT_MARKER, replaceOutputDir } from '../node/outputDir';
import { CHECKPOINT_DIR } from './checkpoint';

export interface RunSummary {
  modelDir: string;
  dataPath: string;
  run: RunConfig;
  result: RunResult;
  totalSteps: number;
  trainExamples: number;
  validationExamples: number;
  /** Loss of the last step, and the mean over the last ≤10 steps. */
  lastLoss: number | null;
  recentLoss: number | null;
  seconds: number;
}

/** Files a model directory may carry besides the weights, copied into a full-model output. */
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json', 'vocab.json', 'merges.txt', 'tokenizer.model'];

export function writeAdapterOutput(outDir: string, s: RunSummary): void {
  const { result } = s;
  if (!result.loraConfig) throw new Error('internal: no LoRA config for an adapter output');
  const files = writeAdapter(result.loraConfig, result.targets, result.values);
  replaceOutputDir(outDir, (tmp) => {
    writeFileSync(join(tmp, ADAPTER_WEIGHTS), files.weights);
    writeFileSync(join(tmp, ADAPTER_CONFIG), files.config);
    writeFileSync(join(tmp, 'README.md'), readme(s, 'adapter'));
  }, [CHECKPOINT_DIR]);
}

export function writeFullModelOutput(outDir: string, s: RunSummary, config: ModelConfig, configJson: Record<string, unknown>): void {
  const tensors = expectedTensors(config).map((spec) => {
    const data = s.result.values.get(spec.name);
    if (!data) throw new Error(`internal: full-parameter training returned no values for ${spec.name}`);
    return { name: spec.name, dtype: 'F32' as const, shape: spec.shape, data };
  });
  replaceOutputDir(outDir, (tmp) => {
    writeFileSync(join(tmp, 'model.safetensors'), serializeSafetensors(tensors, { format: 'pt' }));
    writeFileSync(join(tmp, 'config.json'), JSON.stringify({ ...configJson, torch_dtype: 'float32' }, null, 2) + '\n');
    for (const f of TOKENIZER_FILES) if (existsSync(join(s.modelDir, f))) copyFileSync(join(s.modelDir, f), join(tmp, f));
    writeFileSync(join(tmp, 'README.md'), readme(s, 'full'));
  }, [CHECKPOINT_DIR]);
}

const fmt = (x: number | null) => (x === null ? '—' : x.toFixed(4));

function readme(s: RunSummary, kind: 'adapter' | 'full'): string {
  const { run, result } = s;
  const lora = run.lora;
  const rows: [string, string][] = [
    ['base model', s.modelDir],
    ['data', `${s.dataPath} (${s.trainExamples} train, ${s.validationExamples} validation examples)`],
    ['mask mode', `${run.label.mode}${run.label.trainEos ? '' : ', end-of-turn not trained'}`],
    ['max length', String(run.label.maxLength)],
    ['method', lora ? `LoRA r=${lora.r} alpha=${lora.alpha} dropout=${lora.dropout}${lora.useRslora ? ' (rsLoRA)' : ''}, targets ${Array.isArray(lora.targetModules) ? lora.targetModules.join(', ') : lora.targetModules}` : 'full-parameter'],
    ['optimizer', `AdamW lr=${run.lr} (${run.schedule}, warmup ratio ${run.warmupRatio}), weight decay ${run.weightDecay}, max grad norm ${run.maxGradNorm}`],
    ['batch', `${run.batchSize} × grad accum ${run.gradAccum}${run.pack ? ', packed' : ''}`],
    ['steps', `${result.steps} of ${s.totalSteps} (${result.reason}), epochs ${run.epochs}${run.maxSteps ? `, max steps ${run.maxSteps}` : ''}`],
    ['seed', String(run.seed)],
    ['final train loss', `${fmt(s.lastLoss)} (mean of the last steps: ${fmt(s.recentLoss)})`],
    ['final eval loss', fmt(result.finalEvalLoss)],
    ['time', `${s.seconds.toFixed(1)} s`],
  ];
  const load =
    kind === 'adapter'
      ? 'from peft import PeftModel\nfrom transformers import AutoModelForCausalLM\n\n' +
        `base = AutoModelForCausalLM.from_pretrained("<base model>")\nmodel = PeftModel.from_pretrained(base, "<this folder>")`
      : 'from transformers import AutoModelForCausalLM\n\nmodel = AutoModelForCausalLM.from_pretrained("<this folder>")';
  return [
    `# ${kind === 'adapter' ? 'LoRA adapter' : 'Fine-tuned model'}`,
    '',
    `${OUTPUT_MARKER} (\`npm run cli -- train\`).`,
    '',
    '| setting | value |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, '\\|')} |`),
    '',
    '```python',
    load,
    '```',
    '',
  ].join('\n');
}
