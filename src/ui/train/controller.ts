/**
 * Drives training runs: reads the dataset from IndexedDB, records the run, sends it to the engine Worker, follows its
 * events (plan, steps, evals, checkpoints) into the store and IndexedDB, and stores the adapter files when it ends.
 * A Web Lock named after the run is held while this tab trains it, so any tab can tell a live run from one a reload
 * interrupted (see runsView.ts).
 */
import type { ExampleBody, MaskMode } from '../../data/types';
import { getDataset, listExamples } from '../../db';
import { createRun, deleteCheckpoints, getRun, latestCheckpoint, saveCheckpoint, updateRun, type Run, type RunStatus, type StepPoint } from '../../db/runs';
import type { RunCheckpoint } from '../../train/run';
import { continueFromAdapter, loraSettingsOf } from '../../train/continueFrom';
import { readAdapter } from '../../engine/adapter/peft';
import type { TrainingExample } from '../../train/data';
import { withGeneralMix } from './generalMix';
import { engine } from '../../worker/client';
import type { EngineEvent } from '../../worker/protocol';
import { markWorkerAdapter, setChartRuns, setLive, setTrainMessage, toggleChartRun, trainState, updateLive, type LiveRun } from '../../store/slices/train';
import { MODE_LABELS, comparisonMode, filterByTags, formProblems, recommendedMode, toRunConfig, type TrainForm } from './runConfig';
import { PREVIEW_LIMIT, computePlan } from './planPreview';
import { addLiveSample, planSamples, sampleRequest, samplesUpTo } from './runSamples';
import { finalLossText } from './lossStats';
import { formatLoss } from '../model/format';
import { defaultRunName, readmeWithName, uniqueRunName } from './runNames';

export const RUN_LOCK_PREFIX = 'studio-run:';
const FLUSH_MS = 5000;
let compareCancelled = false;

function holdLock(runId: string): () => void {
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));
  void navigator.locks?.request(`${RUN_LOCK_PREFIX}${runId}`, () => held).catch(() => {});
  return release;
}

function fail(title: string, text: string, runId?: string): null {
  setTrainMessage({ tone: 'danger', title, text, runId });
  return null;
}

/** Checks that a run can start now; returns a reason when it cannot. */
function blocker(): string | null {
  const s = trainState();
  if (s.gpuStatus !== 'ready') return 'The GPU is not ready (see the banner above).';
  if (!s.modelInfo) return 'Load a model first (Model section).';
  if (s.modelLoading) return 'Wait for the model to finish loading.';
  if (s.liveRun) return 'A run is already in progress.';
  return null;
}

export interface StartOptions {
  /** Override the form's mask mode (Compare masking). */
  mode?: MaskMode;
  compare?: LiveRun['compare'];
  /** The Classroom's lesson: settings over the form's, examples (by id) held out as validation, the run's name. */
  form?: Partial<TrainForm>;
  heldOut?: ReadonlySet<string>;
  name?: string;
}

/** Starts a run from the form. Resolves with the finished run row (or null when it could not start or failed). */
export async function startTraining(opts: StartOptions = {}): Promise<Run | null> {
  const why = blocker();
  if (why) return fail('Cannot start training', why);
  const s = trainState();
  const form = opts.form ? { ...s.trainForm, ...opts.form } : s.trainForm;
  const model = s.modelInfo!;
  const problems = formProblems(form, model.config, !!s.tokenizer?.chatTemplate);
  if (problems.length) return fail('Check the settings', problems.map((p) => p.message).join(' '));
  const dataset = await getDataset(form.datasetId!);
  if (!dataset) return fail('Cannot start training', 'The chosen dataset no longer exists.');
  const all = (await listExamples(dataset.id)).map((e) => (opts.heldOut?.has(e.id) ? { ...e, split: 'validation' as const } : e));
  if (all.length === 0) return fail('Cannot start training', `"${dataset.name}" has no examples yet.`);
  const rows = filterByTags(all, form.trainOnTags);
  if (!rows.some((r) => r.split !== 'validation')) return fail('Cannot start training', `No training example of "${dataset.name}" has the tags chosen under "Train on tags" (${form.trainOnTags!.join(', ')}).`);
  const trainTags = [...new Set(rows.filter((r) => r.split !== 'validation').flatMap((r) => r.tags))].sort();
  let examples: TrainingExample[] = rows.map((e) => ({ body: e.body, split: e.split }));
  if ((form.generalMix ?? 0) > 0 && s.tokenizer) {
    try {
      examples = await withGeneralMix(s.tokenizer, examples, form.generalMix!, form.maxLength, form.seed);
    } catch (e) {
      return fail('Cannot mix in general text', e instanceof Error ? e.message : String(e));
    }
  }
  const kinds = new Set<ExampleBody['kind']>(rows.map((e) => e.body.kind));
  const mode = opts.mode ?? form.mode ?? recommendedMode(kinds);
  const config = toRunConfig(form, mode, model.config, dataset.systemPrompt);
  // Continuing an adapter: its LoRA settings are the run's, its values step 0 (checked against the loaded model).
  // (Lessons that bring their own settings start fresh unless they name an adapter themselves.)
  const initId = opts.form && !('initAdapter' in opts.form) ? null : form.initAdapter;
  let init: RunCheckpoint | null = null;
  if (config.lora && initId) {
    const from = await getRun(initId);
    if (!from?.adapter) return fail('Cannot start training', 'The adapter chosen under "Start from" no longer exists.');
    try {
      const adapter = readAdapter(model.config, from.adapter.configText, from.adapter.weights);
      config.lora = { ...loraSettingsOf(adapter.config), dropout: form.dropout };
      init = continueFromAdapter(adapter.targets, adapter.values);
    } catch (e) {
      return fail(`Cannot continue "${from.name}"`, e instanceof Error ? e.message : String(e));
    }
  }
  const samples = planSamples(rows, form, model.params, config, dataset.systemPrompt);
  // Refuse here, with the reason, when nothing would be trained (the Worker would refuse the same way, later).
  // Larger datasets are planned by the Worker only, which reports the same reason as a failed run.
  if (s.tokenizer && rows.length <= PREVIEW_LIMIT) {
    try {
      computePlan(s.tokenizer, rows, config);
    } catch (e) {
      return fail('Cannot start training', e instanceof Error ? e.message : String(e));
    }
  }
  const run = await createRun({
    datasetId: dataset.id, name: await uniqueRunName(opts.name ?? defaultRunName(dataset.name, MODE_LABELS[mode])), status: 'running', datasetName: dataset.name,
    modelName: model.name, modelSource: s.modelSource ?? '', config, templateChoice: form.template, examples, plan: null,
    totalSteps: 0, steps: [], evals: [], compareGroup: opts.compare?.group, trainTags, ...(samples ? { samples } : {}),
  });
  // The chart starts over with a new run (or comparison) and keeps showing it once it ends.
  if (!opts.compare || opts.compare.index === 0) setChartRuns([]);
  return follow(run, init, opts.compare ?? null);
}

/** Continues an interrupted, stopped or failed run from its stored checkpoint (same data snapshot, config and seed). */
export async function resumeRun(runId: string): Promise<Run | null> {
  const why = blocker();
  if (why) return fail('Cannot resume', why);
  const run = await getRun(runId);
  const ckpt = await latestCheckpoint(runId);
  if (!run || !run.config || !ckpt) return fail('Cannot resume', 'This run has no stored checkpoint any more.');
  const model = trainState().modelInfo!;
  if (model.name !== run.modelName) return fail('Load the run’s model first', `This run trains ${run.modelName}, but ${model.name} is loaded.`, runId);
  const k = ckpt.step;
  const history = { steps: run.steps.filter((p) => p.step <= k), evals: run.evals.filter((p) => p.step <= k), samples: samplesUpTo(run.samples, k) };
  await updateRun(runId, { ...history, status: 'running', error: undefined });
  return follow({ ...run, ...history, status: 'running' }, ckpt.checkpoint, null);
}

async function follow(run: Run, resume: RunCheckpoint | null, compare: LiveRun['compare']): Promise<Run | null> {
  const release = holdLock(run.id);
  const mode = run.config!.label.mode;
  setTrainMessage(null);
  setLive({
    runId: run.id, name: run.name, mode, status: 'starting', plan: run.plan, totalSteps: run.totalSteps,
    steps: run.steps, evals: run.evals, resumedFrom: resume && resume.snapshot.step > 0 ? resume.snapshot.step : null, compare, samples: run.samples,
  });
  let lastFlush = performance.now();
  // Checkpoints are written one after another; the end of the run waits for them.
  let saving: Promise<void> = Promise.resolve();
  const history = () => {
    const l = trainState().liveRun;
    return { steps: l?.steps ?? [], evals: l?.evals ?? [], samples: l?.samples ?? run.samples };
  };
  const onEvent = (e: EngineEvent) => {
    if (e.type === 'plan') {
      updateLive({ plan: e.plan, totalSteps: e.plan.totalSteps, status: 'running' });
      void updateRun(run.id, { plan: e.plan, totalSteps: e.plan.totalSteps });
    } else if (e.type === 'step') {
      const p: StepPoint = { step: e.step, epoch: e.epoch, loss: e.loss, lr: e.lr, gradNorm: e.gradNorm, tokensPerSec: e.tokensPerSec, elapsed: e.elapsed };
      if (e.answerLoss !== undefined) p.answerLoss = e.answerLoss;
      if (e.promptLoss !== undefined) p.promptLoss = e.promptLoss;
      updateLive((l) => ({ steps: [...l.steps, p], status: l.status === 'starting' ? 'running' : l.status }));
      if (performance.now() - lastFlush > FLUSH_MS) {
        lastFlush = performance.now();
        void updateRun(run.id, history()).catch(() => {});
      }
    } else if (e.type === 'sample') {
      addLiveSample(e);
    } else if (e.type === 'eval') {
      updateLive((l) => ({ evals: [...l.evals, { step: e.step, loss: e.loss }] }));
    } else if (e.type === 'checkpoint') {
      const snapshot = { checkpoint: e.checkpoint, history: history() };
      saving = saving.then(() =>
        saveCheckpoint(run, snapshot.checkpoint, snapshot.history).catch((err: Error) =>
          setTrainMessage({ tone: 'warning', title: 'A checkpoint could not be saved', text: `${err.message} Training goes on; a reload now could not resume from it.`, runId: run.id }),
        ),
      );
    }
  };
  let lost = false;
  const offLost = engine().subscribe((e) => {
    if (e.type === 'deviceLost') lost = true;
  });
  try {
    const done = await engine().call(
      { type: 'train', runId: run.id, examples: run.examples, config: run.config!, ...(resume ? { resume } : {}), ...sampleRequest(run) },
      ['trainDone'],
      onEvent,
    );
    const status: RunStatus = done.reason;
    if (status === 'nonfinite') {
      // Mark the step that blew up (the Worker reports no step event for it), so the chart shows where.
      updateLive((l) => {
        const prev = l.steps[l.steps.length - 1];
        return { steps: [...l.steps, { step: done.steps + 1, epoch: prev?.epoch ?? 0, loss: NaN, lr: prev?.lr ?? 0, gradNorm: NaN, tokensPerSec: 0, elapsed: prev?.elapsed ?? 0 }] };
      });
    }
    const patch: Partial<Run> = { ...history(), status, finishedAt: Date.now() };
    if (run.config!.lora) {
      markWorkerAdapter(run.id);
      const files = await engine().call({ type: 'exportAdapter', runId: run.id }, ['adapterFiles']);
      patch.adapter = { configText: files.files.configText, weights: files.files.weights, readme: readmeWithName(files.files.readme, (await getRun(run.id))?.name ?? run.name) };
    }
    await saving;
    await updateRun(run.id, patch);
    // A stopped run keeps the checkpoint the Worker wrote where it stopped, so it can be continued later.
    if (status !== 'stopped') await deleteCheckpoints(run.id);
    const steps = history().steps;
    if (status === 'nonfinite')
      setTrainMessage({
        tone: 'danger', runId: run.id, title: `Stopped at step ${done.steps + 1}: the loss became NaN or infinite`,
        text: `The adapter keeps the last good state (step ${done.steps}). Lower the learning rate or the grad-clip norm, or check for very long examples, then train again.`,
      });
    else if (status === 'stopped') setTrainMessage({ tone: 'info', runId: run.id, title: `Stopped at step ${done.steps}`, text: 'The adapter of the steps done so far was kept and can be tried and exported; the run can also be continued from where it stopped.' });
    else {
      const plan = trainState().liveRun?.plan ?? run.plan;
      const evalPart = done.finalEvalLoss !== null ? `, validation loss ${done.finalEvalLoss.toFixed(4)}` : plan?.evalNote ? ` (${plan.evalNote})` : '';
      setTrainMessage({ tone: 'success', runId: run.id, title: `Finished ${done.steps} steps`, text: `${finalLossText(steps, formatLoss, true)}${evalPart}.` });
    }
    return { ...run, ...patch } as Run;
  } catch (e) {
    let message = e instanceof Error ? e.message : String(e);
    // A lost device fails the run's GPU reads (often as an abort) around the time its 'deviceLost' event arrives.
    if (!lost) await new Promise((r) => setTimeout(r, 300));
    if (lost || trainState().gpuStatus === 'lost') {
      const at = history().steps.length ? history().steps[history().steps.length - 1].step : 0;
      message = `The GPU device was lost after step ${at}. Reconnect the GPU (banner above), load the model again, then resume the run from its last checkpoint.`;
    }
    await saving;
    await updateRun(run.id, { ...history(), status: 'failed', error: message }).catch(() => {});
    // Its checkpoint stays: after e.g. a lost GPU the run can resume from it.
    return fail('Training failed', message, run.id);
  } finally {
    offLost();
    if (history().steps.length > 0) toggleChartRun(run.id, true);
    setLive(null);
    release();
  }
}

/** Trains the same data twice, masked and unmasked (or the other way round), one after the other. */
export async function compareMasking(): Promise<void> {
  const s = trainState();
  const why = blocker();
  if (why) return void fail('Cannot start the comparison', why);
  const rows = s.trainForm.datasetId ? await listExamples(s.trainForm.datasetId) : [];
  const kinds = new Set<ExampleBody['kind']>(rows.map((e) => e.body.kind));
  const first = s.trainForm.mode ?? recommendedMode(kinds);
  const second = comparisonMode(first, kinds);
  const group = crypto.randomUUID();
  compareCancelled = false;
  const a = await startTraining({ mode: first, compare: { group, index: 0, of: 2 } });
  if (!a || a.status !== 'finished' || compareCancelled) return;
  const b = await startTraining({ mode: second, compare: { group, index: 1, of: 2 } });
  if (b?.status === 'finished')
    setTrainMessage({
      tone: 'success', runId: b.id, title: 'Comparison ready',
      text: `Both runs are on the chart. Try the same prompt with each adapter in the Playground.`,
    });
}

export function pauseTraining(): void {
  engine().send({ type: 'control', action: 'pause' });
  updateLive({ status: 'paused' });
  const id = trainState().liveRun?.runId;
  if (id) void updateRun(id, { status: 'paused' });
}

export function resumeTraining(): void {
  engine().send({ type: 'control', action: 'resume' });
  updateLive({ status: 'running' });
  const id = trainState().liveRun?.runId;
  if (id) void updateRun(id, { status: 'running' });
}

export function stopTraining(): void {
  compareCancelled = true;
  engine().send({ type: 'control', action: 'stop' });
  updateLive({ status: 'stopping' });
}
