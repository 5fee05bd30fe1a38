/**
 * Phi-3 / Phi-4-mini (Phi3ForCausalLM): fused projections — qkv_proj outputs [q | k | v] (nHeads·hd, then nKV·hd
 * twice) and gate_up_proj outputs [gate | up] — which PEFT targets as whole modules; partial rotary where
 * partial_rotary_factor < 1; an optional sliding window on every layer. LongRoPE / YaRN scaling is refused by name.
 */
import type { FamilySpec } from '../config.ts';
import { optPosInt, readRope, rotaryDims } from '../configFields.ts';
import { decoderFeatures, layerSpecs, readDecoder } from './decoder.ts';
import { llamaNames } from './names.ts';

export const phi3: FamilySpec = {
  modelType: 'phi3',
  architecture: 'Phi3ForCausalLM',
  label: 'Phi-3',
  names: llamaNames({
    linears: { qkv: 'self_attn.qkv_proj', o: 'self_attn.o_proj', gateUp: 'mlp.gate_up_proj', down: 'mlp.down_proj' },
    layerExtras: ['mlp.activation_fn', 'resid_attn_dropout', 'resid_mlp_dropout'],
  }),
  peftDefaultTargets: ['qkv_proj'],
  attentionTargets: ['qkv_proj', 'o_proj'],
  parse(j) {
    const base = readDecoder(j, {
      vocab: 32064, hidden: 3072, intermediate: 8192, layers: 32, heads: 32, kvHeads: 'heads', headDim: 'derived',
      maxPositions: 4096, eps: 1e-5, bos: 1, eos: 32000, tie: false,
    });
    const rope = readRope(j, { defaultTheta: 10000 });
    const window = optPosInt(j, 'sliding_window', null);
    const layers = layerSpecs(Array(base.nLayers).fill(rope), Array(base.nLayers).fill(window));
    return decoderFeatures(j, base, layers, { rotaryDim: rotaryDims(j, base.headDim, true) });
  },
};
