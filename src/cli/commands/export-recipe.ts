/**
 * `export-recipe`: the cluster hand-off of a run, from the same flags as `train` — the data labelled by the studio's
 * label builder (chat + pre-tokenized), train.py / train_trl.py / axolotl.yaml / accelerate configs, the initial LoRA,
 * recipe.json and a README with the first-batch loss computed here on the GPU (train.py prints its own at step 0).
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { optionalString, parseArgs, requireString, type ParsedArgs } from '../args.ts';
import { checkFlags, intFlag, loadDirTokenizer, positiveFlag, rangeFlag, resolveTemplate, switchFlag } from '../common.ts';
import { FORMAT_IDS, parseDatasetStream, type FormatId } from '../../data/formats/index.ts';
import type { MaskMode } from '../../data/types.ts';
import { acquireNodeGpu } from '../../node/gpu.ts';
import { openModelDir } from '../../node/modelDir.ts';
import { DirSink } from '../../node/exportDir.ts';
import { loadModelWeights } from '../../engine/loadModel.ts';
import { formatSize, runExport, type PlannedFile } from '../../engine/export/sink.ts';
import { shuffled, type TrainingExample } from '../../train/data.ts';
import { NothingToTrainError } from '../../train/plan.ts';
import { DEFAULT_RUN, type RunConfig } from '../../train/run.ts';
import type { ScheduleKind } from '../../engine/train/schedule.ts';
import { prepareHandoff } from '../../handoff/recipe.ts';
import { firstBatchLoss } from '../../handoff/firstBatch.ts';
import { handoffFiles } from '../../handoff/handoff.ts';

export const summary = 'write a GPU-cluster hand-off of a run: data, train.py, TRL/Axolotl/accelerate configs (--model --data --out)';

const HELP = `Usage: npm run cli -- export-recipe --model DIR --data FILE --out DIR [train's options]
Writes what a GPU cluster needs to run the same fine-tune: data/train.jsonl (chat, per-turn weights kept),
data/train.tokenized.jsonl (input_ids, attention_mask, labels: the studio's exact labels), train.py (transformers +
PEFT + accelerate: one GPU, DDP, FSDP, DeepSpeed), train_trl.py, axolotl.yaml, accelerate/*.yaml, init_adapter/,
recipe.json and README.md with the first-batch loss the engine computes here (train.py prints its own at step 0).
  --model DIR --data FILE --out DIR   as for train (--out: a new or empty folder)
  --base-id ID           how train.py should load the base model (a hub id); default: the model folder's path
  --include-base         copy the base model into base_model/ (for models that are not on the hub)
  --format --mode --template --system --max-length --overlong --no-train-eos --eval-split --eval-every
  --r --alpha --dropout --targets --rslora --full --lr --schedule --warmup-ratio --weight-decay --max-grad-norm
  --batch --grad-accum --epochs --max-steps --pack --seed
                         the run's settings, with train's defaults (npm run cli -- train --help)`;

const KNOWN = [
  'help', 'model', 'data', 'out', 'base-id', 'include-base', 'format', 'mode', 'template', 'system', 'max-length', 'overlong', 'no-train-eos',
  'eval-split', 'eval-every', 'r', 'alpha', 'dropout', 'targets', 'rslora', 'full', 'lr', 'schedule', 'warmup-ratio', 'weight-decay',
  'max-grad-norm', 'batch', 'grad-accum', 'epochs', 'max-steps', 'pack', 'seed',
];
const MODES: MaskMode[] = ['assistant-only', 'completion-only', 'full', 'last-turn', 'per-turn-weights'];
const D = DEFAULT_RUN, DL = D.lora!;

function oneOf<T extends string>(p: ParsedArgs, name: string, allowed: readonly T[], fallback: T): T {
  const v = optionalString(p, name) ?? fallback;
  if (!allowed.includes(v as T)) throw new Error(`--${name} must be one of ${allowed.join(', ')}, got "${v}"`);
  return v as T;
}

/** The same settings `train` reads from the same flags. */
function runConfig(p: ParsedArgs): RunConfig {
  const full = switchFlag(p, 'full');
  const targets = optionalString(p, 'targets');
  const preset = targets?.toLowerCase();
  const targetModules = targets === undefined ? DL.targetModules : preset === 'all-linear' || preset === 'attention' ? preset : targets.split(',').map((s) => s.trim()).filter(Boolean);
  const system = optionalString(p, 'system');
  const overlong = oneOf(p, 'overlong', ['truncate', 'skip'] as const, 'truncate');
  return {
    label: {
      mode: oneOf(p, 'mode', MODES, 'assistant-only'), trainEos: !switchFlag(p, 'no-train-eos'), template: resolveTemplate(optionalString(p, 'template')),
      ...(system !== undefined ? { systemPrompt: system } : {}), maxLength: intFlag(p, 'max-length', 256, 2), ...(overlong === 'skip' ? { overlong } : {}),
    },
    lora: full ? null : { r: intFlag(p, 'r', DL.r, 1), alpha: positiveFlag(p, 'alpha', DL.alpha), dropout: rangeFlag(p, 'dropout', DL.dropout, 0, 1, true), targetModules, useRslora: switchFlag(p, 'rslora') },
    lr: positiveFlag(p, 'lr', D.lr), schedule: oneOf<ScheduleKind>(p, 'schedule', ['constant', 'linear', 'cosine'], D.schedule),
    warmupRatio: rangeFlag(p, 'warmup-ratio', D.warmupRatio, 0, 1), weightDecay: rangeFlag(p, 'weight-decay', D.weightDecay, 0),
    maxGradNorm: rangeFlag(p, 'max-grad-norm', D.maxGradNorm, 0), batchSize: intFlag(p, 'batch', D.batchSize, 1), gradAccum: intFlag(p, 'grad-accum', D.gradAccum, 1),
    epochs: intFlag(p, 'epochs', D.epochs, 1), maxSteps: intFlag(p, 'max-steps', 0, 0), pack: switchFlag(p, 'pack'), seed: intFlag(p, 'seed', D.seed, 0),
    evalEvery: intFlag(p, 'eval-every', 0, 0), checkpointEvery: 0, recompute: false,
  };
}

async function readExamples(path: string, format: FormatId | undefined, evalSplit: number, seed: number): Promise<TrainingExample[]> {
  if (!existsSync(path)) throw new Error(`dataset not found: ${path}`);
  const examples: TrainingExample[] = [];
  for await (const batch of parseDatasetStream(createReadStream(path), { filename: path, format })) {
    for (const e of batch.errors) console.error(`line ${e.line}: ${e.reason}`);
    for (const row of batch.rows) examples.push({ body: row.body, ...(row.split ? { split: row.split } : {}) });
  }
  if (examples.length === 0) throw new Error(`${path} has no usable rows`);
  // As train does: no split in the data → hold out a seeded fraction.
  if (evalSplit > 0 && !examples.some((e) => e.split === 'validation')) {
    const n = Math.min(examples.length - 1, Math.round(examples.length * evalSplit));
    for (const i of shuffled([...examples.keys()], seed).slice(0, n)) examples[i] = { ...examples[i], split: 'validation' };
  }
  return examples;
}

/** A file copied as it streams (never read whole into memory). */
function fileCopy(name: string, path: string): PlannedFile {
  return {
    name,
    size: statSync(path).size,
    async *bytes() {
      for await (const chunk of createReadStream(path)) yield chunk as Uint8Array;
    },
  };
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args);
  if (p.flags.has('help')) {
    console.log(HELP);
    return 0;
  }
  checkFlags(p, KNOWN, 'export-recipe');
  const modelPath = requireString(p, 'model'), dataPath = requireString(p, 'data'), out = requireString(p, 'out');
  const cfg = runConfig(p);
  const format = optionalString(p, 'format') as FormatId | undefined;
  if (format !== undefined && !FORMAT_IDS.includes(format)) throw new Error(`--format must be one of ${FORMAT_IDS.join(', ')}`);
  const model = await openModelDir(modelPath);
  cfg.label.maxLength = Math.min(cfg.label.maxLength, model.config.maxTrainLength);
  const nameOr = typeof model.configJson._name_or_path === 'string' && model.configJson._name_or_path ? model.configJson._name_or_path : basename(resolve(modelPath));
  const includeBase = switchFlag(p, 'include-base');
  const loadFrom = optionalString(p, 'base-id') ?? (includeBase ? 'base_model' : resolve(modelPath));
  const tokenizer = await loadDirTokenizer(modelPath);
  const examples = await readExamples(dataPath, format, rangeFlag(p, 'eval-split', 0.1, 0, 1, true), cfg.seed);
  let prepared;
  try {
    prepared = prepareHandoff(tokenizer, examples, cfg, model.config, nameOr);
  } catch (e) {
    if (!(e instanceof NothingToTrainError)) throw e;
    console.error(`error: ${e.message}`);
    return 1;
  }
  const gpu = await acquireNodeGpu({ onNotice: (m) => console.error(m) });
  const { weights } = await loadModelWeights(gpu, model.config, { source: model.source });
  const first = await firstBatchLoss(gpu, model.config, weights, prepared.firstBatch);
  const baseFiles = includeBase
    ? readdirSync(modelPath).filter((f) => statSync(join(modelPath, f)).isFile() && !f.startsWith('.')).map((f) => fileCopy(f, join(modelPath, f)))
    : undefined;
  const { files } = handoffFiles({ runName: basename(resolve(out)), baseName: nameOr, loadFrom, model: model.config, run: cfg, examples, prepared, firstBatch: first, baseModelFiles: baseFiles });
  const sink = new DirSink(out);
  sink.checkSpace(files.reduce((a, f) => a + f.size, 0));
  await runExport(sink, files);
  console.log(`${prepared.plan.trainExamples} training / ${prepared.plan.validationExamples} validation examples, ${prepared.plan.totalSteps} steps`);
  console.log(`first-batch loss ${first.loss.toFixed(6)} (${first.targets} targets): train.py prints its own at step 0`);
  console.log(`hand-off written to ${out} (${formatSize(files.reduce((a, f) => a + f.size, 0))}): see ${out}/README.md`);
  return 0;
}
