/**
 * Where exported weights come from, one tensor at a time (never the whole model in memory): the base checkpoint as
 * stored (re-read from its files, the hub cache or a Blob), the same with a LoRA adapter folded in, or the weights a
 * full-parameter run trained. Every tensor keeps the base checkpoint's dtype unless the caller asks for another.
 */
import { openCheckpoint, type Checkpoint, type CheckpointSource, type LoadTensor } from '../io/checkpoint';
import { readBytes } from '../io/source';
import { convertBytes } from '../io/convert';
import { isWeightDtype, type WeightDtype } from '../io/safetensors';
import type { ModelCache } from '../io/cache';
import type { ModelConfig } from '../model/config';
import { expectedTensors, resolveCheckpointNames } from '../model/tensors';
import type { LoraTarget } from '../model/lora';
import { mergeLora } from './merge';

export interface ExportTensor {
  /** Logical HF name (model.layers.0.self_attn.q_proj.weight). */
  name: string;
  shape: number[];
  /** The base checkpoint's dtype for this tensor. */
  dtype: WeightDtype;
}

export interface WeightSource {
  /** Every tensor of the model, in model order (expectedTensors). */
  tensors: ExportTensor[];
  /** The f32 values of one tensor (a fresh array the caller may keep or drop). */
  read(name: string, signal?: AbortSignal): Promise<Float32Array>;
}

/** The dtype most of the model's matrices are stored in (what torch_dtype should say). */
export function mainDtype(tensors: readonly ExportTensor[]): WeightDtype {
  const bytes = new Map<WeightDtype, number>();
  for (const t of tensors) if (t.shape.length === 2) bytes.set(t.dtype, (bytes.get(t.dtype) ?? 0) + t.shape[0] * t.shape[1]);
  return [...bytes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'F32';
}

/** The base model's tensors, read back from its checkpoint. */
export async function checkpointWeights(config: ModelConfig, source: CheckpointSource, opts: { signal?: AbortSignal; cache?: ModelCache | null } = {}): Promise<WeightSource> {
  const ckpt: Checkpoint = await openCheckpoint({ source, signal: opts.signal, cache: opts.cache ?? null });
  const byName = new Map<string, LoadTensor>(ckpt.tensors.map((t) => [t.name, t]));
  const resolved = resolveCheckpointNames(config, new Map(ckpt.tensors.map((t) => [t.name, t.shape])));
  const files = new Map(ckpt.files.map((f) => [f.name, f]));
  const tensors = expectedTensors(config).map((spec) => {
    const t = byName.get(resolved.get(spec.name)!)!;
    if (!isWeightDtype(t.dtype)) throw new Error(`${t.name} is stored as ${t.dtype}; only F32, F16 and BF16 checkpoints can be exported`);
    return { name: spec.name, shape: spec.shape, dtype: t.dtype };
  });
  return {
    tensors,
    async read(name, signal) {
      const t = byName.get(resolved.get(name) ?? '');
      if (!t) throw new Error(`no tensor ${name} in the checkpoint`);
      const f = files.get(t.file)!;
      const at = f.header.dataOffset + t.begin;
      const bytes = await readBytes(f.source, at, at + t.byteLength, signal);
      return convertBytes(bytes, t.dtype as WeightDtype, 'f32');
    },
  };
}

/** `base` with the adapter folded in: W + s·B·A for every target's weight, everything else unchanged. */
export function mergedWeights(base: WeightSource, targets: readonly LoraTarget[], values: ReadonlyMap<string, Float32Array>): WeightSource {
  const byWeight = new Map(targets.map((t) => [`${t.module}.weight`, t]));
  const names = new Set(base.tensors.map((t) => t.name));
  const missing = [...byWeight.keys()].filter((n) => !names.has(n));
  if (missing.length) throw new Error(`the adapter targets modules this model does not have: ${missing.slice(0, 3).join(', ')}`);
  return {
    tensors: base.tensors,
    async read(name, signal) {
      const w = await base.read(name, signal);
      const t = byWeight.get(name);
      if (!t) return w;
      const A = values.get(t.keyA), B = values.get(t.keyB);
      if (!A || !B) throw new Error(`the adapter has no values for ${t.module}`);
      return mergeLora(w, { target: t, A, B });
    },
  };
}

/** The weights of a full-parameter run (logical name → f32), stored in the base checkpoint's dtypes. */
export function trainedWeights(base: Pick<WeightSource, 'tensors'>, values: ReadonlyMap<string, Float32Array>): WeightSource {
  for (const t of base.tensors) if (!values.has(t.name)) throw new Error(`the run has no trained values for ${t.name}`);
  return {
    tensors: base.tensors,
    read: async (name) => {
      const v = values.get(name);
      if (!v) throw new Error(`the run has no trained values for ${name}`);
      return v;
    },
  };
}
