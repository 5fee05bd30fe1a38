/** Mistral (MistralForCausalLM): the Llama graph without biases; every layer slides over `sliding_window` keys. */
import type { FamilySpec } from '../config.ts';
import { optPosInt, readRope } from '../configFields.ts';
import { decoderFeatures, layerSpecs, readDecoder } from './decoder.ts';
import { ATTENTION_QKVO, llamaNames } from './names.ts';

export const mistral: FamilySpec = {
  modelType: 'mistral',
  architecture: 'MistralForCausalLM',
  label: 'Mistral',
  names: llamaNames(),
  peftDefaultTargets: ['q_proj', 'v_proj'],
  attentionTargets: ATTENTION_QKVO,
  parse(j) {
    const base = readDecoder(j, {
      vocab: 32000, hidden: 4096, intermediate: 14336, layers: 32, heads: 32, kvHeads: 8, headDim: 'derived',
      maxPositions: 4096 * 32, eps: 1e-6, bos: 1, eos: 2, tie: false,
    });
    const rope = readRope(j, { defaultTheta: 10000 });
    const window = optPosInt(j, 'sliding_window', 4096);
    const layers = layerSpecs(Array(base.nLayers).fill(rope), Array(base.nLayers).fill(window));
    return decoderFeatures(j, base, layers);
  },
};
