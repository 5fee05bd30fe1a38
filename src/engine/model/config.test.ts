import { describe, expect, it } from 'vitest';
import { parseModelConfig, ropeInvFreq, type ModelConfig } from './config.ts';
import gpt2Json from './fixtures/gpt2.json';
import llama32Json from './fixtures/llama-3.2-1b-instruct.json';
import mistralJson from './fixtures/mistral-7b-v0.1.json';
import qwenJson from './fixtures/qwen2.5-0.5b.json';
import smolJson from './fixtures/smollm2-135m.json';
import tinyllamaJson from './fixtures/tinyllama-1.1b-chat.json';

const with_ = (base: object, patch: Record<string, unknown>) => ({ ...base, ...patch });

describe('parseModelConfig: real config.json files', () => {
  it('SmolLM2-135M (llama, GQA 9/3, tied, theta 1e5)', () => {
    const c = parseModelConfig(smolJson);
    expect(c).toMatchObject<Partial<ModelConfig>>({
      modelType: 'llama', architecture: 'LlamaForCausalLM', vocabSize: 49152, hidden: 576, nLayers: 30,
      nHeads: 9, nKVHeads: 3, headDim: 64, intermediate: 1536, maxPositions: 8192, normEps: 1e-5, norm: 'rmsnorm',
      positions: 'rope', ropeTheta: 100000, ropeScaling: { type: 'none' }, tieEmbeddings: true, attentionBias: false,
      oProjBias: false, mlpBias: false, hiddenAct: 'silu', bosTokenId: 0, eosTokenIds: [0], padTokenId: null,
      slidingWindow: null, maxTrainLength: 8192, torchDtype: 'bfloat16',
    });
  });

  it('Qwen2.5-0.5B (q/k/v biases, no o bias, tied, sliding window off)', () => {
    const c = parseModelConfig(qwenJson);
    expect(c).toMatchObject<Partial<ModelConfig>>({
      modelType: 'qwen2', architecture: 'Qwen2ForCausalLM', vocabSize: 151936, hidden: 896, nLayers: 24,
      nHeads: 14, nKVHeads: 2, headDim: 64, intermediate: 4864, normEps: 1e-6, ropeTheta: 1e6, tieEmbeddings: true,
      attentionBias: true, oProjBias: false, mlpBias: false, bosTokenId: 151643, eosTokenIds: [151643],
      slidingWindow: null, maxTrainLength: 32768,
    });
  });

  it('Mistral-7B-v0.1 (every layer slides over 4096 keys; attention applies the window, so T is not capped by it)', () => {
    const c = parseModelConfig(mistralJson);
    expect(c).toMatchObject<Partial<ModelConfig>>({
      modelType: 'mistral', nHeads: 32, nKVHeads: 8, headDim: 128, intermediate: 14336, tieEmbeddings: false,
      attentionBias: false, slidingWindow: 4096, maxTrainLength: 32768, maxPositions: 32768,
    });
    expect(c.layers.every((l) => l.window === 4096)).toBe(true);
  });

  it('TinyLlama-1.1B-Chat (untied, GQA 32/4, maxTrainLength = max_position_embeddings)', () => {
    const c = parseModelConfig(tinyllamaJson);
    expect(c).toMatchObject<Partial<ModelConfig>>({
      nHeads: 32, nKVHeads: 4, headDim: 64, nLayers: 22, tieEmbeddings: false, maxTrainLength: 2048, eosTokenIds: [2],
    });
  });

  it('Llama-3.2-1B-Instruct (llama3 rope scaling, explicit head_dim, eos list)', () => {
    const c = parseModelConfig(llama32Json);
    expect(c.ropeScaling).toEqual({ type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 });
    expect(c).toMatchObject<Partial<ModelConfig>>({
      ropeTheta: 500000, headDim: 64, nKVHeads: 8, tieEmbeddings: true, eosTokenIds: [128001, 128008, 128009],
      bosTokenId: 128000, maxTrainLength: 131072,
    });
  });

  it('gpt2 (Conv1D family, tied by default, gelu_new, learned positions)', () => {
    const c = parseModelConfig(gpt2Json);
    expect(c).toMatchObject<Partial<ModelConfig>>({
      modelType: 'gpt2', architecture: 'GPT2LMHeadModel', vocabSize: 50257, hidden: 768, nLayers: 12,
      nHeads: 12, nKVHeads: 12, headDim: 64, intermediate: 3072, maxPositions: 1024, normEps: 1e-5, norm: 'layernorm',
      positions: 'learned', tieEmbeddings: true, attentionBias: true, oProjBias: true, mlpBias: true,
      hiddenAct: 'gelu_tanh', bosTokenId: 50256, eosTokenIds: [50256], maxTrainLength: 1024,
    });
  });
});

describe('parseModelConfig: variants and defaults', () => {
  it('reads the transformers v5 rope_parameters layout like the v4 one', () => {
    const { rope_scaling: rs, rope_theta: _t, ...rest } = llama32Json;
    const v5 = { ...rest, rope_parameters: { ...rs, rope_theta: 500000 } };
    expect(parseModelConfig(v5)).toEqual(parseModelConfig(llama32Json));
  });

  it('accepts the legacy rope_scaling "type" key and linear scaling', () => {
    const c = parseModelConfig(with_(tinyllamaJson, { rope_scaling: { type: 'linear', factor: 4.0 } }));
    expect(c.ropeScaling).toEqual({ type: 'linear', factor: 4 });
  });

  it('family defaults: llama untied, gpt2 tied, llama num_key_value_heads = heads, gpt2 n_inner = 4C', () => {
    const { tie_word_embeddings: _a, num_key_value_heads: _b, ...llamaNoTie } = tinyllamaJson;
    const l = parseModelConfig(llamaNoTie);
    expect(l.tieEmbeddings).toBe(false);
    expect(l.nKVHeads).toBe(32);
    const g = parseModelConfig(with_(gpt2Json, { tie_word_embeddings: false, n_inner: 100 }));
    expect(g.tieEmbeddings).toBe(false);
    expect(g.intermediate).toBe(100);
  });

  it('llama attention_bias → q/k/v and o biases; mlp_bias → MLP biases; mistral ignores the flags', () => {
    const l = parseModelConfig(with_(tinyllamaJson, { attention_bias: true, mlp_bias: true }));
    expect([l.attentionBias, l.oProjBias, l.mlpBias]).toEqual([true, true, true]);
    const m = parseModelConfig(with_(mistralJson, { attention_bias: true }));
    expect([m.attentionBias, m.oProjBias]).toEqual([false, false]);
  });

  it('qwen2 sliding window only when use_sliding_window and some layer ≥ max_window_layers', () => {
    expect(parseModelConfig(with_(qwenJson, { use_sliding_window: true, max_window_layers: 24 })).slidingWindow).toBe(null);
    const c = parseModelConfig(with_(qwenJson, { use_sliding_window: true, max_window_layers: 12, sliding_window: 1024 }));
    expect(c.slidingWindow).toBe(1024);
    expect(c.layers.map((l) => l.window)).toEqual([...Array(12).fill(null), ...Array(12).fill(1024)]);
    expect(parseModelConfig(with_(mistralJson, { sliding_window: null })).layers.every((l) => l.window === null)).toBe(true);
  });

  it('infers model_type from architectures when absent', () => {
    const { model_type: _m, ...noType } = mistralJson;
    expect(parseModelConfig(noType).modelType).toBe('mistral');
  });
});

describe('parseModelConfig: errors name the field', () => {
  const bad: [string, unknown, RegExp][] = [
    ['unsupported model_type', with_(smolJson, { model_type: 'gemma' }), /model_type "gemma" is not supported.*llama, mistral, qwen2, qwen3, gemma3_text, phi3, olmo2, smollm3, gpt2/],
    ['architecture of another family', with_(smolJson, { architectures: ['LlamaForSequenceClassification'] }), /architectures.*LlamaForCausalLM/],
    ['no type at all', { hidden_size: 8 }, /model_type is missing.*supported/],
    ['yarn scaling', with_(smolJson, { rope_scaling: { rope_type: 'yarn', factor: 4 } }), /rope_scaling\.rope_type "yarn" is not supported/],
    ['dynamic scaling (legacy key)', with_(smolJson, { rope_scaling: { type: 'dynamic', factor: 2 } }), /rope_scaling\.rope_type "dynamic"/],
    ['v5 nested rope type', with_(smolJson, { rope_parameters: { rope_type: 'longrope', rope_theta: 1 } }), /rope_parameters\.rope_type "longrope"/],
    ['llama3 missing field', with_(smolJson, { rope_scaling: { rope_type: 'llama3', factor: 8, high_freq_factor: 4, original_max_position_embeddings: 8192 } }), /rope_scaling\.low_freq_factor is required/],
    ['gelu in a llama', with_(smolJson, { hidden_act: 'gelu' }), /hidden_act "gelu" is not supported/],
    ['relu in gpt2', with_(gpt2Json, { activation_function: 'relu' }), /activation_function "relu" is not supported/],
    ['kv heads not dividing heads', with_(smolJson, { num_key_value_heads: 4 }), /num_key_value_heads \(4\) must divide/],
    ['partial rotary', with_(smolJson, { partial_rotary_factor: 0.5 }), /partial_rotary_factor/],
    ['non-integer size', with_(smolJson, { hidden_size: 57.5 }), /hidden_size must be a positive integer/],
    ['gpt2 inverse-layer scaling', with_(gpt2Json, { scale_attn_by_inverse_layer_idx: true }), /scale_attn_by_inverse_layer_idx/],
    ['not an object', [1, 2], /expected a JSON object/],
  ];
  for (const [what, json, re] of bad) it(what, () => expect(() => parseModelConfig(json)).toThrow(re));
});

/** HF's formula evaluated entirely in float64 (no f32 rounding of intermediates). */
function invFreq64(theta: number, dim: number): number[] {
  return Array.from({ length: dim / 2 }, (_, i) => 1 / theta ** ((2 * i) / dim));
}

describe('ropeInvFreq', () => {
  it('default: 1/θ^(2i/d), f32 values within 2 ulp of the float64 formula', () => {
    const c = parseModelConfig(smolJson);
    const inv = ropeInvFreq(c);
    expect(inv.length).toBe(32);
    const ref = invFreq64(100000, 64);
    expect(inv[0]).toBe(1);
    for (let i = 0; i < 32; i++) expect(Math.abs(inv[i] - ref[i]) / ref[i]).toBeLessThan(5e-7);
  });

  it('linear: default divided by factor', () => {
    const base = ropeInvFreq(parseModelConfig(tinyllamaJson));
    const lin = ropeInvFreq(parseModelConfig(with_(tinyllamaJson, { rope_scaling: { rope_type: 'linear', factor: 3 } })));
    for (let i = 0; i < base.length; i++) expect(lin[i]).toBe(Math.fround(base[i] / Math.fround(3)));
  });

  it('llama3 (Llama 3.2): high frequencies kept, low divided by 32, medium band smoothed', () => {
    const c = parseModelConfig(llama32Json);
    const base = ropeInvFreq(c, { theta: c.ropeTheta, scaling: { type: 'none' } });
    const inv = ropeInvFreq(c);
    const f = 32, lo = 1, hi = 4, old = 8192;
    let kept = 0, divided = 0, smoothed = 0;
    for (let i = 0; i < 32; i++) {
      const wavelen = (2 * Math.PI) / base[i];
      if (wavelen < old / hi) {
        expect(inv[i]).toBe(base[i]);
        kept++;
      } else if (wavelen > old / lo) {
        expect(inv[i]).toBe(Math.fround(base[i] / f));
        divided++;
      } else {
        const s = (old / wavelen - lo) / (hi - lo);
        const want = ((1 - s) * base[i]) / f + s * base[i];
        expect(Math.abs(inv[i] - want) / want).toBeLessThan(1e-6);
        expect(inv[i]).toBeLessThan(base[i]);
        expect(inv[i]).toBeGreaterThan(base[i] / f);
        smoothed++;
      }
    }
    expect([kept, smoothed, divided]).toEqual([15, 3, 14]);
  });

  it('gpt2 has no rotary embedding', () => {
    expect(() => ropeInvFreq(parseModelConfig(gpt2Json))).toThrow(/no rotary/);
  });
});
