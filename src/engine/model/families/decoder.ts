/**
 * The parts of config.json every RMSNorm + RoPE decoder family reads the same way (sizes, heads, head_dim, eps,
 * special tokens, tying), with each family's own HF defaults. A family spec calls `readDecoder` and then states its
 * own features; nothing here knows a family by name.
 */
import type { LayerSpec, ModelFeatures, RopeSpec } from '../config.ts';
import { activation, bool, dtypeOf, fail, optPosInt, posInt, posNum, rotaryDims, tokenId, tokenIds, type Json } from '../configFields.ts';

/** HF config-class defaults of one family (used when a key is absent or null). */
export interface DecoderDefaults {
  vocab: number;
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  /** Default num_key_value_heads; 'heads' = num_attention_heads (MHA). */
  kvHeads: number | 'heads';
  /** Default head_dim; 'derived' = hidden / heads. */
  headDim: number | 'derived';
  maxPositions: number;
  eps: number;
  bos: number | null;
  eos: number | null;
  tie: boolean;
}

export type DecoderBase = Pick<
  ModelFeatures,
  'vocabSize' | 'hidden' | 'nLayers' | 'nHeads' | 'nKVHeads' | 'headDim' | 'intermediate' | 'maxPositions' | 'normEps' |
  'tieEmbeddings' | 'bosTokenId' | 'eosTokenIds' | 'padTokenId' | 'torchDtype'
>;

export function readDecoder(j: Json, d: DecoderDefaults): DecoderBase {
  const hidden = posInt(j, 'hidden_size', d.hidden);
  const nHeads = posInt(j, 'num_attention_heads', d.heads);
  const nKVHeads = posInt(j, 'num_key_value_heads', d.kvHeads === 'heads' ? nHeads : d.kvHeads);
  if (nHeads % nKVHeads !== 0) fail('num_key_value_heads', `(${nKVHeads}) must divide num_attention_heads (${nHeads})`);
  const explicit = j.head_dim === undefined || j.head_dim === null ? (d.headDim === 'derived' ? null : d.headDim) : posInt(j, 'head_dim');
  const headDim = explicit ?? hidden / nHeads;
  if (!Number.isInteger(headDim)) fail('hidden_size', `(${hidden}) is not a multiple of num_attention_heads (${nHeads}) and head_dim is not given`);
  if (headDim % 2 !== 0) fail('head_dim', `(${headDim}) must be even for rotary embeddings`);
  return {
    vocabSize: posInt(j, 'vocab_size', d.vocab),
    hidden,
    nLayers: posInt(j, 'num_hidden_layers', d.layers),
    nHeads,
    nKVHeads,
    headDim,
    intermediate: posInt(j, 'intermediate_size', d.intermediate),
    maxPositions: posInt(j, 'max_position_embeddings', d.maxPositions),
    normEps: posNum(j, 'rms_norm_eps', d.eps),
    tieEmbeddings: bool(j, 'tie_word_embeddings', d.tie),
    bosTokenId: tokenId(j, 'bos_token_id', d.bos),
    eosTokenIds: tokenIds(j, 'eos_token_id', d.eos),
    padTokenId: tokenId(j, 'pad_token_id', null),
    torchDtype: dtypeOf(j),
  };
}

/**
 * Qwen2/Qwen3/SmolLM3-style sliding windows: the config keeps `sliding_window` only when `use_sliding_window` is set;
 * a layer slides when `layer_types` says so, or (no layer_types) when its index ≥ max_window_layers.
 */
export function windowsFromMaxWindowLayers(j: Json, nLayers: number, defaults: { window: number | null; maxWindowLayers: number }): (number | null)[] {
  const use = bool(j, 'use_sliding_window', false);
  const window = use ? optPosInt(j, 'sliding_window', defaults.window) : null;
  const lt = j.layer_types;
  if (lt !== undefined && lt !== null) {
    if (!Array.isArray(lt) || lt.length < nLayers || lt.some((t) => t !== 'full_attention' && t !== 'sliding_attention')) {
      fail('layer_types', `must list "full_attention" / "sliding_attention" for each of the ${nLayers} layers`);
    }
    return Array.from({ length: nLayers }, (_, i) => (lt[i] === 'sliding_attention' ? window : null));
  }
  const mwl = posIntOrZero(j, 'max_window_layers', defaults.maxWindowLayers);
  return Array.from({ length: nLayers }, (_, i) => (i >= mwl ? window : null));
}

function posIntOrZero(j: Json, key: string, def: number): number {
  const v = j[key] ?? def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(key, `must be a non-negative integer, got ${JSON.stringify(v)}`);
  return v;
}

/** Per-layer specs from per-layer ropes and windows. */
export function layerSpecs(ropes: (RopeSpec | null)[], windows: (number | null)[]): LayerSpec[] {
  return ropes.map((rope, i) => ({ rope, window: windows[i] ?? null }));
}

/** The features shared by every layer list: display RoPE (first layer that has one) and the widest window. */
export function layerSummary(layers: LayerSpec[], maxPositions: number): Pick<ModelFeatures, 'ropeTheta' | 'ropeScaling' | 'slidingWindow' | 'maxTrainLength' | 'layers' | 'positions'> {
  const full = layers.find((l) => l.rope && l.window === null)?.rope ?? layers.find((l) => l.rope)?.rope ?? null;
  const windows = layers.map((l) => l.window).filter((w): w is number => w !== null);
  return {
    layers,
    positions: 'rope',
    ropeTheta: full?.theta ?? 0,
    ropeScaling: full?.scaling ?? { type: 'none' },
    slidingWindow: windows.length ? Math.max(...windows) : null,
    maxTrainLength: maxPositions,
  };
}

/** HF activation names that are SiLU. */
export const SILU_NAMES = { silu: 'silu', swish: 'silu' } as const;

/**
 * The features of an RMSNorm + RoPE decoder: the Llama defaults (pre-norm, gated SiLU MLP from `hidden_act`, full
 * rotary, 1/√head_dim scores, no q/k norm, no biases, unscaled embeddings) with the family's own `features` on top.
 * Defaults that read config.json are only read when the family does not state its own.
 */
export function decoderFeatures(j: Json, base: DecoderBase, layers: LayerSpec[], features: Partial<ModelFeatures> = {}): ModelFeatures {
  return {
    ...base,
    ...layerSummary(layers, base.maxPositions),
    norm: 'rmsnorm', normWeightOffset: 0, qkNorm: 'none', mlp: 'gated',
    hiddenAct: features.hiddenAct ?? activation(j, 'hidden_act', 'silu', SILU_NAMES),
    rotaryDim: features.rotaryDim ?? rotaryDims(j, base.headDim, false),
    attentionScale: 1 / Math.sqrt(base.headDim), embedScale: 1,
    attentionBias: false, oProjBias: false, mlpBias: false,
    ...features,
  };
}
