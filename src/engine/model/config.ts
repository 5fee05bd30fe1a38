/**
 * Hugging Face `config.json` → ModelConfig, for the families the engine implements:
 *   - 'llama' family: model_type llama / mistral / qwen2 (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM).
 *     RMSNorm, rotary positions (rotate-half), grouped-query attention, SwiGLU MLP.
 *   - 'gpt2': model_type gpt2 (GPT2LMHeadModel). LayerNorm, learned positions, fused qkv Conv1D, gelu(tanh) MLP.
 *
 * Both the transformers v4 layout (`rope_theta` + `rope_scaling`) and the v5 layout (`rope_parameters` holding
 * `rope_theta` and the scaling fields) are read. Anything the engine cannot reproduce exactly is an error naming the
 * config field, never a silent approximation.
 */

export type ArchFamily = 'llama' | 'gpt2';
export type ModelType = 'llama' | 'mistral' | 'qwen2' | 'gpt2';

/** RoPE frequency scaling (HF ROPE_INIT_FUNCTIONS); 'none' is HF's "default". */
export type RopeScaling =
  | { type: 'none' }
  | { type: 'linear'; factor: number }
  | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number };

export interface ModelConfig {
  /** Kernel family: 'llama' (Llama/Mistral/Qwen2 graph) or 'gpt2'. */
  arch: ArchFamily;
  /** HF model_type. */
  modelType: ModelType;
  /** HF causal-LM class, e.g. 'LlamaForCausalLM' (from `architectures`, or implied by model_type). */
  architecture: string;
  /** V: rows of the token embedding and of the LM head. */
  vocabSize: number;
  /** C: residual stream width (hidden_size / n_embd). */
  hidden: number;
  nLayers: number;
  /** Query heads. */
  nHeads: number;
  /** Key/value heads (GQA: nHeads is a multiple of it; GPT-2: = nHeads). */
  nKVHeads: number;
  /** Per-head width: config.head_dim if present, else C / nHeads. q has nHeads*headDim features. */
  headDim: number;
  /** MLP inner width (intermediate_size; GPT-2 n_inner ?? 4C). */
  intermediate: number;
  /** max_position_embeddings / n_positions (GPT-2: rows of wpe, a hard limit). */
  maxPositions: number;
  /** rms_norm_eps (llama family) / layer_norm_epsilon (gpt2). */
  normEps: number;
  norm: 'rmsnorm' | 'layernorm';
  positions: 'rope' | 'learned';
  /** RoPE base θ (0 for gpt2, which has no RoPE). */
  ropeTheta: number;
  ropeScaling: RopeScaling;
  /** LM head shares the token embedding (no lm_head.weight). HF default: false for llama/mistral/qwen2, true for gpt2. */
  tieEmbeddings: boolean;
  /** q/k/v projections carry a bias (qwen2: always; llama: attention_bias; mistral: never; gpt2: c_attn always). */
  attentionBias: boolean;
  /** o_proj (gpt2: attn.c_proj) carries a bias (llama: attention_bias; qwen2/mistral: never; gpt2: always). */
  oProjBias: boolean;
  /** MLP projections carry a bias (llama: mlp_bias; qwen2/mistral: never; gpt2: always). */
  mlpBias: boolean;
  /** MLP activation: 'silu' (SwiGLU gate, llama family) or 'gelu_tanh' (HF gelu_new == gelu_pytorch_tanh, gpt2). */
  hiddenAct: 'silu' | 'gelu_tanh';
  bosTokenId: number | null;
  /** eos_token_id normalised to a list (configs may hold a single id or a list). */
  eosTokenIds: number[];
  padTokenId: number | null;
  /**
   * Sliding-window attention width if any layer uses it (mistral: sliding_window; qwen2: only when
   * use_sliding_window is true and some layer index ≥ max_window_layers, or layer_types says so), else null.
   */
  slidingWindow: number | null;
  /**
   * Longest sequence the engine may train on. The engine implements full causal attention only. A sliding window of
   * width W lets query t see keys u with t − u < W (HF's mask; older flash paths used ≤ W); for T ≤ W every u ≤ t
   * satisfies both, so full causal attention is exact. Beyond W it would silently differ, so callers must reject
   * longer sequences. Also bounded by maxPositions (a hard limit for GPT-2's learned positions; for RoPE models it
   * is the length the checkpoint was trained for).
   */
  maxTrainLength: number;
  /** Checkpoint storage dtype as declared (torch_dtype / dtype), e.g. 'bfloat16'; null if absent. */
  torchDtype: string | null;
}

const ARCH_OF: Record<ModelType, string> = {
  llama: 'LlamaForCausalLM',
  mistral: 'MistralForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
  gpt2: 'GPT2LMHeadModel',
};
const MODEL_TYPES = Object.keys(ARCH_OF) as ModelType[];
const SUPPORTED = `supported model_type: ${MODEL_TYPES.join(', ')}; architectures: ${Object.values(ARCH_OF).join(', ')}`;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(field: string, msg: string): never {
  throw new Error(`config.json: ${field} ${msg}`);
}

/** Reads a positive integer; `def` applies when the key is absent or null (HF default). */
function posInt(j: Json, key: string, def?: number): number {
  const v = j[key] ?? def;
  if (v === undefined) fail(key, 'is required');
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(key, `must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

function posNum(j: Json, key: string, def?: number, where = key): number {
  const v = j[key] ?? def;
  if (v === undefined) fail(where, 'is required');
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(where, `must be a positive number, got ${JSON.stringify(v)}`);
  return v;
}

function bool(j: Json, key: string, def: boolean): boolean {
  const v = j[key] ?? def;
  if (typeof v !== 'boolean') fail(key, `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function tokenId(j: Json, key: string, def: number | null): number | null {
  const v = j[key] === undefined ? def : j[key];
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(key, `must be a token id or null, got ${JSON.stringify(v)}`);
  return v;
}

function tokenIds(j: Json, key: string, def: number | null): number[] {
  const v = j[key] === undefined ? def : j[key];
  if (v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  for (const x of list) {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) fail(key, `must be a token id, a list of them, or null, got ${JSON.stringify(v)}`);
  }
  return list as number[];
}

function resolveModelType(j: Json): { modelType: ModelType; architecture: string } {
  const mt = j.model_type;
  const archs = j.architectures;
  if (archs !== undefined && archs !== null && (!Array.isArray(archs) || archs.some((a) => typeof a !== 'string'))) {
    fail('architectures', `must be a list of class names, got ${JSON.stringify(archs)}`);
  }
  const archList = (archs ?? []) as string[];
  let modelType: ModelType;
  if (mt === undefined || mt === null) {
    const found = MODEL_TYPES.find((t) => archList.includes(ARCH_OF[t]));
    if (!found) fail('model_type', `is missing and architectures ${JSON.stringify(archList)} name no supported model (${SUPPORTED})`);
    modelType = found;
  } else {
    if (typeof mt !== 'string' || !(MODEL_TYPES as string[]).includes(mt)) {
      fail('model_type', `${JSON.stringify(mt)} is not supported (${SUPPORTED})`);
    }
    modelType = mt as ModelType;
  }
  const architecture = ARCH_OF[modelType];
  if (archList.length > 0 && !archList.includes(architecture)) {
    fail('architectures', `${JSON.stringify(archList)} has no ${architecture} for model_type ${modelType} (${SUPPORTED})`);
  }
  return { modelType, architecture };
}

/** The RoPE parameters dict: v5 `rope_parameters`, else v4 `rope_scaling` (+ top-level `rope_theta`). */
function parseRope(j: Json): { theta: number; scaling: RopeScaling } {
  const v5 = j.rope_parameters;
  const v4 = j.rope_scaling;
  let field: string;
  let params: Json;
  if (v5 !== undefined && v5 !== null) {
    if (!isObject(v5)) fail('rope_parameters', 'must be an object');
    field = 'rope_parameters';
    params = v5;
    if (['full_attention', 'sliding_attention'].some((k) => k in v5)) {
      fail('rope_parameters', 'with per-layer-type RoPE parameters is not supported');
    }
  } else if (v4 !== undefined && v4 !== null) {
    if (!isObject(v4)) fail('rope_scaling', 'must be an object or null');
    field = 'rope_scaling';
    params = v4;
  } else {
    field = 'rope_scaling';
    params = {};
  }
  const theta = posNum({ t: params.rope_theta ?? j.rope_theta }, 't', 10000, 'rope_theta');
  const prf = params.partial_rotary_factor ?? j.partial_rotary_factor;
  if (prf !== undefined && prf !== null && prf !== 1) fail('partial_rotary_factor', `= ${JSON.stringify(prf)} is not supported (only 1.0)`);

  // HF reads "rope_type", falling back to the legacy key "type".
  const rt = params.rope_type ?? params.type ?? 'default';
  const num = (k: string) => posNum(params, k, undefined, `${field}.${k}`);
  switch (rt) {
    case 'default':
      return { theta, scaling: { type: 'none' } };
    case 'linear':
      return { theta, scaling: { type: 'linear', factor: num('factor') } };
    case 'llama3': {
      const s: RopeScaling = {
        type: 'llama3',
        factor: num('factor'),
        lowFreqFactor: num('low_freq_factor'),
        highFreqFactor: num('high_freq_factor'),
        originalMaxPositions: num('original_max_position_embeddings'),
      };
      if (s.highFreqFactor <= s.lowFreqFactor) fail(`${field}.high_freq_factor`, 'must exceed low_freq_factor');
      return { theta, scaling: s };
    }
    default:
      fail(`${field}.rope_type`, `${JSON.stringify(rt)} is not supported (supported: default, linear, llama3)`);
  }
}

function parseLlamaFamily(j: Json, modelType: ModelType, architecture: string): ModelConfig {
  const isQwen = modelType === 'qwen2';
  const isMistral = modelType === 'mistral';
  const hidden = posInt(j, 'hidden_size', 4096);
  const nHeads = posInt(j, 'num_attention_heads', 32);
  // HF: llama defaults num_key_value_heads to num_attention_heads; mistral's default is 8, qwen2's is 32.
  const nKVHeads = posInt(j, 'num_key_value_heads', isMistral ? 8 : isQwen ? 32 : nHeads);
  if (nHeads % nKVHeads !== 0) fail('num_key_value_heads', `(${nKVHeads}) must divide num_attention_heads (${nHeads})`);
  const headDim = j.head_dim === undefined || j.head_dim === null ? hidden / nHeads : posInt(j, 'head_dim');
  if (!Number.isInteger(headDim)) fail('hidden_size', `(${hidden}) is not a multiple of num_attention_heads (${nHeads}) and head_dim is not given`);
  if (headDim % 2 !== 0) fail('head_dim', `(${headDim}) must be even for rotary embeddings`);

  const act = j.hidden_act ?? 'silu';
  // HF's ACT2FN maps "swish" to the same SiLU.
  if (act !== 'silu' && act !== 'swish') fail('hidden_act', `${JSON.stringify(act)} is not supported for ${modelType} (supported: silu)`);

  const rope = parseRope(j);
  const maxPositions = posInt(j, 'max_position_embeddings', isMistral ? 4096 * 32 : isQwen ? 32768 : 2048);

  // Attention / MLP biases are fixed by the modeling code for qwen2 and mistral; only llama reads the config flags.
  const llamaAttnBias = modelType === 'llama' ? bool(j, 'attention_bias', false) : false;
  const mlpBias = modelType === 'llama' ? bool(j, 'mlp_bias', false) : false;

  let slidingWindow: number | null = null;
  if (isMistral) {
    slidingWindow = j.sliding_window === undefined ? 4096 : j.sliding_window === null ? null : posInt(j, 'sliding_window');
  } else if (isQwen) {
    const nLayers = posInt(j, 'num_hidden_layers', 32);
    const use = bool(j, 'use_sliding_window', false);
    const lt = j.layer_types;
    let anySliding: boolean;
    if (lt !== undefined && lt !== null) {
      if (!Array.isArray(lt) || lt.some((t) => t !== 'full_attention' && t !== 'sliding_attention')) {
        fail('layer_types', 'must list "full_attention" / "sliding_attention" per layer');
      }
      anySliding = lt.includes('sliding_attention');
    } else {
      anySliding = use && posInt(j, 'max_window_layers', 28) < nLayers;
    }
    // Qwen2Config drops sliding_window unless use_sliding_window is set.
    if (use && anySliding && j.sliding_window !== null) slidingWindow = posInt(j, 'sliding_window', 4096);
  }

  return {
    arch: 'llama',
    modelType,
    architecture,
    vocabSize: posInt(j, 'vocab_size', isQwen ? 151936 : 32000),
    hidden,
    nLayers: posInt(j, 'num_hidden_layers', 32),
    nHeads,
    nKVHeads,
    headDim,
    intermediate: posInt(j, 'intermediate_size', isMistral ? 14336 : isQwen ? 22016 : 11008),
    maxPositions,
    normEps: posNum(j, 'rms_norm_eps', 1e-6),
    norm: 'rmsnorm',
    positions: 'rope',
    ropeTheta: rope.theta,
    ropeScaling: rope.scaling,
    tieEmbeddings: bool(j, 'tie_word_embeddings', false),
    attentionBias: isQwen || llamaAttnBias,
    oProjBias: llamaAttnBias,
    mlpBias,
    hiddenAct: 'silu',
    bosTokenId: tokenId(j, 'bos_token_id', isQwen ? null : 1),
    eosTokenIds: tokenIds(j, 'eos_token_id', isQwen ? null : 2),
    padTokenId: tokenId(j, 'pad_token_id', null),
    slidingWindow,
    maxTrainLength: Math.min(maxPositions, slidingWindow ?? Infinity),
    torchDtype: dtypeOf(j),
  };
}

function parseGpt2(j: Json, architecture: string): ModelConfig {
  const hidden = posInt(j, 'n_embd', 768);
  const nHeads = posInt(j, 'n_head', 12);
  if (hidden % nHeads !== 0) fail('n_embd', `(${hidden}) must be a multiple of n_head (${nHeads})`);
  const act = j.activation_function ?? 'gelu_new';
  if (act !== 'gelu_new' && act !== 'gelu_pytorch_tanh') {
    fail('activation_function', `${JSON.stringify(act)} is not supported for gpt2 (supported: gelu_new, gelu_pytorch_tanh)`);
  }
  if (j.scale_attn_by_inverse_layer_idx === true) fail('scale_attn_by_inverse_layer_idx', '= true is not supported');
  if (j.scale_attn_weights === false) fail('scale_attn_weights', '= false is not supported');
  if (j.add_cross_attention === true) fail('add_cross_attention', '= true is not supported');
  const maxPositions = posInt(j, 'n_positions', 1024);
  return {
    arch: 'gpt2',
    modelType: 'gpt2',
    architecture,
    vocabSize: posInt(j, 'vocab_size', 50257),
    hidden,
    nLayers: posInt(j, 'n_layer', 12),
    nHeads,
    nKVHeads: nHeads,
    headDim: hidden / nHeads,
    intermediate: j.n_inner === undefined || j.n_inner === null ? 4 * hidden : posInt(j, 'n_inner'),
    maxPositions,
    normEps: posNum(j, 'layer_norm_epsilon', 1e-5),
    norm: 'layernorm',
    positions: 'learned',
    ropeTheta: 0,
    ropeScaling: { type: 'none' },
    tieEmbeddings: bool(j, 'tie_word_embeddings', true),
    attentionBias: true,
    oProjBias: true,
    mlpBias: true,
    hiddenAct: 'gelu_tanh',
    bosTokenId: tokenId(j, 'bos_token_id', 50256),
    eosTokenIds: tokenIds(j, 'eos_token_id', 50256),
    padTokenId: tokenId(j, 'pad_token_id', null),
    slidingWindow: null,
    maxTrainLength: maxPositions,
    torchDtype: dtypeOf(j),
  };
}

function dtypeOf(j: Json): string | null {
  const d = j.torch_dtype ?? j.dtype;
  return typeof d === 'string' ? d : null;
}

/** Parses a Hugging Face config.json (already JSON.parse'd). Throws an Error naming the offending field. */
export function parseModelConfig(json: unknown): ModelConfig {
  if (!isObject(json)) throw new Error('config.json: expected a JSON object');
  if (json.is_encoder_decoder === true) fail('is_encoder_decoder', '= true is not supported');
  const { modelType, architecture } = resolveModelType(json);
  return modelType === 'gpt2' ? parseGpt2(json, architecture) : parseLlamaFamily(json, modelType, architecture);
}

/** f32 rounding of a float64 result. For + − × ÷ this equals the IEEE f32 operation (double rounding is innocuous). */
const f32 = Math.fround;

/**
 * RoPE inverse frequencies, (headDim/2), exactly as transformers' ROPE_INIT_FUNCTIONS compute them.
 *
 * HF computes in float32 tensors: `inv = 1 / (base ** (arange(0, dim, 2).float() / dim))`, then (linear) `inv /= factor`,
 * or (llama3) `wavelen = 2π / inv` etc. We replay that op by op: each step is evaluated in float64 and rounded to f32,
 * which reproduces f32 + − × ÷ bit for bit. Python scalars meet f32 tensors as f32 (PyTorch type promotion), and
 * `scalar / tensor` is `tensor.reciprocal() * scalar` (Tensor.__rtruediv__), so we do the same. The one inexact step
 * is `pow`: we round the exact power, torch's f32 powf may differ by ≤ 1 ulp. Evaluating the whole formula in float64
 * instead would drift by several ulps (the exponent 2i/dim is rounded to f32 first in HF).
 */
export function ropeInvFreq(config: ModelConfig): Float32Array {
  if (config.positions !== 'rope') throw new Error(`ropeInvFreq: model_type ${config.modelType} has no rotary embeddings`);
  const dim = config.headDim;
  const half = dim / 2;
  const out = new Float32Array(half);
  const base = f32(config.ropeTheta);
  for (let i = 0; i < half; i++) {
    const expo = f32((2 * i) / dim);
    out[i] = f32(1 / f32(Math.pow(base, expo)));
  }
  const s = config.ropeScaling;
  if (s.type === 'linear') {
    const factor = f32(s.factor);
    for (let i = 0; i < half; i++) out[i] = f32(out[i] / factor);
  } else if (s.type === 'llama3') {
    const factor = f32(s.factor);
    const low = f32(s.lowFreqFactor);
    const oldCtx = f32(s.originalMaxPositions);
    // Python floats (double) compared against an f32 tensor: the scalar is cast to f32.
    const lowFreqWavelen = f32(s.originalMaxPositions / s.lowFreqFactor);
    const highFreqWavelen = f32(s.originalMaxPositions / s.highFreqFactor);
    const twoPi = f32(2 * Math.PI);
    const highMinusLow = f32(s.highFreqFactor - s.lowFreqFactor);
    for (let i = 0; i < half; i++) {
      const inv = out[i];
      const wavelen = f32(f32(1 / inv) * twoPi);
      // wavelen > low_freq_wavelen: divide by factor; wavelen < high_freq_wavelen: keep.
      const invLlama = wavelen > lowFreqWavelen ? f32(inv / factor) : inv;
      const isMedium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
      if (isMedium) {
        const smooth = f32(f32(f32(f32(1 / wavelen) * oldCtx) - low) / highMinusLow);
        const a = f32(f32(f32(1 - smooth) * invLlama) / factor);
        const b = f32(smooth * invLlama);
        out[i] = f32(a + b);
      } else {
        out[i] = invLlama;
      }
    }
  }
  return out;
}
