/**
 * Resumable pretraining checkpoints: `state.safetensors` holds every trainable tensor with its two AdamW moments
 * (`param.NAME`, `m.NAME`, `v.NAME`, F32) and `state.json` the rest (optimizer step, data position, wall time,
 * metrics). Both are written to a temporary name and renamed, tensors first, so a crash mid-write leaves the previous
 * checkpoint readable; the step is stored in both and checked on load.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSafetensorsHeader, serializeSafetensors, type TensorToWrite } from '../engine/io/safetensors';
import type { TrainerSnapshot } from '../engine/train/trainer';

export interface EvalPoint {
  step: number;
  tokens: number;
  loss: number;
  /** Training wall time so far, seconds. */
  seconds: number;
}

export interface PretrainState {
  version: 1;
  preset: string;
  seed: number;
  /** config.json the model was built from. */
  configJson: Record<string, unknown>;
  /** Optimizer steps taken (= TrainerSnapshot.step). */
  step: number;
  /** Micro-batches consumed from the sampler. */
  dataPos: number;
  tokensSeen: number;
  /** Training wall time across sessions, seconds. */
  seconds: number;
  /** The wall-time budget the LR schedule spans (minutes mode), seconds; or null. */
  budgetSeconds: number | null;
  /** The step budget the LR schedule spans (steps mode); or null. */
  budgetSteps: number | null;
  evals: EvalPoint[];
  /** Mean training loss over the last logged window. */
  recentTrainLoss: number | null;
  machine: string;
  /** The model directory the run continued (--init-from), or null/absent for a seeded initialisation. */
  initFrom?: string | null;
  /** Share of rows from dialogue documents (absent = 0). */
  dialogue?: number;
  /** The starting model's score on the final evaluation windows (continued runs). */
  startEval?: { loss: number; bpb: number; targets: number };
}

const STATE = 'state.json';
const TENSORS = 'state.safetensors';

export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, STATE)) && existsSync(join(dir, TENSORS));
}

export function saveCheckpoint(dir: string, state: PretrainState, snap: TrainerSnapshot): void {
  if (snap.step !== state.step) throw new Error(`checkpoint step mismatch: trainer ${snap.step}, state ${state.step}`);
  const tensors: TensorToWrite[] = [];
  for (const t of snap.tensors) {
    const shape = [t.param.length];
    tensors.push({ name: `param.${t.name}`, dtype: 'F32', shape, data: t.param });
    tensors.push({ name: `m.${t.name}`, dtype: 'F32', shape, data: t.m });
    tensors.push({ name: `v.${t.name}`, dtype: 'F32', shape, data: t.v });
  }
  const bytes = serializeSafetensors(tensors, { step: String(state.step) });
  const tPath = join(dir, TENSORS), sPath = join(dir, STATE);
  writeFileSync(`${tPath}.tmp`, bytes);
  renameSync(`${tPath}.tmp`, tPath);
  writeFileSync(`${sPath}.tmp`, JSON.stringify(state, null, 2) + '\n');
  renameSync(`${sPath}.tmp`, sPath);
}

export function loadCheckpoint(dir: string): { state: PretrainState; snap: TrainerSnapshot } {
  const sPath = join(dir, STATE), tPath = join(dir, TENSORS);
  if (!hasCheckpoint(dir)) throw new Error(`no checkpoint in ${dir} (expected ${STATE} and ${TENSORS})`);
  const state = JSON.parse(readFileSync(sPath, 'utf8')) as PretrainState;
  if (state.version !== 1) throw new Error(`${sPath}: unknown checkpoint version ${String(state.version)}`);
  const file = new Uint8Array(readFileSync(tPath));
  const header = parseSafetensorsHeader(file, { fileName: tPath, fileSize: file.byteLength });
  if (header.metadata.step !== String(state.step))
    throw new Error(`${dir}: ${TENSORS} is from step ${header.metadata.step} but ${STATE} from step ${state.step} (interrupted save); cannot resume safely`);
  const parts = new Map<string, Float32Array>();
  for (const t of header.tensors) {
    if (t.dtype !== 'F32') throw new Error(`${tPath}: tensor ${t.name} is ${t.dtype}, expected F32`);
    const start = header.dataOffset + t.begin;
    parts.set(t.name, new Float32Array(file.buffer.slice(file.byteOffset + start, file.byteOffset + header.dataOffset + t.end)));
  }
  const tensors: TrainerSnapshot['tensors'] = [];
  for (const [key, param] of parts) {
    if (!key.startsWith('param.')) continue;
    const name = key.slice('param.'.length);
    const m = parts.get(`m.${name}`), v = parts.get(`v.${name}`);
    if (!m || !v) throw new Error(`${tPath}: the Adam moments of ${name} are missing`);
    tensors.push({ name, param, m, v });
  }
  return { state, snap: { step: state.step, tensors } };
}
