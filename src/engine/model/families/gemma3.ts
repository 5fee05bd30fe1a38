/**
 * Gemma 3 text models (Gemma3ForCausalLM, model_type gemma3_text: Gemma-3-270M, Gemma-3-1B).
 *   - every RMSNorm multiplies by (1 + w), computed in f32;
 *   - sandwich norms: input_layernorm → attention → post_attention_layernorm → +x;
 *                     pre_feedforward_layernorm → MLP → post_feedforward_layernorm → +h;
 *   - per-head q/k RMSNorm (weights [head_dim]) before RoPE; head_dim (256) independent of hidden;
 *   - scores scaled by query_pre_attn_scalar^−½; token embeddings × f32(√hidden); gated MLP with gelu(tanh);
 *   - layers slide over `sliding_window` keys except every `sliding_window_pattern`-th (or as `layer_types` says), and
 *     sliding layers have their own RoPE: θ = rope_local_base_freq, no scaling (v5: rope_parameters.sliding_attention).
 */
import type { FamilySpec, RopeSpec } from '../config.ts';
import { activation, bool, layerTypes, optPosInt, posInt, posNum, readRope, refuseSet } from '../configFields.ts';
import { decoderFeatures, layerSpecs, readDecoder } from './decoder.ts';
import { ATTENTION_QKVO, llamaNames } from './names.ts';

export const gemma3: FamilySpec = {
  modelType: 'gemma3_text',
  architecture: 'Gemma3ForCausalLM',
  label: 'Gemma 3',
  names: llamaNames({
    norms: {
      attnIn: 'input_layernorm', attnOut: 'post_attention_layernorm',
      mlpIn: 'pre_feedforward_layernorm', mlpOut: 'post_feedforward_layernorm',
    },
    qNorm: 'self_attn.q_norm',
    kNorm: 'self_attn.k_norm',
    baseExtras: ['rotary_emb', 'rotary_emb_local'],
  }),
  peftDefaultTargets: ['q_proj', 'v_proj'],
  attentionTargets: ATTENTION_QKVO,
  parse(j) {
    const base = readDecoder(j, {
      vocab: 262208, hidden: 2304, intermediate: 9216, layers: 26, heads: 8, kvHeads: 4, headDim: 256,
      maxPositions: 131072, eps: 1e-6, bos: 2, eos: 1, tie: true,
    });
    refuseSet(j, 'final_logit_softcapping', 'logit soft-capping');
    refuseSet(j, 'attn_logit_softcapping', 'attention soft-capping');
    refuseSet(j, 'use_bidirectional_attention', 'bidirectional attention');
    const every = posInt(j, 'sliding_window_pattern', 6);
    const types = layerTypes(j, base.nLayers, (i) => ((i + 1) % every !== 0 ? 'sliding_attention' : 'full_attention'));
    const window = optPosInt(j, 'sliding_window', 4096);
    const v5 = j.rope_parameters !== undefined && j.rope_parameters !== null;
    const full = readRope(j, { defaultTheta: 1000000, layerType: 'full_attention' });
    const local: RopeSpec = v5
      ? readRope(j, { defaultTheta: 10000, layerType: 'sliding_attention' })
      : { theta: posNum(j, 'rope_local_base_freq', 10000), scaling: { type: 'none' } };
    const layers = layerSpecs(
      types.map((t) => (t === 'sliding_attention' ? local : full)),
      types.map((t) => (t === 'sliding_attention' ? window : null)),
    );
    const attnBias = bool(j, 'attention_bias', false);
    return decoderFeatures(j, base, layers, {
      normWeightOffset: 1, qkNorm: 'head',
      hiddenAct: activation(j, 'hidden_activation', 'gelu_pytorch_tanh', { gelu_pytorch_tanh: 'gelu_tanh', gelu_new: 'gelu_tanh' } as const),
      attentionScale: 1 / Math.sqrt(posNum(j, 'query_pre_attn_scalar', 256)),
      // f32(√hidden), as HF computes it in float32 (a bf16 run would round it to bf16).
      embedScale: Math.fround(Math.sqrt(base.hidden)),
      attentionBias: attnBias, oProjBias: attnBias,
    });
  },
};
