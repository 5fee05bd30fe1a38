/**
 * The model a continued pretraining run starts from (`pretrain --init-from DIR`): a directory this command exported
 * (config.json, one F32 model.safetensors under the logical HF names, tokenizer.json, tokenizer_config.json). Its
 * tokenizer is kept as it is, so held-out numbers stay comparable and token ids stay valid (the Try-it phrase list
 * depends on them); its config must be the one the chosen preset builds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSafetensorsHeader } from '../engine/io/safetensors';
import { parseModelConfig } from '../engine/model/config';
import { expectedTensors } from '../engine/model/tensors';

export interface StartModel {
  configJson: Record<string, unknown>;
  weights: Map<string, Float32Array>;
  tokenizerFiles: { tokenizerJson: Record<string, unknown>; tokenizerConfig: Record<string, unknown> };
}

function readJson(dir: string, name: string): Record<string, unknown> {
  const path = join(dir, name);
  if (!existsSync(path)) throw new Error(`--init-from: ${dir} has no ${name}`);
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

export function readStartModel(dir: string): StartModel {
  const configJson = readJson(dir, 'config.json');
  const tokenizerFiles = { tokenizerJson: readJson(dir, 'tokenizer.json'), tokenizerConfig: readJson(dir, 'tokenizer_config.json') };
  const path = join(dir, 'model.safetensors');
  if (!existsSync(path)) throw new Error(`--init-from: ${dir} has no model.safetensors (a single-file F32 export of this command is expected)`);
  const file = new Uint8Array(readFileSync(path));
  const header = parseSafetensorsHeader(file, { fileName: path, fileSize: file.byteLength });
  const byName = new Map(header.tensors.map((t) => [t.name, t]));
  const weights = new Map<string, Float32Array>();
  for (const spec of expectedTensors(parseModelConfig(configJson))) {
    const t = byName.get(spec.name);
    if (!t) throw new Error(`--init-from: ${path} has no tensor ${spec.name}`);
    if (t.dtype !== 'F32') throw new Error(`--init-from: ${path}: ${spec.name} is ${t.dtype}, expected F32`);
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (t.end - t.begin !== 4 * n) throw new Error(`--init-from: ${path}: ${spec.name} has ${(t.end - t.begin) / 4} values, expected ${n}`);
    const start = file.byteOffset + header.dataOffset + t.begin;
    weights.set(spec.name, new Float32Array(file.buffer.slice(start, start + 4 * n)));
  }
  return { configJson, weights, tokenizerFiles };
}

/** The start model's config must be exactly the one the preset and tokenizer give (same shapes, same special ids). */
export function checkStartConfig(dir: string, have: Record<string, unknown>, want: Record<string, unknown>): void {
  const keys = [...new Set([...Object.keys(have), ...Object.keys(want)])];
  const diff = keys.filter((k) => JSON.stringify(have[k]) !== JSON.stringify(want[k]));
  if (diff.length)
    throw new Error(`--init-from: ${dir}/config.json is not the chosen preset's config (${diff.map((k) => `${k}: ${JSON.stringify(have[k])} vs ${JSON.stringify(want[k])}`).join(', ')}); pass the --config and --vocab it was trained with`);
}
