import { describe, expect, it } from 'vitest';
import { parseModelConfig } from './config.ts';
import gpt2Json from './fixtures/gpt2.json';
import smolJson from './fixtures/smollm2-135m.json';
import {
  defaultLoraConfig, initLoraA, initLoraB, parseLoraConfig, resolveLoraTargets, serializeLoraConfig, type LoraConfig,
} from './lora.ts';

const smol = parseModelConfig({ ...smolJson, num_hidden_layers: 3 });
const gpt2 = parseModelConfig({ ...gpt2Json, n_layer: 2 });

/** adapter_config.json as PEFT 0.13 writes it for SmolLM2 (sorted keys). */
const peft013 = {
  alpha_pattern: {}, auto_mapping: null, base_model_name_or_path: 'HuggingFaceTB/SmolLM2-135M', bias: 'none',
  fan_in_fan_out: false, inference_mode: true, init_lora_weights: true, layer_replication: null, layers_pattern: null,
  layers_to_transform: null, loftq_config: {}, lora_alpha: 32, lora_dropout: 0.05, megatron_config: null,
  megatron_core: 'megatron.core', modules_to_save: null, peft_type: 'LORA', r: 16, rank_pattern: {}, revision: null,
  target_modules: ['v_proj', 'q_proj'], task_type: 'CAUSAL_LM', use_dora: false, use_rslora: false,
};
/** A newer PEFT (0.17-style) file: extra keys at their defaults. */
const peft017 = {
  ...peft013, corda_config: null, eva_config: null, exclude_modules: null, lora_bias: false, qalora_group_size: 16,
  target_parameters: null, trainable_token_indices: null, use_qalora: false,
};

const cfgWith = (patch: Record<string, unknown>): LoraConfig => parseLoraConfig({ ...peft013, ...patch });
const summary = (cfg: LoraConfig, model = smol) =>
  resolveLoraTargets(model, cfg).map((t) => `${t.module} r${t.r} a${t.alpha} s${t.scale}`);

describe('parseLoraConfig / serializeLoraConfig', () => {
  it('parses PEFT-written files of old and new versions identically', () => {
    const a = parseLoraConfig(peft013);
    expect(a).toMatchObject<Partial<LoraConfig>>({
      r: 16, loraAlpha: 32, loraDropout: 0.05, targetModules: ['v_proj', 'q_proj'], useRslora: false,
      initLoraWeights: true, taskType: 'CAUSAL_LM', baseModelNameOrPath: 'HuggingFaceTB/SmolLM2-135M',
    });
    expect(parseLoraConfig(peft017)).toEqual(a);
  });

  it('serialize writes exactly the PEFT 0.13 key set, sorted, and round-trips', () => {
    const cfg = parseLoraConfig(peft013);
    const out = serializeLoraConfig(cfg);
    expect(out).toEqual(peft013);
    expect(Object.keys(out)).toEqual(Object.keys(peft013).sort());
    expect(parseLoraConfig(JSON.parse(JSON.stringify(out)))).toEqual(cfg);
  });

  it('round-trips patterns, rsLoRA, regex targets, exclusions and layer selection', () => {
    const cfg = cfgWith({
      rank_pattern: { 'layers.1.self_attn.q_proj': 4, q_proj: 2 }, alpha_pattern: { v_proj: 64 }, use_rslora: true,
      target_modules: '.*\\.(q|v)_proj', exclude_modules: ['model.layers.0.self_attn.q_proj'], init_lora_weights: 'gaussian',
    });
    const back = parseLoraConfig(serializeLoraConfig(cfg));
    expect(back).toEqual(cfg);
    expect(Object.keys(back.rankPattern)).toEqual(['layers.1.self_attn.q_proj', 'q_proj']); // order preserved
    const sel = cfgWith({ layers_to_transform: [0, 2], layers_pattern: 'layers' });
    expect(parseLoraConfig(serializeLoraConfig(sel))).toEqual(sel);
  });

  it('defaultLoraConfig: PEFT default targets; GPT-2 saved with fan_in_fan_out true', () => {
    const l = defaultLoraConfig(smol);
    expect(l).toMatchObject({ r: 8, loraAlpha: 16, targetModules: ['q_proj', 'v_proj'], fanInFanOut: false, inferenceMode: false });
    const g = defaultLoraConfig(gpt2, { r: 4, baseModelNameOrPath: 'openai-community/gpt2' });
    expect(g).toMatchObject({ r: 4, targetModules: ['c_attn'], fanInFanOut: true });
    expect(serializeLoraConfig(g).fan_in_fan_out).toBe(true);
    expect(() => defaultLoraConfig(smol, { r: 0 })).toThrow(/r must be a positive integer/);
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['other PEFT method', { peft_type: 'IA3' }, /peft_type must be "LORA"/],
    ['DoRA', { use_dora: true }, /DoRA is not supported/],
    ['trained biases', { bias: 'lora_only' }, /bias must be "none"/],
    ['modules_to_save', { modules_to_save: ['lm_head'] }, /modules_to_save must be null or empty/],
    ['PiSSA init', { init_lora_weights: 'pissa' }, /init_lora_weights "pissa" is not supported/],
    ['classification task', { task_type: 'SEQ_CLS' }, /task_type must be "CAUSAL_LM"/],
    ['zero rank', { r: 0 }, /r must be a positive integer/],
    ['rank_pattern value', { rank_pattern: { q_proj: 2.5 } }, /rank_pattern\["q_proj"\] must be a positive integer/],
    ['broken regex', { target_modules: '(q_proj' }, /target_modules is not a valid regular expression/],
    ['layers with regex targets', { target_modules: '.*q_proj', layers_to_transform: [1] }, /layers_to_transform cannot be used/],
    ['lora_bias', { lora_bias: true }, /lora_bias/],
    ['layer replication', { layer_replication: [[0, 2]] }, /layer_replication is not supported/],
  ];
  for (const [what, patch, re] of bad) it(`rejects ${what}`, () => expect(() => cfgWith(patch)).toThrow(re));
});

describe('resolveLoraTargets', () => {
  it('list targets: PEFT keys and shapes for llama', () => {
    const t = resolveLoraTargets(smol, cfgWith({ r: 8, lora_alpha: 16 }));
    expect(t.map((x) => x.module)).toEqual([0, 1, 2].flatMap((i) => [`model.layers.${i}.self_attn.q_proj`, `model.layers.${i}.self_attn.v_proj`]));
    expect(t[1]).toMatchObject({
      inFeatures: 576, outFeatures: 192, r: 8, alpha: 16, scale: 2, layout: 'linear',
      keyA: 'base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight',
      keyB: 'base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight',
    });
  });

  it('null target_modules falls back to PEFT defaults (q_proj, v_proj / c_attn)', () => {
    expect(resolveLoraTargets(smol, cfgWith({ target_modules: null })).length).toBe(6);
    expect(resolveLoraTargets(gpt2, cfgWith({ target_modules: null })).map((t) => t.module)).toEqual([
      'transformer.h.0.attn.c_attn', 'transformer.h.1.attn.c_attn',
    ]);
  });

  it('"all-linear": every projection, never lm_head (llama) ', () => {
    const t = resolveLoraTargets(smol, cfgWith({ target_modules: 'all-linear' }));
    expect(t.length).toBe(3 * 7);
    expect(t.slice(0, 7).map((x) => x.local)).toEqual([
      'self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj',
    ]);
    expect(t.some((x) => x.module.includes('lm_head'))).toBe(false);
    expect(resolveLoraTargets(smol, cfgWith({ target_modules: 'ALL-LINEAR' })).length).toBe(21);
  });

  it('"all-linear" on gpt2: the four Conv1D modules, keys and [r, in] / [out, r] shapes as PEFT saves them', () => {
    const t = resolveLoraTargets(gpt2, cfgWith({ target_modules: 'all-linear', r: 4, lora_alpha: 8 }));
    expect(t.map((x) => `${x.module} ${x.inFeatures}->${x.outFeatures}`)).toEqual([
      'transformer.h.0.attn.c_attn 768->2304', 'transformer.h.0.attn.c_proj 768->768',
      'transformer.h.0.mlp.c_fc 768->3072', 'transformer.h.0.mlp.c_proj 3072->768',
      'transformer.h.1.attn.c_attn 768->2304', 'transformer.h.1.attn.c_proj 768->768',
      'transformer.h.1.mlp.c_fc 768->3072', 'transformer.h.1.mlp.c_proj 3072->768',
    ]);
    expect(t[0].keyA).toBe('base_model.model.transformer.h.0.attn.c_attn.lora_A.weight');
    expect(t[0].layout).toBe('conv1d');
  });

  it('list entries match by "." suffix: c_proj hits both GPT-2 c_proj modules, attn.c_proj only one', () => {
    expect(resolveLoraTargets(gpt2, cfgWith({ target_modules: ['c_proj'] })).length).toBe(4);
    expect(resolveLoraTargets(gpt2, cfgWith({ target_modules: ['attn.c_proj'] })).map((x) => x.local)).toEqual(['attn.c_proj', 'attn.c_proj']);
    expect(() => resolveLoraTargets(smol, cfgWith({ target_modules: ['proj'] }))).toThrow(/matched no module/);
  });

  it('regex targets must match the full module name', () => {
    expect(resolveLoraTargets(smol, cfgWith({ target_modules: '.*\\.layers\\.[02]\\..*(q|k)_proj' })).map((x) => x.module)).toEqual([
      'model.layers.0.self_attn.q_proj', 'model.layers.0.self_attn.k_proj', 'model.layers.2.self_attn.q_proj', 'model.layers.2.self_attn.k_proj',
    ]);
    expect(() => resolveLoraTargets(smol, cfgWith({ target_modules: 'q_proj' }))).toThrow(/matched no module/);
  });

  it('rank_pattern / alpha_pattern: first matching key in order, (.*\\.)?(key)$ against the full name', () => {
    const specificFirst = cfgWith({ r: 8, lora_alpha: 16, rank_pattern: { 'layers.1.self_attn.q_proj': 4, q_proj: 2 }, alpha_pattern: { v_proj: 64 } });
    expect(summary(specificFirst)).toEqual([
      'model.layers.0.self_attn.q_proj r2 a16 s8', 'model.layers.0.self_attn.v_proj r8 a64 s8',
      'model.layers.1.self_attn.q_proj r4 a16 s4', 'model.layers.1.self_attn.v_proj r8 a64 s8',
      'model.layers.2.self_attn.q_proj r2 a16 s8', 'model.layers.2.self_attn.v_proj r8 a64 s8',
    ]);
    // The general key first shadows the specific one (PEFT iterates the dict in order).
    const generalFirst = cfgWith({ r: 8, lora_alpha: 16, rank_pattern: { q_proj: 2, 'layers.1.self_attn.q_proj': 4 } });
    expect(resolveLoraTargets(smol, generalFirst).filter((t) => t.local === 'self_attn.q_proj').map((t) => t.r)).toEqual([2, 2, 2]);
    // A key is not a substring match: "proj" matches no module name ending (it needs a "." boundary).
    expect(resolveLoraTargets(smol, cfgWith({ rank_pattern: { proj: 1 } })).every((t) => t.r === 16)).toBe(true);
    // Keys are regexes: "layers\.[12]\..*" hits two layers.
    const re = cfgWith({ rank_pattern: { 'layers\\.[12]\\..*': 4 } });
    expect(resolveLoraTargets(smol, re).map((t) => t.r)).toEqual([16, 16, 4, 4, 4, 4]);
  });

  it('use_rslora: scale = alpha / √r', () => {
    const t = resolveLoraTargets(smol, cfgWith({ r: 16, lora_alpha: 32, use_rslora: true, rank_pattern: { v_proj: 4 } }));
    expect(t[0].scale).toBe(8);
    expect(t[1].scale).toBe(16);
  });

  it('exclude_modules and layers_to_transform / layers_pattern', () => {
    const ex = cfgWith({ target_modules: 'all-linear', exclude_modules: ['v_proj', 'mlp.down_proj'] });
    expect(resolveLoraTargets(smol, ex).length).toBe(3 * 5);
    const exRe = cfgWith({ target_modules: ['q_proj'], exclude_modules: '.*layers\\.1\\..*' });
    expect(resolveLoraTargets(smol, exRe).map((t) => t.layer)).toEqual([0, 2]);
    const lt = cfgWith({ target_modules: ['q_proj', 'v_proj'], layers_to_transform: 1 });
    expect(resolveLoraTargets(smol, lt).map((t) => t.module)).toEqual(['model.layers.1.self_attn.q_proj', 'model.layers.1.self_attn.v_proj']);
    const lp = cfgWith({ target_modules: ['c_fc'], layers_to_transform: [1], layers_pattern: 'h' });
    expect(resolveLoraTargets(gpt2, lp).map((t) => t.module)).toEqual(['transformer.h.1.mlp.c_fc']);
    const wrongPattern = cfgWith({ target_modules: ['c_fc'], layers_to_transform: [1], layers_pattern: 'layers' });
    expect(() => resolveLoraTargets(gpt2, wrongPattern)).toThrow(/matched no module/);
  });

  it('rejects targets that are not Linear / Conv1D, as PEFT does, and LoRA on embeddings / lm_head', () => {
    expect(() => resolveLoraTargets(smol, cfgWith({ target_modules: ['self_attn'] }))).toThrow(/model\.layers\.0\.self_attn, which is not a Linear/);
    expect(() => resolveLoraTargets(smol, cfgWith({ target_modules: ['q_proj', 'lm_head'] }))).toThrow(/LM head is not supported/);
    expect(() => resolveLoraTargets(gpt2, cfgWith({ target_modules: ['wte'] }))).toThrow(/embeddings is not supported/);
    expect(() => resolveLoraTargets(smol, cfgWith({ target_modules: '.*attn.*' }))).toThrow(/not a Linear/);
  });
});

describe('initLoraA / initLoraB', () => {
  const [t0, t1] = resolveLoraTargets(smol, cfgWith({ r: 8 }));

  it('kaiming-uniform(a=√5): uniform in ±1/√in, deterministic per (seed, module)', () => {
    const a = initLoraA(t0, 7);
    expect(a.length).toBe(8 * 576);
    const bound = 1 / Math.sqrt(576);
    let max = 0, sum = 0, sq = 0;
    for (const v of a) {
      max = Math.max(max, Math.abs(v));
      sum += v;
      sq += v * v;
    }
    expect(max).toBeLessThanOrEqual(bound);
    expect(max).toBeGreaterThan(0.99 * bound);
    expect(Math.abs(sum / a.length)).toBeLessThan(0.05 * bound);
    expect(Math.abs(sq / a.length / (bound * bound / 3) - 1)).toBeLessThan(0.03); // variance of U(−b, b)
    expect(initLoraA(t0, 7)).toEqual(a);
    expect(initLoraA(t0, 8)).not.toEqual(a);
    expect(initLoraA(t1, 7).subarray(0, 16)).not.toEqual(a.subarray(0, 16));
  });

  it('gaussian: N(0, 1/r); B is zero unless init_lora_weights is false', () => {
    const g = initLoraA(t0, 1, 'gaussian');
    const sd = Math.sqrt(g.reduce((s, v) => s + v * v, 0) / g.length);
    expect(sd).toBeGreaterThan(0.95 / 8);
    expect(sd).toBeLessThan(1.05 / 8);
    expect(initLoraB(t0, 1).every((v) => v === 0)).toBe(true);
    const b = initLoraB(t0, 1, false);
    expect(b.length).toBe(576 * 8); // q_proj: out 576, r 8
    expect(b.some((v) => v !== 0)).toBe(true);
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(8));
  });
});
