/**
 * Tiny deterministic models for tests: an HF-style config.json (parsed through parseModelConfig, so it can also be
 * written to disk for CLI tests), weights by logical HF name, LoRA parameters and a small labelled batch.
 * Weights are f32 values; converting them to float64 is exact, so the GPU model and the float64 reference see
 * identical parameters.
 */
import { parseModelConfig, type ModelConfig, type ModelType } from './config.ts';
import { initLoraA, type LoraTarget } from './lora.ts';
import { hashSeed, mulberry32, uniformArray } from './random.ts';
import { expectedTensors } from './tensors.ts';

export interface TinyModel {
  /** HF config.json contents (after overrides). */
  configJson: Record<string, unknown>;
  config: ModelConfig;
  /** Logical HF name → values in the checkpoint layout (see expectedTensors). */
  weights: Map<string, Float32Array>;
}

/** Base config.json per model type: C = 32, 2 layers, 4 heads, V = 96; every family's distinctive features switched on. */
const BASE_JSON: Record<string, Record<string, unknown>> = {
  gpt2: {
    architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', vocab_size: 96, n_embd: 32, n_layer: 2, n_head: 4,
    n_positions: 32, n_inner: null, activation_function: 'gelu_new', layer_norm_epsilon: 1e-5,
    bos_token_id: 0, eos_token_id: 0,
  },
  qwen2: {
    architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', vocab_size: 96, hidden_size: 32, intermediate_size: 48,
    num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 64,
    rms_norm_eps: 1e-6, rope_theta: 10000, tie_word_embeddings: true, use_sliding_window: false,
    sliding_window: 64, max_window_layers: 2, hidden_act: 'silu', bos_token_id: 1, eos_token_id: 2,
  },
  mistral: {
    architectures: ['MistralForCausalLM'], model_type: 'mistral', vocab_size: 96, hidden_size: 32,
    intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 1,
    max_position_embeddings: 64, rms_norm_eps: 1e-5, rope_theta: 10000, sliding_window: 16,
    tie_word_embeddings: false, hidden_act: 'silu', bos_token_id: 1, eos_token_id: 2,
  },
  llama: {
    architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 96, hidden_size: 32, intermediate_size: 48,
    num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 64,
    rms_norm_eps: 1e-5, rope_theta: 10000, tie_word_embeddings: false, attention_bias: false, mlp_bias: false,
    hidden_act: 'silu', bos_token_id: 1, eos_token_id: 2,
  },
  // head_dim 16 ≠ hidden / heads; per-head q/k norms.
  qwen3: {
    architectures: ['Qwen3ForCausalLM'], model_type: 'qwen3', vocab_size: 96, hidden_size: 32, intermediate_size: 48,
    num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 16, max_position_embeddings: 64,
    rms_norm_eps: 1e-6, rope_theta: 1000000, tie_word_embeddings: true, attention_bias: false, use_sliding_window: false,
    hidden_act: 'silu', bos_token_id: null, eos_token_id: 2,
  },
  // Layer 0 slides over 4 keys with its own RoPE θ, layer 1 is global; (1 + w) norms, sandwich norms, GeGLU.
  gemma3_text: {
    architectures: ['Gemma3ForCausalLM'], model_type: 'gemma3_text', vocab_size: 96, hidden_size: 32,
    intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 16,
    max_position_embeddings: 64, rms_norm_eps: 1e-6, rope_theta: 1000000, rope_local_base_freq: 10000,
    sliding_window: 4, layer_types: ['sliding_attention', 'full_attention'], query_pre_attn_scalar: 24,
    hidden_activation: 'gelu_pytorch_tanh', tie_word_embeddings: true, final_logit_softcapping: null,
    attn_logit_softcapping: null, bos_token_id: 2, eos_token_id: 1, pad_token_id: 0,
  },
  // Fused qkv_proj / gate_up_proj, half the head dims rotated, a sliding window of 6.
  phi3: {
    architectures: ['Phi3ForCausalLM'], model_type: 'phi3', vocab_size: 96, hidden_size: 32, intermediate_size: 48,
    num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 64,
    original_max_position_embeddings: 64, rms_norm_eps: 1e-5, rope_theta: 10000, rope_scaling: null,
    partial_rotary_factor: 0.5, sliding_window: 6, tie_word_embeddings: false, hidden_act: 'silu',
    bos_token_id: 1, eos_token_id: 2, pad_token_id: 2,
  },
  // Post-norms only; q/k norms over the whole projection.
  olmo2: {
    architectures: ['Olmo2ForCausalLM'], model_type: 'olmo2', vocab_size: 96, hidden_size: 32, intermediate_size: 48,
    num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 64,
    rms_norm_eps: 1e-6, rope_theta: 500000, attention_bias: false, tie_word_embeddings: false, hidden_act: 'silu',
    bos_token_id: null, eos_token_id: 2, pad_token_id: 1,
  },
  // Layer 1 has no position encoding.
  smollm3: {
    architectures: ['SmolLM3ForCausalLM'], model_type: 'smollm3', vocab_size: 96, hidden_size: 32, intermediate_size: 48,
    num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 64,
    rms_norm_eps: 1e-6, rope_theta: 2000000, no_rope_layers: [1, 0], use_sliding_window: false,
    tie_word_embeddings: true, hidden_act: 'silu', bos_token_id: null, eos_token_id: 2, pad_token_id: 0,
  },
};

/** Model types with a tiny test model (every supported family). */
export const TINY_MODEL_TYPES = Object.keys(BASE_JSON);

function baseJson(modelType: ModelType): Record<string, unknown> {
  const j = BASE_JSON[modelType];
  if (!j) throw new Error(`tinyModel: no tiny config for model_type ${modelType}`);
  return structuredClone(j);
}

/** Value range for one tensor: norms ≈ 1 (as multipliers), biases and positions small, matrices ±1.5/√fan_in. */
function initOf(name: string, shape: number[], conv1d: boolean, normCenter: number): { center: number; bound: number } {
  if (/(layernorm|norm|ln_\d|ln_f)\.weight$/.test(name)) return { center: normCenter, bound: 0.2 };
  if (name.endsWith('.bias') || name.endsWith('wpe.weight')) return { center: 0, bound: 0.1 };
  if (/embed_tokens|wte/.test(name)) return { center: 0, bound: 0.5 };
  const fanIn = conv1d ? shape[0] : shape[shape.length - 1];
  return { center: 0, bound: 1.5 / Math.sqrt(fanIn) };
}

/**
 * A tiny random model of the given type. `overrides` are config.json keys applied over the base (e.g.
 * `{ num_key_value_heads: 1, tie_word_embeddings: true }`); the same seed always gives the same weights.
 */
export function tinyModel(arch: ModelType, seed: number, overrides: Record<string, unknown> = {}): TinyModel {
  const configJson = { ...baseJson(arch), ...overrides };
  const config = parseModelConfig(configJson);
  const weights = new Map<string, Float32Array>();
  for (const spec of expectedTensors(config)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    // (1 + w) norms: w near 0 keeps the same ≈ 1 scale.
    const { center, bound } = initOf(spec.name, spec.shape, config.names.linearLayout === 'conv1d', 1 - config.normWeightOffset);
    const values = uniformArray(n, bound, mulberry32(hashSeed(seed, spec.name)));
    if (center !== 0) for (let i = 0; i < n; i++) values[i] = Math.fround(values[i] + center);
    weights.set(spec.name, values);
  }
  return { configJson, config, weights };
}

/** Exact float64 copies (for the float64 reference). */
export function toFloat64(m: ReadonlyMap<string, Float32Array>): Map<string, Float64Array> {
  return new Map([...m].map(([k, v]) => [k, Float64Array.from(v)]));
}

/**
 * LoRA parameters keyed by PEFT key: A as PEFT initialises it (initLoraA), B uniform ±bScale — NOT zero, so that
 * gradient checks exercise A's gradient (with B = 0, dA is identically 0). bScale 0 gives PEFT's zero B.
 */
export function tinyLoraParams(targets: readonly LoraTarget[], seed: number, bScale = 0.2): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const t of targets) {
    out.set(t.keyA, initLoraA(t, seed));
    out.set(t.keyB, uniformArray(t.outFeatures * t.r, bScale, mulberry32(hashSeed(seed, t.keyB))));
  }
  return out;
}

/**
 * A (B, T) batch of random ids with labels = ids, except: row 0 has its first 3 labels masked (a "prompt"), and every
 * row b ≥ 1 ends with b pad positions (id 0, label −100), like right-padded SFT batches.
 */
export function tinyBatch(config: ModelConfig, seed: number, B = 2, T = 10): { inputIds: number[][]; labels: number[][] } {
  const rand = mulberry32(hashSeed(seed, 'batch'));
  const inputIds: number[][] = [];
  const labels: number[][] = [];
  for (let b = 0; b < B; b++) {
    const ids = Array.from({ length: T }, () => Math.floor(rand() * config.vocabSize));
    const lab = ids.slice();
    if (b === 0) for (let t = 0; t < Math.min(3, T); t++) lab[t] = -100;
    for (let t = Math.max(1, T - b); t < T; t++) {
      ids[t] = 0;
      lab[t] = -100;
    }
    inputIds.push(ids);
    labels.push(lab);
  }
  return { inputIds, labels };
}
