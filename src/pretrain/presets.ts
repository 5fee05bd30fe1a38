/**
 * Model shapes for the studio's built-in base model: HF llama config.json contents (RMSNorm, RoPE, SwiGLU, GQA, tied
 * embeddings — the SmolLM2 layout at a tiny scale). The vocabulary size is filled in from the trained tokenizer.
 */
export type PresetName = 'small' | 'tiny' | 'test';

export interface Preset {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  intermediate: number;
  /** Training context (and max_position_embeddings). */
  context: number;
  /** Rows per micro-batch and micro-batches per optimizer step. */
  rows: number;
  micro: number;
  lr: number;
}

/**
 * Sized for the machine the model is built on: Dawn on SwiftShader, 2 shared CPU cores, where one 1,024-token step of
 * `small` takes 10–60 s (~30 tokens/s under the usual load) and per-row kernels (norms, cross-entropy) dominate, so the
 * models are shallow (see docs/BUILTIN_MODEL.md).
 * Both train at a 256-token context so instruction tuning can use examples that long.
 */
export const PRESETS: Record<PresetName, Preset> = {
  /** ~625k parameters (262k of them the tied embedding at V = 2048). */
  small: { hidden: 128, layers: 2, heads: 4, kvHeads: 2, intermediate: 344, context: 256, rows: 4, micro: 1, lr: 5e-3 },
  /** ~230k parameters: about twice as fast per token. */
  tiny: { hidden: 64, layers: 2, heads: 2, kvHeads: 1, intermediate: 192, context: 256, rows: 4, micro: 1, lr: 6e-3 },
  /** For the unit test: seconds on SwiftShader. */
  test: { hidden: 32, layers: 2, heads: 4, kvHeads: 2, intermediate: 64, context: 32, rows: 4, micro: 1, lr: 1e-2 },
};

export function isPresetName(s: string): s is PresetName {
  return s in PRESETS;
}

/** config.json for a preset. Special token ids come from the tokenizer. */
export function configJson(p: Preset, vocabSize: number, ids: { bos: number; eos: number; pad: number }): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: vocabSize,
    hidden_size: p.hidden,
    intermediate_size: p.intermediate,
    num_hidden_layers: p.layers,
    num_attention_heads: p.heads,
    num_key_value_heads: p.kvHeads,
    head_dim: p.hidden / p.heads,
    hidden_act: 'silu',
    max_position_embeddings: p.context,
    initializer_range: 0.02,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    rope_scaling: null,
    attention_bias: false,
    attention_dropout: 0,
    mlp_bias: false,
    tie_word_embeddings: true,
    bos_token_id: ids.bos,
    eos_token_id: ids.eos,
    pad_token_id: ids.pad,
    torch_dtype: 'float32',
    use_cache: true,
    transformers_version: '4.46.0',
  };
}
