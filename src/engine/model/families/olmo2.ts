/**
 * OLMo 2 (Olmo2ForCausalLM): post-norm blocks — x + post_attention_layernorm(attn(x)), then
 * h + post_feedforward_layernorm(mlp(h)), no norm on the branch inputs — and q/k RMSNorm over the whole projection
 * (weights [nHeads·hd] and [nKV·hd]) before RoPE.
 */
import type { FamilySpec } from '../config.ts';
import { bool, readRope, refuseSet } from '../configFields.ts';
import { decoderFeatures, layerSpecs, readDecoder } from './decoder.ts';
import { ATTENTION_QKVO, llamaNames } from './names.ts';

export const olmo2: FamilySpec = {
  modelType: 'olmo2',
  architecture: 'Olmo2ForCausalLM',
  label: 'OLMo 2',
  names: llamaNames({
    norms: { attnIn: null, attnOut: 'post_attention_layernorm', mlpIn: null, mlpOut: 'post_feedforward_layernorm' },
    qNorm: 'self_attn.q_norm',
    kNorm: 'self_attn.k_norm',
  }),
  peftDefaultTargets: null,
  attentionTargets: ATTENTION_QKVO,
  parse(j) {
    const base = readDecoder(j, {
      vocab: 50304, hidden: 4096, intermediate: 11008, layers: 32, heads: 32, kvHeads: 'heads', headDim: 'derived',
      maxPositions: 2048, eps: 1e-5, bos: null, eos: 50279, tie: false,
    });
    refuseSet(j, 'clip_qkv', 'clipping q/k/v');
    const rope = readRope(j, { defaultTheta: 10000 });
    const layers = layerSpecs(Array(base.nLayers).fill(rope), []);
    const attnBias = bool(j, 'attention_bias', false);
    return decoderFeatures(j, base, layers, { qkNorm: 'projection', attentionBias: attnBias, oProjBias: attnBias });
  },
};
