/**
 * GPT-2 (GPT2LMHeadModel): learned positions, pre-LayerNorm, one fused Conv1D `c_attn` giving [q | k | v], a plain
 * gelu(tanh) MLP (c_fc → c_proj), biases everywhere, tied head. Conv1D stores weights [in, out].
 */
import type { FamilySpec } from '../config.ts';
import { bool, fail, posInt, posNum, tokenId, tokenIds, dtypeOf, activation } from '../configFields.ts';

export const gpt2: FamilySpec = {
  modelType: 'gpt2',
  architecture: 'GPT2LMHeadModel',
  label: 'GPT-2',
  names: {
    base: 'transformer.',
    layers: 'h',
    embed: 'wte',
    positionEmbed: 'wpe',
    finalNorm: 'ln_f',
    norms: { attnIn: 'ln_1', attnOut: null, mlpIn: 'ln_2', mlpOut: null },
    qNorm: null,
    kNorm: null,
    attention: 'attn',
    mlp: 'mlp',
    linears: { qkv: 'attn.c_attn', o: 'attn.c_proj', fc: 'mlp.c_fc', down: 'mlp.c_proj' },
    linearLayout: 'conv1d',
    layerExtras: ['attn.attn_dropout', 'attn.resid_dropout', 'mlp.act', 'mlp.dropout'],
    baseExtras: ['drop'],
    ignoredBuffers: ['attn.bias', 'attn.masked_bias'],
  },
  peftDefaultTargets: ['c_attn'],
  attentionTargets: ['c_attn', 'attn.c_proj'],
  parse(j) {
    const hidden = posInt(j, 'n_embd', 768);
    const nHeads = posInt(j, 'n_head', 12);
    if (hidden % nHeads !== 0) fail('n_embd', `(${hidden}) must be a multiple of n_head (${nHeads})`);
    const hiddenAct = activation(j, 'activation_function', 'gelu_new', { gelu_new: 'gelu_tanh', gelu_pytorch_tanh: 'gelu_tanh' });
    if (j.scale_attn_by_inverse_layer_idx === true) fail('scale_attn_by_inverse_layer_idx', '= true is not supported');
    if (j.scale_attn_weights === false) fail('scale_attn_weights', '= false is not supported');
    if (j.add_cross_attention === true) fail('add_cross_attention', '= true is not supported');
    const maxPositions = posInt(j, 'n_positions', 1024);
    const nLayers = posInt(j, 'n_layer', 12);
    const headDim = hidden / nHeads;
    return {
      vocabSize: posInt(j, 'vocab_size', 50257),
      hidden, nLayers, nHeads, nKVHeads: nHeads, headDim,
      intermediate: j.n_inner === undefined || j.n_inner === null ? 4 * hidden : posInt(j, 'n_inner'),
      maxPositions,
      normEps: posNum(j, 'layer_norm_epsilon', 1e-5),
      norm: 'layernorm', normWeightOffset: 0, qkNorm: 'none', mlp: 'plain', hiddenAct,
      positions: 'learned', ropeTheta: 0, ropeScaling: { type: 'none' }, rotaryDim: 0,
      layers: Array.from({ length: nLayers }, () => ({ rope: null, window: null })),
      attentionScale: 1 / Math.sqrt(headDim), embedScale: 1,
      tieEmbeddings: bool(j, 'tie_word_embeddings', true),
      attentionBias: true, oProjBias: true, mlpBias: true,
      bosTokenId: tokenId(j, 'bos_token_id', 50256),
      eosTokenIds: tokenIds(j, 'eos_token_id', 50256),
      padTokenId: tokenId(j, 'pad_token_id', null),
      slidingWindow: null, maxTrainLength: maxPositions, torchDtype: dtypeOf(j),
    };
  },
};
