/**
 * `train`: fine-tune a local model on a dataset file and write a PEFT LoRA adapter (or, with --full, the whole model).
 * The run itself is runTraining, the same orchestrator the browser Worker uses. Bad dataset rows and examples that
 * cannot be labelled go to stderr with their line; steps, evals and checkpoints go to stdout. Ctrl+C stops after the
 * current step and still writes the output.
 */
import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { resolve } from 'node:path';
import { optionalString, parseArgs, requireString, type ParsedArgs } from '../args.ts';
import { checkFlags, intFlag, loadDirTokenizer, positiveFlag, rangeFlag, resolveTemplate, seedFlag, specialTokensFlag, switchFlag } from '../common.ts';
import { Progress } from '../progress.ts';
import { checkpointPath, readCheckpoint, writeCheckpoint, type CheckpointIdentity } from '../checkpoint.ts';
import { writeAdapterOutput, writeFullModelOutput } from '../trainOutput.ts';
import { FORMAT_IDS, type FormatId } from '../../data/formats/index.ts';
import type { MaskMode } from '../../data/types.ts';
import { TEMPLATE_PRESETS } from '../../data/templates.ts';
import { acquireNodeGpu } from '../../node/gpu.ts';
import { openModelDir, readAdapterDir } from '../../node/modelDir.ts';
import { continueFromAdapter, loraSettingsOf } from '../../train/continueFrom.ts';
import { checkOutputDir } from '../../node/outputDir.ts';
import { checkDataFile } from '../dataset.ts';
import { readDataset, reportPlan } from '../trainData.ts';
import { checkRank, evalProgress } from '../trainChecks.ts';
import { onInterrupt } from '../signals.ts';
import { loadModelWeights } from '../../engine/loadModel.ts';
import { resolveWeightFormat } from '../../engine/transformer/weights.ts';
import { formatMemory } from '../../engine/transformer/memory.ts';
import { planRunMemory } from '../../train/memory.ts';
import { resolveLoraTargets } from '../../engine/model/lora.ts';
import type { ScheduleKind } from '../../engine/train/schedule.ts';
import { OVERLONG_ACTIONS } from '../../train/data.ts';
import { NothingToTrainError, planRun } from '../../train/plan.ts';
import { DEFAULT_RUN, makeLoraConfig, runTraining, type LoraSettings, type RunConfig, type RunPlan } from '../../train/run.ts';

export const summary = 'fine-tune a LoRA adapter (or the full model) on a dataset file (--model --data --out)';

const MODES: MaskMode[] = ['assistant-only', 'completion-only', 'full', 'last-turn', 'per-turn-weights'];
const SCHEDULES: ScheduleKind[] = ['constant', 'linear', 'cosine'];
const D = DEFAULT_RUN;
const DL = D.lora!;

const HELP = `Usage: npm run cli -- train --model DIR --data FILE --out DIR [options]
  --model DIR            config.json + *.safetensors + tokenizer.json + tokenizer_config.json
  --data FILE            dataset in any supported format (Alpaca, ShareGPT, OpenAI, TRL, Dolly, text; JSON/JSONL/CSV)
  --out DIR              where the PEFT adapter (adapter_config.json, adapter_model.safetensors, README.md) goes
 Data and labels:
  --format ID            force the dataset format (${FORMAT_IDS.join(', ')})
  --mode MODE            ${MODES.join(' | ')} (default assistant-only)
  --template NAME|FILE   a preset (${TEMPLATE_PRESETS.map((p) => p.id).join(', ')}) or a Jinja file; default: the tokenizer's
  --system TEXT          default system prompt for examples without one
  --max-length N         tokens per example (default 256; capped at the model's limit)
  --overlong ACTION      truncate | skip: what to do with longer examples (default truncate, from the right)
  --no-train-eos         do not train the end-of-turn token after each response
  --special-tokens keep|escape  special-token strings typed in message text (<|im_end|> in an answer): keep as the
                         control token (default, warned) or escape to plain characters
  --eval-split F         fraction held out for validation when the data has no split (default 0.1; 0 = none)
  --eval-every N         evaluate every N steps (default: only at the end)
 LoRA (default) or full fine-tuning:
  --r N --alpha A        rank and alpha (default ${DL.r}, ${DL.alpha})
  --dropout P            LoRA dropout (default ${DL.dropout})
  --targets LIST         comma-separated module names, all-linear, or attention (default: attention = every
                         attention projection of the model's family, e.g. q_proj,k_proj,v_proj,o_proj; GPT-2: c_attn,attn.c_proj)
  --rslora               scale by alpha/√r (rank-stabilised LoRA)
  --full                 train every weight and write a full model directory instead of an adapter
  --init-adapter DIR     continue training a PEFT adapter (adapter_config.json + adapter_model.safetensors) for this
                         model: its values are step 0, its r / alpha / targets / rsLoRA are the run's (fresh optimizer
                         state and schedule). A merged model needs no flag: pass it as --model.
 Optimisation:
  --lr X                 peak learning rate (default ${D.lr})
  --schedule KIND        ${SCHEDULES.join(' | ')} (default ${D.schedule})
  --warmup-ratio F       fraction of steps warming up linearly (default ${D.warmupRatio})
  --weight-decay X       AdamW decoupled weight decay (default ${D.weightDecay})
  --max-grad-norm X      clip the global gradient norm (default ${D.maxGradNorm}; 0 = off)
  --batch N              examples per micro-batch (default ${D.batchSize})
  --grad-accum N         micro-batches per optimizer step (default ${D.gradAccum})
  --epochs N             passes over the training examples (default ${D.epochs})
  --max-steps N          stop after N optimizer steps (default: epochs decide)
  --pack                 pack several examples per row (attention stays within each example)
  --seed N               shuffling, LoRA init, dropout and the validation split (default ${D.seed})
  --recompute            recompute activations in backward (less memory, ~30% slower)
 Checkpoints:
  --checkpoint-every N   save the full training state to OUT/checkpoint/ every N steps
  --resume               continue exactly from OUT/checkpoint/ (same data and settings required)
Ctrl+C stops after the current step and writes the output (exit code 130); press it twice to quit at once.`;

const KNOWN = [
  'help', 'model', 'data', 'out', 'format', 'mode', 'template', 'system', 'max-length', 'overlong', 'no-train-eos', 'special-tokens', 'eval-split',
  'eval-every', 'r', 'alpha', 'dropout', 'targets', 'rslora', 'full', 'init-adapter', 'lr', 'schedule', 'warmup-ratio', 'weight-decay',
  'max-grad-norm', 'batch', 'grad-accum', 'epochs', 'max-steps', 'pack', 'seed', 'recompute', 'checkpoint-every', 'resume',
];

function oneOf<T extends string>(p: ParsedArgs, name: string, allowed: readonly T[], fallback: T): T {
  const v = optionalString(p, name) ?? fallback;
  if (!allowed.includes(v as T)) throw new Error(`--${name} must be one of ${allowed.join(', ')}, got "${v}"`);
  return v as T;
}

/** The LoRA settings an --init-adapter fixes: flags that would contradict them are refused, not silently ignored. */
const ADAPTER_FIXED = ['r', 'alpha', 'targets', 'rslora', 'full'];

function runConfig(p: ParsedArgs, init: LoraSettings | null): RunConfig {
  if (init) for (const f of ADAPTER_FIXED) if (p.flags.has(f)) throw new Error(`--${f} cannot be combined with --init-adapter: the adapter's adapter_config.json fixes r (${init.r}), alpha (${init.alpha}), the target modules and rsLoRA`);
  const full = switchFlag(p, 'full');
  for (const f of ['r', 'alpha', 'dropout', 'targets', 'rslora'])
    if (full && p.flags.has(f)) throw new Error(`--${f} is a LoRA setting; it cannot be combined with --full`);
  const targets = optionalString(p, 'targets');
  const preset = targets?.toLowerCase();
  const targetModules = targets === undefined ? DL.targetModules : preset === 'all-linear' || preset === 'attention' ? preset : targets.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(targetModules) && targetModules.length === 0) throw new Error('--targets needs module names (e.g. q_proj,v_proj) or all-linear');
  const system = optionalString(p, 'system');
  const overlong = oneOf(p, 'overlong', OVERLONG_ACTIONS, 'truncate');
  const specials = specialTokensFlag(p);
  return {
    label: {
      mode: oneOf(p, 'mode', MODES, 'assistant-only'),
      trainEos: !switchFlag(p, 'no-train-eos'),
      template: resolveTemplate(optionalString(p, 'template')),
      ...(system !== undefined ? { systemPrompt: system } : {}),
      maxLength: intFlag(p, 'max-length', 256, 2),
      // Only when not the default, so checkpoints written before the flag existed still resume.
      ...(overlong === 'skip' ? { overlong } : {}),
      ...(specials === 'escape' ? { specialTokensInText: specials } : {}),
    },
    lora: init ? { ...init, dropout: p.flags.has('dropout') ? rangeFlag(p, 'dropout', DL.dropout, 0, 1, true) : init.dropout } : full ? null : {
      r: intFlag(p, 'r', DL.r, 1), alpha: positiveFlag(p, 'alpha', DL.alpha), dropout: rangeFlag(p, 'dropout', DL.dropout, 0, 1, true),
      targetModules, useRslora: switchFlag(p, 'rslora'),
    },
    lr: positiveFlag(p, 'lr', D.lr),
    schedule: oneOf(p, 'schedule', SCHEDULES, D.schedule),
    warmupRatio: rangeFlag(p, 'warmup-ratio', D.warmupRatio, 0, 1),
    weightDecay: rangeFlag(p, 'weight-decay', D.weightDecay, 0),
    maxGradNorm: rangeFlag(p, 'max-grad-norm', D.maxGradNorm, 0),
    batchSize: intFlag(p, 'batch', D.batchSize, 1),
    gradAccum: intFlag(p, 'grad-accum', D.gradAccum, 1),
    epochs: intFlag(p, 'epochs', D.epochs, 1),
    maxSteps: intFlag(p, 'max-steps', 0, 0),
    pack: switchFlag(p, 'pack'),
    seed: seedFlag(p, D.seed),
    evalEvery: intFlag(p, 'eval-every', 0, 0),
    checkpointEvery: intFlag(p, 'checkpoint-every', 0, 0),
    recompute: switchFlag(p, 'recompute'),
  };
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args);
  if (p.flags.has('help')) {
    console.log(HELP);
    return 0;
  }
  checkFlags(p, KNOWN, 'train');
  const modelPath = requireString(p, 'model');
  const dataPath = requireString(p, 'data');
  const outDir = requireString(p, 'out');
  const initDir = optionalString(p, 'init-adapter');
  if (initDir !== undefined && switchFlag(p, 'resume')) throw new Error('--init-adapter starts a new run from an adapter; --resume continues OUT/checkpoint/. Use one of them.');
  // The adapter is read against the model before anything else: another base's adapter fails here, naming the tensor.
  const model = await openModelDir(modelPath);
  const init = initDir === undefined ? null : readAdapterDir(initDir, model.config);
  let initSettings: LoraSettings | null = null;
  if (init) {
    try {
      initSettings = loraSettingsOf(init.config);
    } catch (e) {
      throw new Error(`--init-adapter ${initDir}: ${(e as Error).message}`, { cause: e });
    }
  }
  const cfg = runConfig(p, initSettings);
  const format = optionalString(p, 'format') as FormatId | undefined;
  if (format !== undefined && !FORMAT_IDS.includes(format)) throw new Error(`--format must be one of ${FORMAT_IDS.join(', ')}`);
  const evalSplit = rangeFlag(p, 'eval-split', 0.1, 0, 1, true);
  const resume = switchFlag(p, 'resume');

  // Everything that can fail on bad input — the inputs, the output folder, the data, the plan — fails here, before the
  // GPU is touched and long before anything is written.
  checkDataFile(dataPath);
  checkOutputDir(outDir, [{ path: modelPath, what: 'the model directory (--model)' }, { path: dataPath, what: 'the dataset (--data)' }, ...(initDir ? [{ path: initDir, what: 'the adapter to continue (--init-adapter)' }] : [])]);
  if (cfg.label.maxLength > model.config.maxTrainLength) {
    console.error(`note: --max-length ${cfg.label.maxLength} is more than this model supports; using ${model.config.maxTrainLength}`);
    cfg.label.maxLength = model.config.maxTrainLength;
  }
  // Same resolution runTraining does, so a bad --targets or a rank beyond the layers fails here.
  if (cfg.lora) checkRank(resolveLoraTargets(model.config, makeLoraConfig(model.config, cfg.lora)), cfg.lora.r);
  cfg.baseModelName = typeof model.configJson._name_or_path === 'string' && model.configJson._name_or_path ? model.configJson._name_or_path : resolve(modelPath);
  const tokenizer = await loadDirTokenizer(modelPath);
  const data = await readDataset(dataPath, format, evalSplit, cfg.seed);
  // A run with nothing to train on (every example fully masked, too long, or unlabelable) is refused here, before
  // the GPU: runTraining would refuse the same way, later.
  let plan: RunPlan;
  try {
    plan = planRun(tokenizer, data.examples, cfg).plan;
    // The memory plan below is for --batch rows; say when most of them can never be filled.
    if (cfg.batchSize > plan.trainExamples)
      console.error(`note: --batch ${cfg.batchSize} is more than the ${plan.trainExamples} training example${plan.trainExamples === 1 ? '' : 's'}: the memory of ${cfg.batchSize - plan.trainExamples} rows per micro-batch is never used (--batch ${plan.trainExamples} trains the same with less)`);
  } catch (e) {
    if (!(e instanceof NothingToTrainError)) throw e;
    for (const s of e.skipped) console.error(`line ${data.lines[s.index]}: skipped: ${s.reason}`);
    console.error(`error: ${e.message}`);
    return 1;
  }
  reportPlan(plan, data.lines, evalSplit);
  // What decides the trajectory (not how often we evaluate/checkpoint, nor where the model folder is).
  const { evalEvery: _e, checkpointEvery: _c, baseModelName: _b, ...trajectory } = cfg;
  const identity: CheckpointIdentity = { ...trajectory, model: model.configJson, data: data.hash, evalSplit };
  // --init-adapter: the adapter's values as a step-0 checkpoint (fresh AdamW moments, schedule from its start).
  const checkpoint = resume ? readCheckpoint(outDir, identity) : init ? continueFromAdapter(init.targets, init.values) : null;
  if (!resume && cfg.checkpointEvery > 0 && existsSync(checkpointPath(outDir))) console.error(`note: starting afresh; ${checkpointPath(outDir)} will be replaced`);

  const gpu = await acquireNodeGpu({ onNotice: (m) => console.error(m) });
  console.error(`GPU: ${gpu.adapter.description || 'unnamed adapter'}${gpu.adapter.isSoftware ? ' (CPU, software)' : ''}`);
  // The run's GPU memory, planned as runTraining plans (and refuses) it — before the weights are loaded.
  const limits = gpu.device.limits;
  const memory = planRunMemory(model.config, cfg, {
    maxBufferSize: limits.maxBufferSize, maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize, isSoftware: gpu.adapter.isSoftware, hostMemoryBytes: totalmem(),
  }, resolveWeightFormat(gpu));
  console.log(memory.summary);
  // The same suggestions as flags: --recompute, --max-length N, --batch N.
  const flags = memory.suggestions.map((x) => {
    const set = x.change === 'maxLength' ? `--max-length ${x.value}` : x.change === 'batch' ? `--batch ${x.value}` : '';
    return `${[x.recompute && !cfg.recompute ? '--recompute' : '', set].filter(Boolean).join(' ')} (~${formatMemory(x.total)})`;
  });
  if (memory.refusal) {
    console.error(`error: ${memory.refusal}${flags.length ? ` (${flags.join(', or ')})` : ''}`);
    return 1;
  }
  for (const w of memory.plan.warnings) console.error(`warning: ${w}${flags.length ? ` Under ${formatMemory(memory.plan.budget)} with ${flags.join(', or ')}.` : ''}`);
  const { weights } = await loadModelWeights(gpu, model.config, { source: model.source });

  // From here an interrupt stops after the current step (or evaluation batch) and still writes the output.
  let stop = false;
  const release = onInterrupt(() => {
    stop = true;
    console.error('\nStopping after the current step and writing the output (Ctrl+C again to quit without saving)…');
  });
  try {
    const progress = new Progress(process.stdout);
    const losses: number[] = [];
    const started = performance.now();
    if (init) console.log(`continuing the adapter in ${initDir} (r ${init.config.r}, alpha ${init.config.loraAlpha}, ${init.targets.length} modules)`);
    else if (checkpoint) console.log(`resuming from step ${checkpoint.snapshot.step}`);
    const evalShown = evalProgress(progress);
    const result = await runTraining(gpu, model.config, weights, tokenizer, data.examples, cfg, {
      onPlan: (pl) => (plan = pl),
      onStep: (s) => {
        losses.push(s.loss);
        const total = plan.totalSteps;
        progress.log(`step ${s.step}/${total}  loss ${s.loss.toFixed(4)}  lr ${s.lr.toExponential(2)}  grad-norm ${s.gradNorm.toFixed(3)}  ${Math.round(s.tokensPerSec)} tok/s`);
        progress.update({ step: s.step, total, loss: s.loss, lr: s.lr, tokensPerSec: s.tokensPerSec, elapsed: s.elapsed, startStep: checkpoint?.snapshot.step });
      },
      onEvalProgress: evalShown,
      onEval: (e) => progress.log(`eval  step ${e.step}  loss ${e.loss.toFixed(4)}`),
      onCheckpoint: (c) => {
        writeCheckpoint(outDir, c, identity);
        progress.log(`checkpoint saved at step ${c.snapshot.step}`);
      },
      control: () => (stop ? 'stop' : 'run'),
    }, checkpoint ?? undefined);
    progress.done();
    const what = cfg.lora ? 'adapter' : 'model';
    if (result.steps === 0) {
      console.error(result.reason === 'nonfinite'
        ? 'error: the first step produced NaN/Inf (in the loss, the gradients or the updated parameters); nothing was written. Lower --lr, or check the data and the model.'
        : 'error: stopped before the first step; nothing was written');
      return stop ? 130 : 1;
    }
    const recent = losses.slice(-10);
    const summaryInfo = {
      modelDir: resolve(modelPath), dataPath: resolve(dataPath), run: cfg, result, totalSteps: plan.totalSteps,
      trainExamples: plan.trainExamples, validationExamples: plan.validationExamples,
      lastLoss: losses.at(-1) ?? null, recentLoss: recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : null,
      seconds: (performance.now() - started) / 1000,
    };
    if (cfg.lora) writeAdapterOutput(outDir, summaryInfo);
    else writeFullModelOutput(outDir, summaryInfo, model.config, model.configJson);
    if (result.reason === 'nonfinite') {
      console.error(
        `error: step ${result.steps + 1} produced NaN/Inf or exploding parameters and was undone; the ${what} in ${outDir} holds the parameters ` +
          `after step ${result.steps}, the last good ones. Lower --lr or check the data.`,
      );
      return 1;
    }
    const evalPart = result.finalEvalLoss !== null ? `, eval loss ${result.finalEvalLoss.toFixed(4)}` : stop && plan.validationExamples ? ', evaluation skipped (stopped)' : plan.evalNote ? ', no eval (empty held-out split)' : '';
    console.log(`${result.reason === 'stopped' || stop ? 'stopped' : 'done'} after ${result.steps} step${result.steps === 1 ? '' : 's'}: loss ${summaryInfo.lastLoss?.toFixed(4) ?? '—'}${evalPart} → ${what} written to ${outDir}`);
    return result.reason === 'stopped' || stop ? 130 : 0;
  } finally {
    release();
  }
}
