/**
 * Training runs and their checkpoints, on the `runs` and `checkpoints` tables declared in schema.ts (no new indexes:
 * runs are looked up by id and listed whole, checkpoints by the existing `runId` index).
 *
 * A run row keeps everything needed to show, resume and export it without the dataset or the Worker: the config, a
 * snapshot of the examples it trained on (so a resume sees exactly the same data even if the dataset was edited),
 * the loss history, and — once finished — the PEFT adapter files. Only the latest checkpoint of a run is kept.
 */
import { deleteEvalResults } from './evals';
import type { RunCheckpoint, RunConfig, RunPlan } from '../train/run';
import type { TrainingExample } from '../train/data';
import type { SampleOutput, SamplePrompt } from '../train/samples';
import { getDb, newId, type CheckpointRow, type RunRow } from './schema';

export type RunStatus = 'running' | 'paused' | 'finished' | 'stopped' | 'nonfinite' | 'failed' | 'imported';

export interface StepPoint {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  gradNorm: number;
  tokensPerSec: number;
  elapsed: number;
  /** Mean loss on the answer tokens only (every run that has answers; for masked runs it equals `loss`). */
  answerLoss?: number;
  /** Full-sequence runs: mean loss on the other trained tokens (prompt, system text, template markup). */
  promptLoss?: number;
}

export interface EvalPoint {
  step: number;
  loss: number;
}

/** Validation samples of a run (the dashboard): its fixed prompts, their short labels, and each sampled step's outputs. */
export interface SampleSet {
  prompts: SamplePrompt[];
  labels: string[];
  points: { step: number; outputs: SampleOutput[] }[];
}

export interface StoredAdapter {
  configText: string;
  weights: Uint8Array;
  readme: string;
}

export interface Run {
  id: string;
  /** '' for an imported adapter. */
  datasetId: string;
  createdAt: number;
  updatedAt: number;
  name: string;
  status: RunStatus;
  datasetName: string;
  /** ModelInfo.name of the base model. */
  modelName: string;
  modelSource: string;
  config: RunConfig | null;
  /** 'model' (the tokenizer's chat template) or a preset id, for display. */
  templateChoice: string;
  examples: TrainingExample[];
  plan: RunPlan | null;
  totalSteps: number;
  steps: StepPoint[];
  evals: EvalPoint[];
  error?: string;
  /** Shared by the runs of one "Compare masking" launch. */
  compareGroup?: string;
  /** Validation samples taken during the run (RunConfig.sampleEvery), if any. */
  samples?: SampleSet;
  adapter?: StoredAdapter;
  finishedAt?: number;
  /** Tags of the examples the run trained on (its training split). The Evaluate page calls other tags unseen (zero-shot). */
  trainTags?: string[];
}

export interface StoredCheckpoint {
  id: string;
  runId: string;
  step: number;
  createdAt: number;
  checkpoint: RunCheckpoint;
}

const toRow = (r: Run): RunRow => r as unknown as RunRow;
const fromRow = (r: RunRow): Run => r as unknown as Run;

export async function createRun(init: Omit<Run, 'id' | 'createdAt' | 'updatedAt'>): Promise<Run> {
  const now = Date.now();
  const run: Run = { ...init, id: newId(), createdAt: now, updatedAt: now };
  await getDb().runs.add(toRow(run));
  return run;
}

export async function getRun(id: string): Promise<Run | undefined> {
  const row = await getDb().runs.get(id);
  return row ? fromRow(row) : undefined;
}

/** Newest first. */
export async function listRuns(): Promise<Run[]> {
  const rows = await getDb().runs.toArray();
  return rows.map(fromRow).sort((a, b) => b.createdAt - a.createdAt);
}

export async function updateRun(id: string, patch: Partial<Omit<Run, 'id' | 'createdAt'>>): Promise<void> {
  const n = await getDb().runs.update(id, { ...patch, updatedAt: Date.now() } as Partial<RunRow>);
  if (n === 0) throw new Error('That run no longer exists.');
}

/** Stores the run's latest checkpoint (dropping older ones) and its history up to it, in one transaction. */
export async function saveCheckpoint(run: Pick<Run, 'id' | 'datasetId'>, checkpoint: RunCheckpoint, history: Pick<Run, 'steps' | 'evals'>): Promise<void> {
  const db = getDb();
  await db.transaction('rw', db.runs, db.checkpoints, async () => {
    await db.checkpoints.where('runId').equals(run.id).delete();
    const row: StoredCheckpoint & { datasetId: string } = {
      id: newId(), runId: run.id, datasetId: run.datasetId, step: checkpoint.snapshot.step, createdAt: Date.now(), checkpoint,
    };
    await db.checkpoints.add(row as unknown as CheckpointRow);
    await db.runs.update(run.id, { steps: history.steps, evals: history.evals, updatedAt: Date.now() } as Partial<RunRow>);
  });
}

export async function latestCheckpoint(runId: string): Promise<StoredCheckpoint | undefined> {
  const rows = (await getDb().checkpoints.where('runId').equals(runId).toArray()) as unknown as StoredCheckpoint[];
  return rows.sort((a, b) => b.step - a.step)[0];
}

/** Steps of each run's stored checkpoint, by run id (for "Resume from step K" offers). */
export async function checkpointSteps(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  await getDb().checkpoints.each((row) => {
    const c = row as unknown as StoredCheckpoint;
    out.set(c.runId, Math.max(out.get(c.runId) ?? 0, c.step));
  });
  return out;
}

export async function deleteCheckpoints(runId: string): Promise<void> {
  await getDb().checkpoints.where('runId').equals(runId).delete();
}

/** Deletes a run with its checkpoints. */
export async function deleteRun(id: string): Promise<void> {
  const db = getDb();
  // With its checkpoints and its evaluation results and ratings (stored under the run id as the model key).
  await db.transaction('rw', [db.runs, db.checkpoints, db.evalResults, db.ratings], async () => {
    await db.checkpoints.where('runId').equals(id).delete();
    await db.runs.delete(id);
    await deleteEvalResults(id);
  });
}

/** An adapter folder brought in from disk becomes a run of its own, so the playground and export list it. */
export async function importAdapterRun(init: { name: string; modelName: string; adapter: StoredAdapter }): Promise<Run> {
  return createRun({
    datasetId: '', name: init.name, status: 'imported', datasetName: '', modelName: init.modelName, modelSource: '',
    config: null, templateChoice: 'model', examples: [], plan: null, totalSteps: 0, steps: [], evals: [], adapter: init.adapter,
  });
}
