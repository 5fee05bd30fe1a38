/**
 * The model families added with the declarative specs, parsed from their published config.json files: each family's
 * distinctive features come out as features (never as a family-name switch), and what we do not implement is refused
 * naming the field.
 */
import { describe, expect, it } from 'vitest';
import { parseModelConfig, ropeInvFreq, type ModelConfig } from './config.ts';
import { FAMILIES } from './families/index.ts';
import { expectedTensors, linearModules, namedModules } from './tensors.ts';
import { defaultLoraConfig, resolveLoraTargets } from './lora.ts';
import { tinyModel, TINY_MODEL_TYPES } from './tiny.ts';
import gemma1bJson from './fixtures/gemma-3-1b-it.json';
import gemma270Json from './fixtures/gemma-3-270m.json';
import olmoJson from './fixtures/olmo-2-0425-1b.json';
import phiJson from './fixtures/phi-3-mini-4k-instruct.json';
import qwen3Json from './fixtures/qwen3-0.6b.json';
import smol3Json from './fixtures/smollm3-3b.json';

const with_ = (base: object, patch: Record<string, unknown>) => ({ ...base, ...patch });

describe('new families from their published config.json', () => {
  it('Qwen3-0.6B: head_dim 128 ≠ hidden/heads, per-head q/k norm, tied, no biases', () => {
    const c = parseModelConfig(qwen3Json);
    expect(c).toMatchObject<Partial<ModelConfig>>({
      modelType: 'qwen3', architecture: 'Qwen3ForCausalLM', hidden: 1024, nHeads: 16, nKVHeads: 8, headDim: 128,
      qkNorm: 'head', normWeightOffset: 0, tieEmbeddings: true, attentionBias: false, ropeTheta: 1e6, eosTokenIds: [151645],
      slidingWindow: null, maxTrainLength: 40960, rotaryDim: 128,
    });
    const names = expectedTensors(c).map((t) => t.name);
    expect(names).toContain('model.layers.0.self_attn.q_norm.weight');
    expect(expectedTensors(c).find((t) => t.name === 'model.layers.0.self_attn.k_norm.weight')!.shape).toEqual([128]);
  });

  it('Gemma-3-1B: sandwich (1 + w) norms, GeGLU, √C embedding scale, 5 local layers (θ 1e4, window 512) per global one', () => {
    const c = parseModelConfig(gemma1bJson);
    expect(c).toMatchObject<Partial<ModelConfig>>({
      modelType: 'gemma3_text', headDim: 256, nHeads: 4, nKVHeads: 1, normWeightOffset: 1, qkNorm: 'head', mlp: 'gated',
      hiddenAct: 'gelu_tanh', tieEmbeddings: true, eosTokenIds: [1, 106], bosTokenId: 2, maxTrainLength: 32768,
    });
    expect(c.embedScale).toBe(Math.fround(Math.sqrt(1152)));
    expect(c.attentionScale).toBe(1 / 16);
    const global = c.layers.map((l, i) => (l.window === null ? i : -1)).filter((i) => i >= 0);
    expect(global).toEqual([5, 11, 17, 23]);
    expect(c.layers[0]).toEqual({ rope: { theta: 10000, scaling: { type: 'none' } }, window: 512 });
    expect(c.layers[5]).toEqual({ rope: { theta: 1e6, scaling: { type: 'none' } }, window: null });
    const norms = expectedTensors(c).filter((t) => t.name.startsWith('model.layers.0.') && t.name.includes('norm')).map((t) => t.name.slice(15));
    expect(norms).toEqual([
      'input_layernorm.weight', 'self_attn.q_norm.weight', 'self_attn.k_norm.weight', 'post_attention_layernorm.weight',
      'pre_feedforward_layernorm.weight', 'post_feedforward_layernorm.weight',
    ]);
  });

  it('Gemma-3-270M: explicit layer_types; the v5 per-layer-type rope_parameters layout reads the same', () => {
    const c = parseModelConfig(gemma270Json);
    expect(c.layers.filter((l) => l.window === null).length).toBe(3);
    const { rope_theta: _t, rope_local_base_freq: _l, rope_scaling: _s, ...rest } = gemma270Json;
    const v5 = { ...rest, rope_parameters: { full_attention: { rope_type: 'default', rope_theta: 1e6 }, sliding_attention: { rope_type: 'default', rope_theta: 1e4 } } };
    expect(parseModelConfig(v5).layers).toEqual(c.layers);
    expect(ropeInvFreq(c, c.layers[0].rope)[1]).not.toBe(ropeInvFreq(c, c.layers[5].rope)[1]);
  });

  it('Phi-3-mini: fused qkv_proj / gate_up_proj shapes, sliding window 2047, PEFT default target qkv_proj', () => {
    const c = parseModelConfig(phiJson);
    expect(c).toMatchObject<Partial<ModelConfig>>({ modelType: 'phi3', headDim: 96, rotaryDim: 96, slidingWindow: 2047, tieEmbeddings: false });
    const l0 = linearModules(c).filter((m) => m.layer === 0);
    expect(l0.map((m) => [m.local, m.role, ...m.weightShape])).toEqual([
      ['self_attn.qkv_proj', 'qkv', 3 * 3072, 3072], ['self_attn.o_proj', 'o', 3072, 3072],
      ['mlp.gate_up_proj', 'gateUp', 2 * 8192, 3072], ['mlp.down_proj', 'down', 3072, 8192],
    ]);
    const t = resolveLoraTargets(c, defaultLoraConfig(c));
    expect(new Set(t.map((x) => x.local))).toEqual(new Set(['self_attn.qkv_proj']));
  });

  it('Phi-4-mini style partial rotary (0.75 of head_dim 128 → 96 dims) and LongRoPE refused by name', () => {
    const c = parseModelConfig(with_(phiJson, { num_attention_heads: 24, num_key_value_heads: 8, partial_rotary_factor: 0.75 }));
    expect([c.headDim, c.rotaryDim]).toEqual([128, 96]);
    expect(ropeInvFreq(c).length).toBe(48);
    expect(() => parseModelConfig(with_(phiJson, { rope_scaling: { type: 'longrope', short_factor: [1], long_factor: [1] } }))).toThrow(/rope_scaling\.rope_type "longrope" is not supported/);
  });

  it('OLMo-2-1B: post-norms only, q/k norms over the whole projection', () => {
    const c = parseModelConfig(olmoJson);
    expect(c).toMatchObject<Partial<ModelConfig>>({ modelType: 'olmo2', qkNorm: 'projection', ropeTheta: 500000, eosTokenIds: [100257] });
    expect(c.names.norms).toEqual({ attnIn: null, attnOut: 'post_attention_layernorm', mlpIn: null, mlpOut: 'post_feedforward_layernorm' });
    const shapes = new Map(expectedTensors(c).map((t) => [t.name, t.shape]));
    expect(shapes.get('model.layers.0.self_attn.q_norm.weight')).toEqual([2048]);
    expect(shapes.has('model.layers.0.input_layernorm.weight')).toBe(false);
  });

  it('SmolLM3-3B: every 4th layer has no position encoding (no_rope_layers 1 = RoPE)', () => {
    const c = parseModelConfig(smol3Json);
    expect(c.layers.map((l) => (l.rope ? 1 : 0))).toEqual(smol3Json.no_rope_layers);
    expect(c.layers[3].rope).toBe(null);
    const { no_rope_layers: _n, ...byInterval } = smol3Json;
    expect(parseModelConfig(byInterval).layers).toEqual(c.layers);
  });
});

describe('family specs', () => {
  it('every registered family has a tiny test model, and every tiny model parses', () => {
    expect(new Set(TINY_MODEL_TYPES)).toEqual(new Set(FAMILIES.map((f) => f.modelType)));
    for (const t of TINY_MODEL_TYPES) expect(tinyModel(t, 1).config.modelType).toBe(t);
  });

  it('the attention preset resolves on every family (the CLI default works on GPT-2 too)', () => {
    for (const t of TINY_MODEL_TYPES) {
      const c = tinyModel(t, 1).config;
      const targets = resolveLoraTargets(c, defaultLoraConfig(c, { targetModules: [...c.attentionTargets] }));
      expect(targets.length, t).toBeGreaterThan(0);
      expect(targets.every((x) => ['q', 'k', 'v', 'qkv', 'o'].includes(linearModules(c).find((m) => m.path === x.module)!.role)), t).toBe(true);
    }
  });

  it('all-linear covers every linear module and never the head; named modules are unique', () => {
    for (const t of TINY_MODEL_TYPES) {
      const c = tinyModel(t, 1).config;
      expect(resolveLoraTargets(c, defaultLoraConfig(c, { targetModules: 'all-linear' })).length, t).toBe(linearModules(c).length);
      const paths = namedModules(c).map((m) => m.path);
      expect(new Set(paths).size, t).toBe(paths.length);
    }
  });
});

describe('bad input names the field', () => {
  const bad: [string, unknown, RegExp][] = [
    ['gemma logit soft-capping', with_(gemma1bJson, { final_logit_softcapping: 30 }), /final_logit_softcapping = 30 is not supported/],
    ['gemma attention soft-capping', with_(gemma1bJson, { attn_logit_softcapping: 50 }), /attn_logit_softcapping/],
    ['gemma yarn on the global layers', with_(gemma1bJson, { rope_scaling: { rope_type: 'yarn', factor: 8 } }), /rope_scaling\.rope_type "yarn"/],
    ['olmo clip_qkv', with_(olmoJson, { clip_qkv: 8 }), /clip_qkv = 8 is not supported/],
    ['smollm3 bad no_rope_layers', with_(smol3Json, { no_rope_layers: [1, 2] }), /no_rope_layers must list/],
    ['qwen3 partial rotary', with_(qwen3Json, { partial_rotary_factor: 0.5 }), /partial_rotary_factor/],
    ['bad layer_types', with_(gemma1bJson, { layer_types: ['chunked_attention'] }), /layer_types must list/],
  ];
  for (const [what, json, re] of bad) it(what, () => expect(() => parseModelConfig(json)).toThrow(re));

  it('an adapter whose targets do not exist in the family says which', () => {
    const c = tinyModel('gpt2', 1).config;
    expect(() => resolveLoraTargets(c, defaultLoraConfig(c, { targetModules: ['q_proj', 'v_proj'] }))).toThrow(/q_proj.*v_proj.*GPT2LMHeadModel.*c_attn/);
  });

  it('a model type PEFT has no default for needs explicit targets', () => {
    const c = tinyModel('olmo2', 1).config;
    expect(() => defaultLoraConfig(c)).toThrow(/target_modules is null.*olmo2/);
  });
});
