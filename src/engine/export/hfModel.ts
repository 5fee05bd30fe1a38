/**
 * A Hugging Face model folder, streamed: config.json, the weights as model.safetensors or as shards
 * model-0000N-of-0000M.safetensors + model.safetensors.index.json (as save_pretrained splits them), the tokenizer
 * files, generation_config.json and a README model card. Every shard's safetensors header is computed from the shapes
 * before any weight is read, so each tensor is read, merged, encoded and written on its own.
 */
import type { WeightDtype } from '../io/safetensors';
import type { ModelConfig } from '../model/config';
import { encodeF32, torchDtypeOf } from './merge';
import { mainDtype, type ExportTensor, type WeightSource } from './weights';
import { textFile, type PlannedFile } from './sink';

/** save_pretrained's default max_shard_size is 5 GB; we keep shards under 2 GB (zip and browser friendly). */
export const DEFAULT_SHARD_BYTES = 2_000_000_000;

const BYTES: Record<WeightDtype, number> = { F32: 4, F16: 2, BF16: 2 };

export interface HfModelOptions {
  config: ModelConfig;
  /** The base model's config.json as read (unknown keys are kept). */
  configJson: Record<string, unknown>;
  weights: WeightSource;
  /** Store every tensor in this dtype instead of the base checkpoint's. */
  dtype?: WeightDtype;
  maxShardBytes?: number;
  /** tokenizer.json, tokenizer_config.json, … as they should be written. */
  extraFiles?: PlannedFile[];
  generationConfig?: unknown;
  readme: string;
}

interface Placed extends ExportTensor {
  store: WeightDtype;
  bytes: number;
}

/** Header bytes of a safetensors file holding `tensors` in this order (8-byte length + space-padded JSON). */
export function safetensorsHeader(tensors: readonly { name: string; dtype: WeightDtype; shape: number[]; bytes: number }[], metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const entries = [`"__metadata__":${JSON.stringify(metadata)}`];
  let at = 0;
  for (const t of tensors) {
    entries.push(`${JSON.stringify(t.name)}:${JSON.stringify({ dtype: t.dtype, shape: t.shape, data_offsets: [at, at + t.bytes] })}`);
    at += t.bytes;
  }
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  const n = Math.ceil(json.byteLength / 8) * 8;
  const out = new Uint8Array(8 + n).fill(0x20, 8);
  new DataView(out.buffer).setUint32(0, n, true);
  out.set(json, 8);
  return out;
}

/** Splits tensors into shards of at most `max` data bytes, in order (a tensor larger than `max` gets a shard alone). */
export function planShards<T extends { bytes: number }>(tensors: readonly T[], max: number): T[][] {
  const shards: T[][] = [];
  let cur: T[] = [], size = 0;
  for (const t of tensors) {
    if (cur.length && size + t.bytes > max) {
      shards.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(t);
    size += t.bytes;
  }
  if (cur.length) shards.push(cur);
  return shards;
}

function shardFile(name: string, tensors: Placed[], weights: WeightSource): PlannedFile {
  const header = safetensorsHeader(tensors.map((t) => ({ name: t.name, dtype: t.store, shape: t.shape, bytes: t.bytes })));
  return {
    name,
    size: header.byteLength + tensors.reduce((a, t) => a + t.bytes, 0),
    async *bytes(signal) {
      yield header;
      for (const t of tensors) {
        const v = await weights.read(t.name, signal);
        yield encodeF32(v, t.store);
      }
    },
  };
}

const pad = (i: number) => String(i).padStart(5, '0');

/** The files of the folder, weights first (the index and config last), each produced only when written. */
export function hfModelFiles(o: HfModelOptions): PlannedFile[] {
  const placed: Placed[] = o.weights.tensors.map((t) => {
    const store = o.dtype ?? t.dtype;
    return { ...t, store, bytes: t.shape.reduce((a, d) => a * d, 1) * BYTES[store] };
  });
  const shards = planShards(placed, o.maxShardBytes ?? DEFAULT_SHARD_BYTES);
  const files: PlannedFile[] = [];
  const weightMap: Record<string, string> = {};
  shards.forEach((s, i) => {
    const name = shards.length === 1 ? 'model.safetensors' : `model-${pad(i + 1)}-of-${pad(shards.length)}.safetensors`;
    for (const t of s) weightMap[t.name] = name;
    files.push(shardFile(name, s, o.weights));
  });
  const dtype = o.dtype ?? mainDtype(o.weights.tensors);
  const cfg: Record<string, unknown> = { ...o.configJson, torch_dtype: torchDtypeOf(dtype) };
  if ('dtype' in o.configJson) cfg.dtype = torchDtypeOf(dtype);
  delete cfg._name_or_path;
  files.push(...(o.extraFiles ?? []));
  files.push(textFile('generation_config.json', JSON.stringify(o.generationConfig ?? generationConfigOf(o.config), null, 2) + '\n'));
  files.push(textFile('README.md', o.readme));
  files.push(textFile('config.json', JSON.stringify(cfg, null, 2) + '\n'));
  if (shards.length > 1) {
    const total = placed.reduce((a, t) => a + t.bytes, 0);
    const params = placed.reduce((a, t) => a + t.shape.reduce((x, d) => x * d, 1), 0);
    const index = { metadata: { total_parameters: params, total_size: total }, weight_map: weightMap };
    files.push(textFile('model.safetensors.index.json', JSON.stringify(index, null, 2) + '\n'));
  }
  return files;
}

/** What transformers derives from config.json when a model has no generation_config.json. */
export function generationConfigOf(c: ModelConfig): Record<string, unknown> {
  const eos = c.eosTokenIds.length === 1 ? c.eosTokenIds[0] : c.eosTokenIds;
  return { _from_model_config: true, ...(c.bosTokenId !== null ? { bos_token_id: c.bosTokenId } : {}), ...(c.eosTokenIds.length ? { eos_token_id: eos } : {}), ...(c.padTokenId !== null ? { pad_token_id: c.padTokenId } : {}) };
}
