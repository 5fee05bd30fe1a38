import type { StateCreator } from 'zustand';
import type { StudioState } from '../index';
import type { MaskMode } from '../../data/types';
import type { RunPlan } from '../../train/run';
import type { EvalPoint, SampleSet, StepPoint } from '../../db/runs';
import { DEFAULT_FORM, type TrainForm } from '../../ui/train/runConfig';

/**
 * UI state of the Train section: the form (remembered in localStorage), the run the Worker is training right now
 * (live loss history, plan, status) and which adapters the Worker holds for the loaded model. Runs themselves are
 * persisted in IndexedDB (src/db/runs.ts); the actions that drive a run are in src/ui/train/controller.ts.
 */

export type LiveStatus = 'starting' | 'running' | 'paused' | 'stopping';

export interface LiveRun {
  runId: string;
  name: string;
  mode: MaskMode;
  status: LiveStatus;
  plan: RunPlan | null;
  totalSteps: number;
  steps: StepPoint[];
  evals: EvalPoint[];
  /** The step a resumed run continued from. */
  resumedFrom: number | null;
  compare: { group: string; index: number; of: number } | null;
  /** Validation samples so far (when the run samples). */
  samples?: SampleSet;
}

export interface TrainMessage {
  tone: 'info' | 'success' | 'warning' | 'danger';
  title: string;
  text: string;
  runId?: string;
}

export interface TrainSlice {
  trainForm: TrainForm;
  liveRun: LiveRun | null;
  trainMessage: TrainMessage | null;
  /** Run ids whose adapter the Worker holds, with the model epoch they were loaded for. */
  workerAdapters: Record<string, number>;
  /** Runs drawn on the loss chart besides the live one. */
  chartRunIds: string[];
}

const FORM_KEY = 'studio.trainForm';

function initialForm(): TrainForm {
  try {
    const saved = JSON.parse(localStorage.getItem(FORM_KEY) ?? '{}') as Partial<TrainForm>;
    return { ...DEFAULT_FORM, ...saved };
  } catch {
    return DEFAULT_FORM;
  }
}

type Api = { setState: (p: Partial<StudioState> | ((s: StudioState) => Partial<StudioState>)) => void; getState: () => StudioState };
// The store hands us set/get when it is created; capturing them avoids a circular import of ../index.
let api: Api | null = null;

export const createTrainSlice: StateCreator<StudioState, [], [], TrainSlice> = (set, get) => {
  api = { setState: set, getState: get };
  return { trainForm: initialForm(), liveRun: null, trainMessage: null, workerAdapters: {}, chartRunIds: [] };
};

function store(): Api {
  if (!api) throw new Error('The studio store has not been created yet.');
  return api;
}

export function setTrainForm(patch: Partial<TrainForm>): void {
  const { setState, getState } = store();
  const next = { ...getState().trainForm, ...patch };
  setState({ trainForm: next });
  try {
    localStorage.setItem(FORM_KEY, JSON.stringify(next));
  } catch {
    /* not remembered: fine */
  }
}

export function resetTrainForm(): void {
  setTrainForm({ ...DEFAULT_FORM, datasetId: store().getState().trainForm.datasetId });
}

export function setTrainMessage(m: TrainMessage | null): void {
  store().setState({ trainMessage: m });
}

export function toggleChartRun(id: string, on: boolean): void {
  const { setState, getState } = store();
  const ids = getState().chartRunIds.filter((x) => x !== id);
  setState({ chartRunIds: on ? [...ids, id] : ids });
}

export function setChartRuns(ids: string[]): void {
  store().setState({ chartRunIds: ids });
}

export function updateLive(patch: Partial<LiveRun> | ((l: LiveRun) => Partial<LiveRun>)): void {
  store().setState((s) => (s.liveRun ? { liveRun: { ...s.liveRun, ...(typeof patch === 'function' ? patch(s.liveRun) : patch) } } : {}));
}

export function setLive(live: LiveRun | null): void {
  store().setState({ liveRun: live });
}

export function markWorkerAdapter(runId: string): void {
  store().setState((s) => ({ workerAdapters: { ...s.workerAdapters, [runId]: s.modelEpoch } }));
}

export function workerHasAdapter(runId: string): boolean {
  const s = store().getState();
  return s.workerAdapters[runId] === s.modelEpoch && s.modelEpoch > 0;
}

export function trainState(): StudioState {
  return store().getState();
}
