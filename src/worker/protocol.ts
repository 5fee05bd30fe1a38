/**
 * The one typed message protocol between the UI (main thread) and the engine Worker, which owns the GPU device.
 * Requests carry an id; every event that answers a request echoes it. Training and generation stream events.
 */
import type { AdapterSummary } from '../engine/gpu/device';
import type { ModelConfig } from '../engine/model/config';
import type { LoadProgress } from '../engine/io/stream';
import type { HubErrorKind } from '../engine/io/errors';
import type { Turn } from '../data/types';
import type { RunCheckpoint, RunConfig, RunPlan } from '../train/run';
import type { TrainingExample } from '../train/data';
import type { SampleOutput, SamplePrompt } from '../train/samples';
import type { ExportEvent, ExportRequest } from './exportProtocol';

export type ModelSourceSpec =
  /** A model served by this app (public/models/NAME), e.g. the built-in base model. */
  | { kind: 'builtin'; baseUrl: string; name: string }
  | { kind: 'hub'; endpoint?: string; repo: string; revision?: string; token?: string }
  | { kind: 'files'; files: File[] };

export interface ModelInfo {
  name: string;
  config: ModelConfig;
  params: number;
  weightBytes: number;
  /** How the weight matrices are stored on the GPU (the memory plan counts them so); absent from older builds. */
  weightFormat?: 'f32' | 'f16';
  loadSeconds: number;
  /** The tokenizer files, so the UI can tokenize (token view, counts) without asking the Worker. */
  tokenizerJson: unknown;
  tokenizerConfig: unknown;
  generationConfig: unknown;
}

export interface SamplingRequest {
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
  stopStrings: string[];
}

export type GeneratePrompt = { kind: 'text'; text: string } | { kind: 'chat'; messages: Turn[]; template?: string };

export type EngineRequest =
  | { id: number; type: 'init' }
  | { id: number; type: 'loadModel'; source: ModelSourceSpec }
  | { id: number; type: 'cancelLoad' }
  | { id: number; type: 'train'; runId: string; examples: TrainingExample[]; config: RunConfig; resume?: RunCheckpoint } & TrainSampleFields
  | { id: number; type: 'control'; action: 'pause' | 'resume' | 'stop' }
  /** adapter: a run id whose adapter the Worker holds, or null for the base model alone. */
  | { id: number; type: 'generate'; prompt: GeneratePrompt; adapter: string | null; sampling: SamplingRequest }
  | { id: number; type: 'stopGenerate' }
  | { id: number; type: 'exportAdapter'; runId: string }
  /** Give the Worker an adapter saved earlier (e.g. from IndexedDB after a reload). */
  | { id: number; type: 'loadAdapter'; runId: string; configText: string; weights: Uint8Array }
  | TokenLossesRequest
  | ExportRequest
  /** Test hook: destroy the GPUDevice directly, as a driver reset would (answered by a 'deviceLost' event). */
  | { id: number; type: 'simulateDeviceLoss' };

/**
 * What kind of failure an 'error' event reports, so the UI can title it without parsing the message: the hub's own
 * kinds (repo-not-found, gated, network, …), 'bad-file' (a malformed or truncated model file), 'unsupported' (a
 * config.json the engine cannot run), 'gpu-unavailable', 'gpu-limit', 'cancelled', or 'other'.
 */
export type EngineErrorKind = HubErrorKind | 'bad-file' | 'unsupported' | 'gpu-unavailable' | 'gpu-limit' | 'cancelled' | 'other';

export interface AdapterFilesMessage {
  runId: string;
  configText: string;
  weights: Uint8Array;
  readme: string;
}

export type EngineEvent =
  | { id: number; type: 'ready'; adapter: AdapterSummary; features: { shaderF16: boolean; subgroups: boolean; timestampQuery: boolean } }
  | { id: number; type: 'error'; message: string; request: EngineRequest['type']; kind?: EngineErrorKind; file?: string; reason?: 'no-api' | 'no-adapter' | 'device-failed' }
  | { id: number; type: 'loadProgress'; progress: LoadProgress }
  | { id: number; type: 'modelLoaded'; info: ModelInfo }
  | { id: number; type: 'plan'; runId: string; plan: RunPlan }
  | { id: number; type: 'step'; runId: string; step: number; epoch: number; loss: number; lr: number; gradNorm: number; tokensPerSec: number; elapsed: number; totalSteps: number } & StepSplitFields
  | { id: number; type: 'eval'; runId: string; step: number; loss: number }
  | { id: number; type: 'checkpoint'; runId: string; checkpoint: RunCheckpoint }
  | { id: number; type: 'trainDone'; runId: string; reason: 'finished' | 'stopped' | 'nonfinite'; steps: number; finalEvalLoss: number | null }
  | { id: number; type: 'token'; text: string; tokenId: number }
  | { id: number; type: 'generateDone'; reason: 'eos' | 'stop-string' | 'max-tokens' | 'stopped'; text: string; promptTokens: number; /** The prompt as the model saw it (after the template, special tokens kept). */ promptText?: string }
  | { id: number; type: 'adapterFiles'; files: AdapterFilesMessage }
  | { id: number; type: 'adapterLoaded'; runId: string }
  | { id: number; type: 'deviceLost'; message: string }
  | SampleEvent
  | TokenLossesEvent
  | ExportEvent;

export type EngineEventType = EngineEvent['type'];

/**
 * A step's mean loss on the answer tokens only, and (full-sequence runs) on the other trained tokens — prompt, system
 * text, template markup — of the same batches. Absent when there is none (e.g. a text-only dataset).
 */
export interface StepSplitFields {
  answerLoss?: number;
  promptLoss?: number;
}

/** Validation prompts sampled greedily every `config.sampleEvery` steps of a 'train' request (answered by 'sample'). */
export interface TrainSampleFields {
  samplePrompts?: SamplePrompt[];
}

/** The continuations of every sample prompt (in order) by the model as of `step`. */
export type SampleEvent = { id: number; type: 'sample'; runId: string; step: number; outputs: SampleOutput[] };

/**
 * Per-token losses of one labelled example (forward only) under the base model (adapter null) or a held adapter;
 * answered by 'tokenLosses': N per-position losses (position t scores labels[t + 1]) and, when cheap, the argmax ids.
 */
export type TokenLossesRequest = { id: number; type: 'tokenLosses'; inputIds: number[]; labels: number[]; adapter: string | null };
export type TokenLossesEvent = { id: number; type: 'tokenLosses'; losses: Float32Array; predicted: Int32Array | null };
