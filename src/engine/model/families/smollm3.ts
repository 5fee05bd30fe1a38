/**
 * SmolLM3 (SmolLM3ForCausalLM): the Llama graph where some layers use no position encoding at all (NoPE).
 * `no_rope_layers[i]` is 1 when layer i USES RoPE, 0 when it is NoPE (the name reads backwards); absent, every
 * `no_rope_layer_interval`-th layer (1-based) is NoPE.
 */
import type { FamilySpec } from '../config.ts';
import { bool, fail, posInt, readRope } from '../configFields.ts';
import { decoderFeatures, layerSpecs, readDecoder, windowsFromMaxWindowLayers } from './decoder.ts';
import { ATTENTION_QKVO, llamaNames } from './names.ts';

export const smollm3: FamilySpec = {
  modelType: 'smollm3',
  architecture: 'SmolLM3ForCausalLM',
  label: 'SmolLM3',
  names: llamaNames(),
  peftDefaultTargets: null,
  attentionTargets: ATTENTION_QKVO,
  parse(j) {
    const base = readDecoder(j, {
      vocab: 128256, hidden: 2048, intermediate: 11008, layers: 36, heads: 16, kvHeads: 4, headDim: 'derived',
      maxPositions: 32768, eps: 1e-6, bos: null, eos: 128001, tie: true,
    });
    const L = base.nLayers;
    const rope = readRope(j, { defaultTheta: 2000000 });
    let usesRope: boolean[];
    const list = j.no_rope_layers;
    if (list === undefined || list === null) {
      const every = posInt(j, 'no_rope_layer_interval', 4);
      usesRope = Array.from({ length: L }, (_, i) => (i + 1) % every !== 0);
    } else {
      if (!Array.isArray(list) || list.length < L || list.some((x) => x !== 0 && x !== 1)) {
        fail('no_rope_layers', `must list 1 (RoPE) or 0 (no position encoding) for each of the ${L} layers`);
      }
      usesRope = list.slice(0, L).map((x) => x === 1);
    }
    if (!usesRope.some(Boolean)) fail('no_rope_layers', 'leaves no layer with RoPE');
    const windows = windowsFromMaxWindowLayers(j, L, { window: null, maxWindowLayers: 28 });
    const layers = layerSpecs(usesRope.map((u) => (u ? rope : null)), windows);
    const attnBias = bool(j, 'attention_bias', false);
    return decoderFeatures(j, base, layers, { attentionBias: attnBias, oProjBias: attnBias, mlpBias: bool(j, 'mlp_bias', false) });
  },
};
