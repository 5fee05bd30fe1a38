/**
 * Model shapes the benchmarks use (HF config.json contents). Weights for them are generated, never downloaded: the
 * machine has no internet and the numbers measured (throughput, memory, bytes streamed) do not depend on values.
 * Shared by browser suites (train_step) and Node suites (loading writes a checkpoint of SMOLLM2_135M's shape).
 */

/** SmolLM2-135M's architecture: 30 layers, hidden 576, 9 heads / 3 KV heads (head_dim 64), SwiGLU 1536, tied. */
export const SMOLLM2_135M: Record<string, unknown> = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 576,
  intermediate_size: 1536,
  num_hidden_layers: 30,
  num_attention_heads: 9,
  num_key_value_heads: 3,
  head_dim: 64,
  vocab_size: 49152,
  tie_word_embeddings: true,
  rope_theta: 10000,
  max_position_embeddings: 8192,
  rms_norm_eps: 1e-5,
  hidden_act: 'silu',
  attention_bias: false,
  mlp_bias: false,
  bos_token_id: 0,
  eos_token_id: 0,
  torch_dtype: 'bfloat16',
};

/** GPT-2 small (124M): 12 layers, 768, 12 heads, vocab 50257, 1024 positions, tied head. */
export const GPT2_124M: Record<string, unknown> = {
  architectures: ['GPT2LMHeadModel'],
  model_type: 'gpt2',
  n_embd: 768,
  n_layer: 12,
  n_head: 12,
  n_inner: null,
  vocab_size: 50257,
  n_positions: 1024,
  activation_function: 'gelu_new',
  layer_norm_epsilon: 1e-5,
  bos_token_id: 50256,
  eos_token_id: 50256,
};

/** The GPT-2-shaped model the tfjs peer trains side by side with us: small enough for tfjs-webgpu on a CPU adapter. */
export const GPT2_PEER: Record<string, unknown> = {
  ...GPT2_124M,
  n_embd: 256,
  n_layer: 4,
  n_head: 4,
  vocab_size: 8192,
  n_positions: 128,
  bos_token_id: 0,
  eos_token_id: 0,
};

/** Same kernels and pipelines as SMOLLM2_135M (head_dim 64, GQA 3:1, SwiGLU), tiny: warms pipelines in seconds. */
export const LLAMA_WARMUP: Record<string, unknown> = {
  ...SMOLLM2_135M,
  hidden_size: 192,
  intermediate_size: 256,
  num_hidden_layers: 1,
  num_attention_heads: 3,
  num_key_value_heads: 1,
  vocab_size: 512,
};

/** Same kernels and pipelines as GPT2_124M (head_dim 64), tiny. */
export const GPT2_WARMUP: Record<string, unknown> = { ...GPT2_124M, n_embd: 128, n_layer: 1, n_head: 2, vocab_size: 512, n_positions: 256 };
