/**
 * The pretraining run: corpus and tokenizer (prepare.ts), a seeded llama model trained with the engine's
 * full-parameter mode and Trainer, periodic held-out evaluation and resumable checkpoints in the work directory, and
 * on finish (time or step budget) the Hugging Face model directory with its model card.
 *
 * Budgets are TOTALS across sessions: `--minutes 60 --resume` after a crash at minute 40 trains 20 more minutes, on
 * the same learning-rate curve.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { Gpu } from '../engine/gpu/device';
import { readF32 } from '../engine/gpu/buffers';
import { parseModelConfig, type ModelConfig } from '../engine/model/config';
import { GpuTransformer, uploadWeights } from '../engine/transformer/model';
import { NonFiniteLossError, Trainer, restoreTrainer, snapshotTrainer, type MicroBatch } from '../engine/train/trainer';
import { acquireNodeGpu } from '../node/gpu';
import { countBaselines } from './baselines';
import { bitsPerByte, streamTargetBytes, targetBytes, tokenByteLengths } from './bpb';
import { modelCard } from './card';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint, type PretrainState } from './checkpoint';
import { BatchSampler, MixedSampler, evalBatches } from './data';
import { writeModelDir } from './export';
import { initWeights, parameterCount } from './init';
import { pretrainLr, type LrPlan } from './lr';
import { brownTexts, prepareCorpus, prepareDialogue, type CorpusTexts, type DialogueStream, type PreparedCorpus } from './prepare';
import { checkStartConfig, readStartModel } from './startModel';
import { PRESETS, configJson, type Preset, type PresetName } from './presets';
import { CARD_SAMPLES, Sampler, type Sample, type SampleSpec } from './samples';
import { IM_END } from './tokenizerFiles';
import { vocabularyOf, wordStats, type WordStats } from './wordStats';

export interface PretrainOptions {
  /** Where the HF model directory is exported. */
  out: string;
  /** Checkpoints, tokenizer and token cache (gitignored). */
  workDir: string;
  preset: PresetName;
  /** Test hook: override preset fields. */
  presetOverride?: Partial<Preset>;
  seed: number;
  vocabSize: number;
  /** Total training wall-time budget (minutes) or total steps; at least one. */
  minutes: number | null;
  steps: number | null;
  resume: boolean;
  /** Start over even if the work directory holds a checkpoint. */
  fresh: boolean;
  exportOnly: boolean;
  checkpointMinutes: number;
  evalMinutes: number;
  /** Windows in the quick periodic evaluation, and in the final one (evenly spread over the held-out stream). */
  evalWindows: number;
  finalEvalWindows: number;
  warmupSteps: number;
  weightDecay: number;
  /**
   * Continue pretraining from this model directory (its weights, tokenizer and config; fresh optimizer state) instead
   * of a seeded initialisation. The final evaluation then covers every held-out window, and the starting model is
   * scored on the same windows first, for the model card.
   */
  initFrom: string | null;
  /** Share of training rows taken from dialogue-formatted documents (dialogue.ts); 0 = Brown only. */
  dialogue: number;
  minLrRatio: number;
  samples: SampleSpec[];
  maxNewTokens: number;
  texts?: () => CorpusTexts;
  gpu?: Gpu;
  log: (line: string) => void;
  /** The command line, for the model card. */
  command: string;
  name: string;
}

export const DEFAULTS = {
  seed: 0,
  vocabSize: 2048,
  checkpointMinutes: 5,
  evalMinutes: 10,
  evalWindows: 16,
  finalEvalWindows: 64,
  warmupSteps: 10,
  weightDecay: 0.1,
  minLrRatio: 0.1,
  initFrom: null as string | null,
  dialogue: 0,
  samples: CARD_SAMPLES,
  maxNewTokens: 48,
  name: 'studio-base',
};

export interface PretrainResult {
  state: PretrainState;
  /** Training losses of this session's steps. */
  losses: number[];
  finalLoss: number | null;
  samples: Sample[];
  exported: string[];
}

function machineName(gpu: Gpu): string {
  const cpu = cpus();
  const adapter = gpu.adapter.isSoftware ? `${gpu.adapter.description || gpu.adapter.device || 'software'} (CPU WebGPU)` : gpu.adapter.description || gpu.adapter.vendor;
  return `${adapter}, ${cpu.length} × ${cpu[0]?.model?.trim() ?? 'unknown CPU'}, load average ${loadavg()[0].toFixed(1)} at the start`;
}

async function evaluate(trainer: Trainer, batches: MicroBatch[]): Promise<{ loss: number; targets: number }> {
  const r = await trainer.evalLoss(batches);
  if (!Number.isFinite(r.loss)) throw new Error(`held-out loss is ${r.loss}`);
  return r;
}

export async function pretrain(o: PretrainOptions): Promise<PretrainResult> {
  if (o.minutes === null && o.steps === null && !o.exportOnly) throw new Error('give a budget: --minutes N and/or --steps N');
  const preset: Preset = { ...PRESETS[o.preset], ...o.presetOverride };
  if (!(o.dialogue >= 0 && o.dialogue < 1)) throw new Error(`the dialogue share must be in [0, 1), got ${o.dialogue}`);
  mkdirSync(o.workDir, { recursive: true });
  const start = o.initFrom !== null ? readStartModel(o.initFrom) : null;
  const corpus = await prepareCorpus(o.workDir, {
    vocabSize: o.vocabSize, context: preset.context, texts: o.texts, log: o.log, tokenizerFiles: start?.tokenizerFiles,
  });
  const wantConfig = configJson(preset, o.vocabSize, { bos: corpus.eosId, eos: corpus.eosId, pad: corpus.eosId });
  if (start) checkStartConfig(o.initFrom!, start.configJson, wantConfig);

  let loaded: ReturnType<typeof loadCheckpoint> | null = null;
  if (hasCheckpoint(o.workDir) && !o.fresh) {
    if (!o.resume && !o.exportOnly)
      throw new Error(`${o.workDir} already holds a checkpoint: pass --resume to continue it, --export-only to export it, or --fresh to start over`);
    loaded = loadCheckpoint(o.workDir);
    if (JSON.stringify(loaded.state.configJson) !== JSON.stringify(wantConfig))
      throw new Error(`the checkpoint in ${o.workDir} was trained with another model config (preset ${loaded.state.preset}); pass the same --config and --vocab`);
    if ((loaded.state.initFrom ?? null) !== o.initFrom || (loaded.state.dialogue ?? 0) !== o.dialogue)
      throw new Error(`the checkpoint in ${o.workDir} was started with --init-from ${loaded.state.initFrom ?? '(none)'} --dialogue ${loaded.state.dialogue ?? 0}; pass the same options`);
  } else if (o.exportOnly) throw new Error(`--export-only: no checkpoint in ${o.workDir}`);
  // About `dialogue` of the rows: as many characters of conversation as the training text has, times d / (1 − d).
  const dialogue = o.dialogue > 0
    ? prepareDialogue(o.workDir, corpus, { seed: o.seed, chars: Math.round((corpus.stats.trainChars * o.dialogue) / (1 - o.dialogue)), texts: o.texts, log: o.log })
    : null;

  const config = parseModelConfig(wantConfig);
  const gpu = o.gpu ?? (await acquireNodeGpu({ onNotice: o.log }));
  const weights = uploadWeights(gpu, start?.weights ?? initWeights(config, o.seed));
  const model = new GpuTransformer(gpu, config, weights, { B: preset.rows, T: preset.context, fullParams: true });
  const trainer = new Trainer(gpu, model, {
    schedule: { kind: 'constant', lr: 0, warmupSteps: 0, totalSteps: 1 },
    weightDecay: o.weightDecay, beta1: 0.9, beta2: 0.95, eps: 1e-8, maxGradNorm: 1,
  });
  if (loaded) restoreTrainer(trainer, loaded.snap);
  const state: PretrainState = loaded?.state ?? {
    version: 1, preset: o.preset, seed: o.seed, configJson: wantConfig, step: 0, dataPos: 0, tokensSeen: 0, seconds: 0,
    budgetSeconds: null, budgetSteps: null, evals: [], recentTrainLoss: null, machine: machineName(gpu),
    initFrom: o.initFrom, dialogue: o.dialogue,
  };
  if (!o.exportOnly) {
    if (o.minutes !== null) state.budgetSeconds = o.minutes * 60;
    if (o.steps !== null) state.budgetSteps = o.steps;
  }
  const params = parameterCount(config);
  o.log(`model: ${o.preset} llama, ${params.toLocaleString('en-US')} parameters (C ${config.hidden}, ${config.nLayers} layers, ` +
    `${config.nHeads}/${config.nKVHeads} heads, MLP ${config.intermediate}, V ${config.vocabSize}, T ${preset.context}); ` +
    `${preset.micro} × ${preset.rows} × ${preset.context} tokens/step; ${gpu.adapter.isSoftware ? 'CPU adapter' : 'GPU'}; ` +
    (loaded ? `resumed at step ${state.step}` : start ? `continuing ${o.initFrom}` : 'fresh init') +
    (dialogue ? `; ${(100 * o.dialogue).toFixed(0)}% of the rows from ${dialogue.conversations} dialogues (${dialogue.tokens.length} tokens)` : ''));

  const sampler = dialogue
    ? new MixedSampler(corpus.train, dialogue.tokens, o.dialogue, preset.context, preset.rows, o.seed)
    : new BatchSampler(corpus.train, preset.context, preset.rows, o.seed);
  const finalBatches = evalBatches(corpus.heldOut, preset.context, preset.rows, start ? undefined : o.finalEvalWindows);
  const byteLen = tokenByteLengths(corpus.tokenizerJson, config.vocabSize);
  if (start && !loaded && !o.exportOnly) {
    const r = await evaluate(trainer, finalBatches);
    state.startEval = { loss: r.loss, bpb: bitsPerByte(r.loss, r.targets, targetBytes(finalBatches, byteLen)), targets: r.targets };
    o.log(`start: ${o.initFrom} held-out loss ${r.loss.toFixed(4)} over ${r.targets} targets, ${state.startEval.bpb.toFixed(4)} bits per byte`);
  }
  const quickEval = evalBatches(corpus.heldOut, preset.context, preset.rows, o.evalWindows);
  const plan: LrPlan = { peak: preset.lr, warmupSteps: o.warmupSteps, minRatio: o.minLrRatio };
  const progress = () => Math.max(
    state.budgetSeconds ? state.seconds / state.budgetSeconds : 0,
    state.budgetSteps ? state.step / state.budgetSteps : 0,
  );
  const done = () => (state.budgetSeconds !== null && state.seconds >= state.budgetSeconds) || (state.budgetSteps !== null && state.step >= state.budgetSteps);
  const metricsPath = `${o.workDir}/metrics.jsonl`;
  const save = async () => {
    const t0 = performance.now();
    saveCheckpoint(o.workDir, state, await snapshotTrainer(trainer));
    o.log(`checkpoint: step ${state.step} saved to ${o.workDir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };
  const quick = async () => {
    const r = await evaluate(trainer, quickEval);
    state.evals.push({ step: state.step, tokens: state.tokensSeen, loss: r.loss, seconds: state.seconds });
    o.log(`eval: step ${state.step} held-out loss ${r.loss.toFixed(4)} (${r.targets} targets; ln V = ${Math.log(config.vocabSize).toFixed(3)})`);
    appendFileSync(metricsPath, JSON.stringify({ eval: r.loss, step: state.step, tokens: state.tokensSeen, seconds: state.seconds }) + '\n');
  };

  const losses: number[] = [];
  if (!o.exportOnly && !done()) {
    if (state.evals.length === 0) await quick();
    let lastEval = state.seconds, lastSave = state.seconds, badInARow = 0;
    const window: number[] = [];
    while (!done()) {
      const lr = pretrainLr(plan, state.step, progress());
      trainer.opt.schedule = { kind: 'constant', lr, warmupSteps: 0, totalSteps: 1 };
      const micro = Array.from({ length: preset.micro }, (_, i) => sampler.batch(state.dataPos + i));
      const t0 = performance.now();
      const r = await trainer.trainStep(micro, o.seed);
      const dt = (performance.now() - t0) / 1000;
      state.dataPos += micro.length;
      state.seconds += dt;
      if (r.nonFinite) {
        o.log(`step ${state.step + 1}: NaN/Inf gradients, update skipped`);
        if (++badInARow >= 3) throw new NonFiniteLossError(state.step + 1);
        continue;
      }
      badInARow = 0;
      state.step = trainer.step;
      state.tokensSeen += r.tokens;
      losses.push(r.loss);
      window.push(r.loss);
      if (window.length > 20) window.shift();
      state.recentTrainLoss = window.reduce((a, b) => a + b, 0) / window.length;
      appendFileSync(metricsPath, JSON.stringify({ step: state.step, loss: r.loss, lr, gradNorm: r.gradNorm, tokens: state.tokensSeen, seconds: state.seconds }) + '\n');
      o.log(`step ${state.step} | loss ${r.loss.toFixed(4)} | lr ${lr.toExponential(2)} | grad norm ${r.gradNorm.toFixed(3)} | ` +
        `${r.tokens} tok in ${dt.toFixed(1)} s = ${(r.tokens / dt).toFixed(0)} tok/s | ${(state.seconds / 60).toFixed(1)} min | epoch ${sampler.epochOf(state.dataPos).toFixed(3)}`);
      if (done()) break;
      if (state.seconds - lastEval >= o.evalMinutes * 60) {
        const e0 = performance.now();
        await quick();
        state.seconds += (performance.now() - e0) / 1000;
        lastEval = state.seconds;
      }
      if (state.seconds - lastSave >= o.checkpointMinutes * 60) {
        const s0 = performance.now();
        await save();
        state.seconds += (performance.now() - s0) / 1000;
        lastSave = state.seconds;
      }
    }
    await quick();
    await save();
  }

  // Export: final evaluation over every held-out window, samples, model card, HF directory.
  const finalWindows = finalBatches.reduce((a, b) => a + b.rows, 0);
  o.log(`export: evaluating on ${finalWindows} held-out windows`);
  const final = await evaluate(trainer, finalBatches);
  const finalBpb = bitsPerByte(final.loss, final.targets, targetBytes(finalBatches, byteLen));
  o.log(`export: final held-out loss ${final.loss.toFixed(4)} over ${final.targets} targets, ${finalBpb.toFixed(4)} bits per byte (uniform baseline ln V = ${Math.log(config.vocabSize).toFixed(4)})`);
  const imEnd = corpus.tokenizer.tokenId(IM_END);
  if (imEnd === null) throw new Error('the tokenizer has no <|im_end|>');
  const sampleRunner = new Sampler(gpu, config, weights, corpus.tokenizer, [corpus.eosId, imEnd]);
  const samples: Sample[] = [];
  for (const spec of o.samples) {
    const s = await sampleRunner.run(spec, o.maxNewTokens);
    samples.push(s);
    o.log(`sample (${s.mode}): ${JSON.stringify(s.prompt)} → ${JSON.stringify(s.completion)}`);
  }
  // Are the continuations made of real words? Share of their words that occur in the training documents.
  const sampleWords = wordStats(samples.map((s) => s.completion).join(' '), vocabularyOf((o.texts ?? brownTexts)().train));
  o.log(`samples: ${(100 * sampleWords.share).toFixed(1)}% of ${sampleWords.words} words are training-corpus words (${sampleWords.distinct} distinct); ` +
    `unknown: ${[...new Set(sampleWords.unknown)].slice(0, 12).join(', ') || 'none'}`);
  const host = new Map<string, Float32Array>();
  for (const [name, buf] of weights) host.set(name, await readF32(gpu.device, buf));
  const readme = cardFor(o, preset, config, params, state, corpus, { ...final, bpb: finalBpb, windows: finalWindows, of: Math.floor(corpus.heldOut.length / preset.context) }, samples, sampleWords, sampler.epochOf(state.dataPos), dialogue);
  const exported = writeModelDir(o.out, {
    configJson: wantConfig, weights: host, tokenizerJson: corpus.tokenizerJson, tokenizerConfig: corpus.tokenizerConfig, readme,
  }, imEnd);
  o.log(`export: wrote ${exported.join(', ')} to ${o.out}`);
  return { state, losses, finalLoss: final.loss, samples, exported };
}

function cardFor(
  o: PretrainOptions, preset: Preset, config: ModelConfig, params: number, state: PretrainState, corpus: PreparedCorpus,
  final: { loss: number; bpb: number; targets: number; windows: number; of: number }, samples: Sample[], sampleWords: WordStats, epochs: number,
  dialogue: DialogueStream | null,
): string {
  const baselines = countBaselines(corpus.train, corpus.heldOut, config.vocabSize);
  const byteLen = tokenByteLengths(corpus.tokenizerJson, config.vocabSize);
  const n = corpus.heldOut.length - 1, bytes = streamTargetBytes(corpus.heldOut, byteLen);
  const budget = state.budgetSeconds !== null ? `spanning a ${Math.round(state.budgetSeconds / 60)}-minute wall-clock budget` : `spanning ${state.budgetSteps} steps`;
  return modelCard({
    name: o.name, config, params, preset: o.preset, seed: state.seed, contextTrained: preset.context, rows: preset.rows,
    micro: preset.micro, peakLr: preset.lr, minLrRatio: o.minLrRatio, warmupSteps: o.warmupSteps, weightDecay: o.weightDecay,
    schedule: budget, steps: state.step, tokensSeen: state.tokensSeen, epochs, seconds: state.seconds, machine: state.machine,
    corpus: corpus.stats, finalLoss: final.loss, finalTargets: final.targets, finalWindows: final.windows, heldOutWindows: final.of,
    baselines, evals: state.evals, samples, sampleWords, command: o.command, finalBpb: final.bpb,
    baselineBpb: { unigram: bitsPerByte(baselines.unigram, n, bytes), bigram: bitsPerByte(baselines.bigram, n, bytes) },
    continued: state.initFrom ? { from: state.initFrom, startLoss: state.startEval?.loss ?? null, startBpb: state.startEval?.bpb ?? null } : undefined,
    dialogue: dialogue && state.dialogue ? { share: state.dialogue, conversations: dialogue.conversations, tokens: dialogue.tokens.length } : undefined,
  });
}
