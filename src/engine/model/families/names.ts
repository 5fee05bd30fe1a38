/**
 * Module names of the Llama layout (`model.layers.{i}.self_attn.q_proj`, …), which most decoder families reuse with a
 * few changes. A family spec starts from `llamaNames` and states only what differs.
 */
import type { ModelNames } from '../config.ts';

export function llamaNames(changes: Partial<ModelNames> = {}): ModelNames {
  return {
    base: 'model.',
    layers: 'layers',
    embed: 'embed_tokens',
    positionEmbed: null,
    finalNorm: 'norm',
    norms: { attnIn: 'input_layernorm', attnOut: null, mlpIn: 'post_attention_layernorm', mlpOut: null },
    qNorm: null,
    kNorm: null,
    attention: 'self_attn',
    mlp: 'mlp',
    linears: {
      q: 'self_attn.q_proj', k: 'self_attn.k_proj', v: 'self_attn.v_proj', o: 'self_attn.o_proj',
      gate: 'mlp.gate_proj', up: 'mlp.up_proj', down: 'mlp.down_proj',
    },
    linearLayout: 'linear',
    layerExtras: ['mlp.act_fn'],
    baseExtras: ['rotary_emb'],
    ignoredBuffers: ['rotary_emb.inv_freq'],
    ...changes,
  };
}

/** q_proj, k_proj, v_proj, o_proj: the studio's "attention" preset for the unfused layout. */
export const ATTENTION_QKVO = ['q_proj', 'k_proj', 'v_proj', 'o_proj'];
