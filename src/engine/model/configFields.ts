/**
 * Readers for Hugging Face `config.json` fields, shared by every model-family spec (families/*.ts). Each reader
 * applies the family's HF default when a key is absent or null, and throws an Error naming the field when a value is
 * unusable, so a config the engine cannot reproduce exactly is refused, never approximated.
 */
import type { RopeScaling, RopeSpec } from './config.ts';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function fail(field: string, msg: string): never {
  throw new Error(`config.json: ${field} ${msg}`);
}

/** A positive integer; `def` applies when the key is absent or null (the HF default). */
export function posInt(j: Json, key: string, def?: number): number {
  const v = j[key] ?? def;
  if (v === undefined) fail(key, 'is required');
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(key, `must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

export function posNum(j: Json, key: string, def?: number, where = key): number {
  const v = j[key] ?? def;
  if (v === undefined) fail(where, 'is required');
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(where, `must be a positive number, got ${JSON.stringify(v)}`);
  return v;
}

export function bool(j: Json, key: string, def: boolean): boolean {
  const v = j[key] ?? def;
  if (typeof v !== 'boolean') fail(key, `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** A positive integer, or null when the key is null (absent → `def`). */
export function optPosInt(j: Json, key: string, def: number | null): number | null {
  if (j[key] === null) return null;
  if (j[key] === undefined) return def;
  return posInt(j, key);
}

export function tokenId(j: Json, key: string, def: number | null): number | null {
  const v = j[key] === undefined ? def : j[key];
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(key, `must be a token id or null, got ${JSON.stringify(v)}`);
  return v;
}

export function tokenIds(j: Json, key: string, def: number | null): number[] {
  const v = j[key] === undefined ? def : j[key];
  if (v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  for (const x of list) {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) fail(key, `must be a token id, a list of them, or null, got ${JSON.stringify(v)}`);
  }
  return list as number[];
}

export function dtypeOf(j: Json): string | null {
  const d = j.torch_dtype ?? j.dtype;
  return typeof d === 'string' ? d : null;
}

/** Refuses a key whose value is set (not absent/null/false/0) because the engine does not implement it. */
export function refuseSet(j: Json, key: string, what: string): void {
  const v = j[key];
  if (v !== undefined && v !== null && v !== false && v !== 0) fail(key, `= ${JSON.stringify(v)} is not supported (${what})`);
}

/** The activation named by `key`, which must be one of `allowed` (HF ACT2FN names) → our kernel name. */
export function activation<T extends string>(j: Json, key: string, def: string, allowed: Record<string, T>): T {
  const v = j[key] ?? def;
  if (typeof v !== 'string' || !(v in allowed)) {
    fail(key, `${JSON.stringify(v)} is not supported (supported: ${Object.keys(allowed).join(', ')})`);
  }
  return allowed[v];
}

/** Per-layer attention kinds: `layer_types` when given (validated), else `fallback(i)`. */
export function layerTypes(j: Json, nLayers: number, fallback: (i: number) => 'full_attention' | 'sliding_attention'): ('full_attention' | 'sliding_attention')[] {
  const lt = j.layer_types;
  if (lt === undefined || lt === null) return Array.from({ length: nLayers }, (_, i) => fallback(i));
  if (!Array.isArray(lt) || lt.length < nLayers || lt.some((t) => t !== 'full_attention' && t !== 'sliding_attention')) {
    fail('layer_types', `must list "full_attention" / "sliding_attention" for each of the ${nLayers} layers`);
  }
  return lt.slice(0, nLayers) as ('full_attention' | 'sliding_attention')[];
}

/**
 * RoPE parameters of one attention kind. Reads the transformers v5 layout (`rope_parameters`, flat, or keyed by layer
 * type as Gemma 3 writes it) and the v4 layout (`rope_scaling` + top-level `rope_theta`). `layerType` picks the entry
 * of a per-layer-type dict; `fallback` gives theta/scaling for a v4 config's layer type that has its own fields
 * (Gemma 3's `rope_local_base_freq`). Scaling types the engine does not implement are refused, naming the field.
 */
export function readRope(j: Json, opts: { layerType?: string; defaultTheta: number; v4?: { theta: number; scaling: Json | null } } = { defaultTheta: 10000 }): RopeSpec {
  const v5 = j.rope_parameters;
  let field: string;
  let params: Json;
  let theta: number | undefined;
  if (v5 !== undefined && v5 !== null) {
    if (!isObject(v5)) fail('rope_parameters', 'must be an object');
    const perType = ['full_attention', 'sliding_attention'].some((k) => k in v5);
    if (perType) {
      const key = opts.layerType ?? 'full_attention';
      const entry = v5[key];
      if (!isObject(entry)) fail(`rope_parameters.${key}`, 'is missing');
      field = `rope_parameters.${key}`;
      params = entry;
    } else {
      field = 'rope_parameters';
      params = v5;
    }
    theta = params.rope_theta === undefined ? undefined : posNum(params, 'rope_theta', undefined, `${field}.rope_theta`);
  } else if (opts.v4) {
    field = 'rope_scaling';
    params = opts.v4.scaling ?? {};
    theta = opts.v4.theta;
  } else {
    const v4 = j.rope_scaling;
    if (v4 !== undefined && v4 !== null && !isObject(v4)) fail('rope_scaling', 'must be an object or null');
    field = 'rope_scaling';
    params = (v4 as Json | null | undefined) ?? {};
  }
  theta ??= posNum({ t: j.rope_theta }, 't', opts.defaultTheta, 'rope_theta');
  return { theta, scaling: readScaling(params, field) };
}

function readScaling(params: Json, field: string): RopeScaling {
  // HF reads "rope_type", falling back to the legacy key "type".
  const rt = params.rope_type ?? params.type ?? 'default';
  const num = (k: string) => posNum(params, k, undefined, `${field}.${k}`);
  switch (rt) {
    case 'default':
      return { type: 'none' };
    case 'linear':
      return { type: 'linear', factor: num('factor') };
    case 'llama3': {
      const s: RopeScaling = {
        type: 'llama3',
        factor: num('factor'),
        lowFreqFactor: num('low_freq_factor'),
        highFreqFactor: num('high_freq_factor'),
        originalMaxPositions: num('original_max_position_embeddings'),
      };
      if (s.highFreqFactor <= s.lowFreqFactor) fail(`${field}.high_freq_factor`, 'must exceed low_freq_factor');
      return s;
    }
    default:
      fail(`${field}.rope_type`, `${JSON.stringify(rt)} is not supported (supported: default, linear, llama3)`);
  }
}

/** partial_rotary_factor (top level or inside rope_parameters) → rotary dims per head (HF: int(head_dim · factor)). */
export function rotaryDims(j: Json, headDim: number, allowPartial: boolean): number {
  const rp = isObject(j.rope_parameters) ? j.rope_parameters : {};
  const f = rp.partial_rotary_factor ?? j.partial_rotary_factor;
  if (f === undefined || f === null || f === 1) return headDim;
  if (!allowPartial) fail('partial_rotary_factor', `= ${JSON.stringify(f)} is not supported for this model type (only 1.0)`);
  if (typeof f !== 'number' || !(f > 0 && f <= 1)) fail('partial_rotary_factor', `must be in (0, 1], got ${JSON.stringify(f)}`);
  const dim = Math.floor(headDim * f);
  if (dim % 2 !== 0 || dim === 0) fail('partial_rotary_factor', `gives ${dim} rotary dims of head_dim ${headDim}; it must be a positive even number`);
  return dim;
}
