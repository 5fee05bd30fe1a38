import type { StateCreator } from 'zustand';
import type { StudioState } from '../index';
import type { LoadProgress } from '../../engine/io/stream';
import type { EngineErrorKind, ModelInfo, ModelSourceSpec } from '../../worker/protocol';
import { engine, EngineError } from '../../worker/client';
import { loadTokenizer, type StudioTokenizer } from '../../text/tokenizer';
import { connectGpu } from './gpu';

/**
 * UI state of the Model section: the model the engine Worker holds (its card and tokenizer), a load in progress and
 * the last failure. A failed or cancelled load leaves the previous model loaded (the Worker swaps only on success).
 */

export interface ModelLoadError {
  kind: EngineErrorKind;
  /** The file at fault, when known. */
  file?: string;
  message: string;
  /** What was being loaded, e.g. "HuggingFaceTB/SmolLM2-135M". */
  source: string;
}

export interface ModelLoading {
  source: string;
  progress: LoadProgress | null;
  startedAt: number;
}

/** Where a model came from, kept so it can be loaded again with one click (never holds a token or files). */
export type RememberedSource = Exclude<ModelSourceSpec, { kind: 'files' } | { kind: 'hub' }> | { kind: 'hub'; endpoint?: string; repo: string; revision?: string };

export interface ModelSlice {
  modelInfo: ModelInfo | null;
  /** The loaded model's tokenizer on the main thread (token view, counts, plans). */
  tokenizer: StudioTokenizer | null;
  /** A short description of where the loaded model came from. */
  modelSource: string | null;
  modelLoading: ModelLoading | null;
  modelError: ModelLoadError | null;
  /** Why no model is loaded although one was (e.g. the GPU was lost). */
  modelNotice: string | null;
  /** Increments with every successful load: adapters held by the Worker belong to one epoch. */
  modelEpoch: number;
}

export const createModelSlice: StateCreator<StudioState, [], [], ModelSlice> = (set, get) => {
  setState = set;
  getState = get;
  return { modelInfo: null, tokenizer: null, modelSource: null, modelLoading: null, modelError: null, modelNotice: null, modelEpoch: 0 };
};

type SetState = Parameters<StateCreator<StudioState, [], [], ModelSlice>>[0];
type GetState = Parameters<StateCreator<StudioState, [], [], ModelSlice>>[1];
let setState: SetState | null = null;
let getState: GetState | null = null;
let watching = false;
let loadSeq = 0;

function store(): { set: SetState; get: GetState } {
  if (!setState || !getState) throw new Error('The studio store has not been created yet.');
  return { set: setState, get: getState };
}

const LAST_KEY = 'studio.lastModel';

export function rememberedSource(): RememberedSource | null {
  try {
    const v = JSON.parse(localStorage.getItem(LAST_KEY) ?? 'null') as RememberedSource | null;
    return v && (v.kind === 'hub' || v.kind === 'builtin') ? v : null;
  } catch {
    return null;
  }
}

function remember(spec: ModelSourceSpec): void {
  if (spec.kind === 'files') return;
  const v: RememberedSource = spec.kind === 'hub' ? { kind: 'hub', endpoint: spec.endpoint, repo: spec.repo, revision: spec.revision } : spec;
  try {
    localStorage.setItem(LAST_KEY, JSON.stringify(v));
  } catch {
    /* storage full or disabled: nothing to remember */
  }
}

/** A short label for a source, e.g. "org/name" or "org/name @ dev via http://mirror". */
export function describeSource(spec: ModelSourceSpec | RememberedSource): string {
  if (spec.kind === 'builtin') return `${spec.name} (built-in)`;
  if (spec.kind === 'files') {
    const folder = spec.files[0]?.webkitRelativePath?.split('/')[0];
    return folder ? `${folder} (local folder)` : `${spec.files.length} local files`;
  }
  const rev = spec.revision && spec.revision !== 'main' ? ` @ ${spec.revision}` : '';
  const via = spec.endpoint ? ` via ${spec.endpoint.replace(/\/+$/, '')}` : '';
  return `${spec.repo}${rev}${via}`;
}

function watch(): void {
  if (watching) return;
  watching = true;
  engine().subscribe((e) => {
    if (e.type !== 'deviceLost') return;
    const { set, get } = store();
    if (!get().modelInfo && !get().modelLoading) return;
    set({
      modelInfo: null, tokenizer: null, modelLoading: null,
      modelNotice: `The GPU was lost, and ${get().modelInfo?.name ?? 'the model'} with it. Reconnect the GPU, then load the model again.`,
    });
  });
}

/** Load a model in the Worker. Resolves true when it replaced the current model. */
export async function loadModel(spec: ModelSourceSpec): Promise<boolean> {
  const { set, get } = store();
  watch();
  const source = describeSource(spec);
  const mine = ++loadSeq;
  set({ modelLoading: { source, progress: null, startedAt: performance.now() }, modelError: null });
  if (get().gpuStatus === 'probing') await connectGpu();
  if (get().gpuStatus !== 'ready') {
    const why = get().gpuStatus === 'lost' ? 'The GPU device was lost: reconnect it (banner above), then load the model.' : 'Loading a model needs WebGPU: the weights go straight to the GPU. The Device page says how to enable it.';
    set({ modelLoading: null, modelError: { kind: 'gpu-unavailable', message: why, source } });
    return false;
  }
  try {
    const done = await engine().call({ type: 'loadModel', source: spec }, ['modelLoaded'], (e) => {
      if (e.type === 'loadProgress' && mine === loadSeq) set({ modelLoading: { ...get().modelLoading!, progress: e.progress } });
    });
    const tokenizer = await loadTokenizer({ tokenizerJson: done.info.tokenizerJson, tokenizerConfig: done.info.tokenizerConfig });
    remember(spec);
    set((s) => ({
      modelInfo: done.info, tokenizer, modelSource: source, modelNotice: null, modelEpoch: s.modelEpoch + 1,
      ...(mine === loadSeq ? { modelLoading: null } : {}),
    }));
    return true;
  } catch (e) {
    if (mine !== loadSeq) return false;
    const err = e instanceof EngineError ? e : null;
    const kind = err?.kind ?? 'other';
    set({
      modelLoading: null,
      modelError: kind === 'cancelled' ? null : { kind, file: err?.file, message: e instanceof Error ? e.message : String(e), source },
    });
    return false;
  }
}

export function cancelModelLoad(): void {
  engine().send({ type: 'cancelLoad' });
}

export function dismissModelError(): void {
  store().set({ modelError: null });
}
