/**
 * Training checkpoints on disk for `train --checkpoint-every N` / `--resume`: OUT/checkpoint/state.safetensors holds,
 * for every trainable tensor, its values and both AdamW moments (`param/NAME`, `m/NAME`, `v/NAME`, f32), and in the
 * safetensors metadata the step, the data position (epoch, micro-batch cursor) and what the run was started with,
 * so a resumed run can refuse settings or data that would not continue the same trajectory.
 * Written to a temporary file and renamed, so an interrupted write never leaves a broken checkpoint.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSafetensorsHeader, readHeaderLength, serializeSafetensors, type TensorToWrite } from '../engine/io/safetensors';
import { convertBytes } from '../engine/io/convert';
import type { RunCheckpoint } from '../train/run';

export const CHECKPOINT_DIR = 'checkpoint';
const FILE = 'state.safetensors';
const KEY = 'studio_checkpoint';

/** What must be the same for a resumed run to continue exactly. Values are compared as JSON. */
export type CheckpointIdentity = Record<string, unknown>;

interface Meta {
  version: 1;
  step: number;
  epoch: number;
  cursor: number;
  identity: CheckpointIdentity;
}

export function checkpointPath(outDir: string): string {
  return join(outDir, CHECKPOINT_DIR, FILE);
}

export function writeCheckpoint(outDir: string, c: RunCheckpoint, identity: CheckpointIdentity): string {
  const dir = join(outDir, CHECKPOINT_DIR);
  mkdirSync(dir, { recursive: true });
  const tensors: TensorToWrite[] = c.snapshot.tensors.flatMap((t) => [
    { name: `param/${t.name}`, dtype: 'F32' as const, shape: [t.param.length], data: t.param },
    { name: `m/${t.name}`, dtype: 'F32' as const, shape: [t.m.length], data: t.m },
    { name: `v/${t.name}`, dtype: 'F32' as const, shape: [t.v.length], data: t.v },
  ]);
  const meta: Meta = { version: 1, step: c.snapshot.step, epoch: c.epoch, cursor: c.cursor, identity };
  const path = join(dir, FILE);
  writeFileSync(`${path}.tmp`, serializeSafetensors(tensors, { format: 'pt', [KEY]: JSON.stringify(meta) }));
  renameSync(`${path}.tmp`, path);
  return path;
}

/**
 * Reads OUT/checkpoint and checks it was made by a run with the same identity. Throws naming what differs, or that
 * there is no checkpoint.
 */
export function readCheckpoint(outDir: string, identity: CheckpointIdentity): RunCheckpoint {
  const path = checkpointPath(outDir);
  if (!existsSync(path)) throw new Error(`--resume: there is no checkpoint at ${path} (start without --resume, with --checkpoint-every N)`);
  const bytes = new Uint8Array(readFileSync(path));
  const ctx = { fileName: path, fileSize: bytes.byteLength };
  const header = parseSafetensorsHeader(bytes.subarray(0, 8 + readHeaderLength(bytes.subarray(0, 8), ctx)), ctx);
  let meta: Meta;
  try {
    meta = JSON.parse(header.metadata[KEY] ?? '') as Meta;
  } catch {
    throw new Error(`${path} is not a training checkpoint written by this CLI`);
  }
  if (meta.version !== 1) throw new Error(`${path}: unsupported checkpoint version ${String(meta.version)}`);
  const differs = Object.keys({ ...identity, ...meta.identity }).filter(
    (k) => JSON.stringify(identity[k]) !== JSON.stringify(meta.identity[k]),
  );
  if (differs.length) {
    const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v).slice(0, 60));
    const lines = differs.map((k) => `  ${k}: checkpoint ${show(meta.identity[k])}, now ${show(identity[k])}`);
    throw new Error(`--resume: the checkpoint was made with different settings or data, so it would not continue the same run:\n${lines.join('\n')}`);
  }
  const read = (name: string): Float32Array => {
    const info = header.tensors.find((t) => t.name === name);
    if (!info || info.dtype !== 'F32') throw new Error(`${path} is missing ${name}`);
    return convertBytes(bytes.slice(header.dataOffset + info.begin, header.dataOffset + info.end), 'F32', 'f32');
  };
  const names = header.tensors.filter((t) => t.name.startsWith('param/')).map((t) => t.name.slice('param/'.length));
  const tensors = names.map((name) => ({ name, param: read(`param/${name}`), m: read(`m/${name}`), v: read(`v/${name}`) }));
  return { snapshot: { step: meta.step, tensors }, epoch: meta.epoch, cursor: meta.cursor };
}
