/**
 * "Take this run to a GPU cluster": one folder with the data exactly as the studio trains on it (chat messages with
 * per-turn weights, and the pre-tokenized input_ids / attention_mask / labels), train.py (transformers + PEFT +
 * accelerate; DDP, FSDP and DeepSpeed configs beside it), train_trl.py, axolotl.yaml, the studio's initial LoRA,
 * recipe.json and a README with the launch commands and the first-batch loss train.py checks at step 0.
 */
import { writeAdapter } from '../engine/adapter/peft';
import type { ModelConfig } from '../engine/model/config';
import { bytesFile, textFile, type PlannedFile } from '../engine/export/sink';
import type { TrainingExample } from '../train/data';
import type { RunConfig } from '../train/run';
import { accelerateConfigs, axolotlConfig } from './configs';
import { STUDIO_DATA_PY } from './pyData';
import { TRAIN_PY } from './pyTrain';
import { TRAIN_TRL_PY } from './pyTrl';
import { buildRecipe, chatRow, initialLora, jsonl, tokenizedRow, type PreparedHandoff, type Recipe } from './recipe';
import { handoffReadme } from './readme';

export interface HandoffInput {
  runName: string;
  /** The base model's name and how train.py loads it (a hub id, or a folder path such as base_model). */
  baseName: string;
  loadFrom: string;
  model: ModelConfig;
  run: RunConfig;
  examples: TrainingExample[];
  prepared: PreparedHandoff;
  firstBatch: { loss: number; targets: number };
  /** The base model as an HF folder to ship under base_model/ (built-in or local models), if any. */
  baseModelFiles?: PlannedFile[];
}

export const REQUIREMENTS = `torch>=2.4
transformers>=4.56
peft>=0.15
accelerate>=1.0
# train_trl.py
trl>=0.20
datasets
# only for accelerate/deepspeed_zero*.yaml
# deepspeed
`;

export function handoffFiles(i: HandoffInput): { files: PlannedFile[]; recipe: Recipe } {
  const p = i.prepared;
  const skipped = new Set(p.plan.skipped.map((s) => s.index));
  const kept = i.examples.map((ex, index) => ({ ex, index })).filter(({ index }) => !skipped.has(index));
  const chat = (split: 'train' | 'validation') => kept.filter(({ ex }) => (ex.split === 'validation' ? 'validation' : 'train') === split).map(({ ex }) => chatRow(ex.body, i.run.label.systemPrompt));
  const hasVal = p.validation.length > 0;
  const recipe = buildRecipe({ runName: i.runName, baseName: i.baseName, loadFrom: i.loadFrom, model: i.model, run: i.run, prepared: p, firstBatch: i.firstBatch, validation: hasVal });
  const files: PlannedFile[] = [
    textFile('README.md', handoffReadme(recipe, !!i.baseModelFiles)),
    textFile('recipe.json', JSON.stringify(recipe, null, 2) + '\n'),
    textFile('requirements.txt', REQUIREMENTS),
    textFile('data/train.jsonl', jsonl(chat('train'))),
    textFile('data/train.tokenized.jsonl', jsonl(p.train.map(tokenizedRow))),
    ...(hasVal ? [textFile('data/validation.jsonl', jsonl(chat('validation'))), textFile('data/validation.tokenized.jsonl', jsonl(p.validation.map(tokenizedRow)))] : []),
    textFile('studio_data.py', STUDIO_DATA_PY),
    textFile('train.py', TRAIN_PY),
    textFile('train_trl.py', TRAIN_TRL_PY),
    textFile('axolotl.yaml', axolotlConfig(recipe)),
    ...accelerateConfigs(i.model, recipe).map((c) => textFile(c.name, c.text)),
  ];
  if (p.loraConfig) {
    const a = writeAdapter({ ...p.loraConfig, inferenceMode: false }, p.targets, initialLora(p, i.run.seed));
    files.push(textFile('init_adapter/adapter_config.json', a.config), bytesFile('init_adapter/adapter_model.safetensors', a.weights));
  }
  for (const f of i.baseModelFiles ?? []) files.push({ ...f, name: `base_model/${f.name}` });
  return { files, recipe };
}
