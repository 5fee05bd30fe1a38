/**
 * Qwen3 (Qwen3ForCausalLM): the Llama graph with an explicit head_dim (128 by default), no biases unless
 * attention_bias, and a per-head RMSNorm on q and k (weights [head_dim]) applied before RoPE.
 */
import type { FamilySpec } from '../config.ts';
import { bool, readRope } from '../configFields.ts';
import { decoderFeatures, layerSpecs, readDecoder, windowsFromMaxWindowLayers } from './decoder.ts';
import { ATTENTION_QKVO, llamaNames } from './names.ts';

export const qwen3: FamilySpec = {
  modelType: 'qwen3',
  architecture: 'Qwen3ForCausalLM',
  label: 'Qwen3',
  names: llamaNames({ qNorm: 'self_attn.q_norm', kNorm: 'self_attn.k_norm' }),
  peftDefaultTargets: ['q_proj', 'v_proj'],
  attentionTargets: ATTENTION_QKVO,
  parse(j) {
    const base = readDecoder(j, {
      vocab: 151936, hidden: 4096, intermediate: 22016, layers: 32, heads: 32, kvHeads: 32, headDim: 128,
      maxPositions: 32768, eps: 1e-6, bos: null, eos: null, tie: false,
    });
    const rope = readRope(j, { defaultTheta: 10000 });
    const windows = windowsFromMaxWindowLayers(j, base.nLayers, { window: 4096, maxWindowLayers: 28 });
    const layers = layerSpecs(Array(base.nLayers).fill(rope), windows);
    const attnBias = bool(j, 'attention_bias', false);
    return decoderFeatures(j, base, layers, { qkNorm: 'head', attentionBias: attnBias, oProjBias: attnBias });
  },
};
