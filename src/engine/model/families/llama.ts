/** Llama (LlamaForCausalLM): pre-RMSNorm, RoPE (default / linear / llama3 scaling), GQA, SwiGLU; optional biases. */
import type { FamilySpec } from '../config.ts';
import { bool, readRope } from '../configFields.ts';
import { decoderFeatures, layerSpecs, readDecoder } from './decoder.ts';
import { ATTENTION_QKVO, llamaNames } from './names.ts';

export const llama: FamilySpec = {
  modelType: 'llama',
  architecture: 'LlamaForCausalLM',
  label: 'Llama',
  names: llamaNames(),
  peftDefaultTargets: ['q_proj', 'v_proj'],
  attentionTargets: ATTENTION_QKVO,
  parse(j) {
    const base = readDecoder(j, {
      vocab: 32000, hidden: 4096, intermediate: 11008, layers: 32, heads: 32, kvHeads: 'heads', headDim: 'derived',
      maxPositions: 2048, eps: 1e-6, bos: 1, eos: 2, tie: false,
    });
    const attnBias = bool(j, 'attention_bias', false);
    const rope = readRope(j, { defaultTheta: 10000 });
    const layers = layerSpecs(Array(base.nLayers).fill(rope), []);
    return decoderFeatures(j, base, layers, { attentionBias: attnBias, oProjBias: attnBias, mlpBias: bool(j, 'mlp_bias', false) });
  },
};
