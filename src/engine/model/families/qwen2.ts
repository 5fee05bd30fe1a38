/** Qwen2 / Qwen2.5 (Qwen2ForCausalLM): the Llama graph with q/k/v biases (always) and optional sliding layers. */
import type { FamilySpec } from '../config.ts';
import { readRope } from '../configFields.ts';
import { decoderFeatures, layerSpecs, readDecoder, windowsFromMaxWindowLayers } from './decoder.ts';
import { ATTENTION_QKVO, llamaNames } from './names.ts';

export const qwen2: FamilySpec = {
  modelType: 'qwen2',
  architecture: 'Qwen2ForCausalLM',
  label: 'Qwen2',
  names: llamaNames(),
  peftDefaultTargets: ['q_proj', 'v_proj'],
  attentionTargets: ATTENTION_QKVO,
  parse(j) {
    const base = readDecoder(j, {
      vocab: 151936, hidden: 4096, intermediate: 22016, layers: 32, heads: 32, kvHeads: 32, headDim: 'derived',
      maxPositions: 32768, eps: 1e-6, bos: null, eos: null, tie: false,
    });
    const rope = readRope(j, { defaultTheta: 10000 });
    const windows = windowsFromMaxWindowLayers(j, base.nLayers, { window: 4096, maxWindowLayers: 28 });
    const layers = layerSpecs(Array(base.nLayers).fill(rope), windows);
    return decoderFeatures(j, base, layers, { attentionBias: true });
  },
};
