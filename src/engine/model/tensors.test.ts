import { describe, expect, it } from 'vitest';
import { parseModelConfig } from './config.ts';
import gpt2Json from './fixtures/gpt2.json';
import qwenJson from './fixtures/qwen2.5-0.5b.json';
import smolJson from './fixtures/smollm2-135m.json';
import tinyllamaJson from './fixtures/tinyllama-1.1b-chat.json';
import { expectedTensors, linearModules, resolveCheckpointNames, unusedCheckpointNames } from './tensors.ts';

const smol = parseModelConfig(smolJson);
const gpt2 = parseModelConfig(gpt2Json);

describe('expectedTensors', () => {
  it('SmolLM2-135M: 9 tensors per layer + embed + norm, tied (no lm_head); parameter count 134.5M', () => {
    const t = expectedTensors(smol);
    expect(t.length).toBe(30 * 9 + 2);
    expect(t.slice(0, 11).map((s) => s.name)).toEqual([
      'model.embed_tokens.weight',
      'model.layers.0.input_layernorm.weight',
      'model.layers.0.self_attn.q_proj.weight',
      'model.layers.0.self_attn.k_proj.weight',
      'model.layers.0.self_attn.v_proj.weight',
      'model.layers.0.self_attn.o_proj.weight',
      'model.layers.0.post_attention_layernorm.weight',
      'model.layers.0.mlp.gate_proj.weight',
      'model.layers.0.mlp.up_proj.weight',
      'model.layers.0.mlp.down_proj.weight',
      'model.layers.1.input_layernorm.weight',
    ]);
    const byName = new Map(t.map((s) => [s.name, s.shape]));
    expect(byName.get('model.layers.3.self_attn.k_proj.weight')).toEqual([192, 576]);
    expect(byName.get('model.layers.3.mlp.down_proj.weight')).toEqual([576, 1536]);
    expect(byName.has('lm_head.weight')).toBe(false);
    const params = t.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
    expect(params).toBe(134515008); // SmolLM2-135M: model.num_parameters() = 134.5M
  });

  it('Qwen2.5: q/k/v biases but no o_proj bias; TinyLlama: lm_head present', () => {
    const q = expectedTensors(parseModelConfig(qwenJson)).map((s) => s.name);
    expect(q).toContain('model.layers.0.self_attn.k_proj.bias');
    expect(q).not.toContain('model.layers.0.self_attn.o_proj.bias');
    const tl = expectedTensors(parseModelConfig(tinyllamaJson));
    expect(tl[tl.length - 1]).toEqual({ name: 'lm_head.weight', shape: [32000, 2048] });
  });

  it('gpt2: Conv1D [in, out] shapes, transformer. prefix, 124.4M parameters', () => {
    const t = expectedTensors(gpt2);
    const byName = new Map(t.map((s) => [s.name, s.shape]));
    expect(byName.get('transformer.h.0.attn.c_attn.weight')).toEqual([768, 2304]);
    expect(byName.get('transformer.h.0.attn.c_attn.bias')).toEqual([2304]);
    expect(byName.get('transformer.h.11.mlp.c_fc.weight')).toEqual([768, 3072]);
    expect(byName.get('transformer.h.11.mlp.c_proj.weight')).toEqual([3072, 768]);
    expect(byName.get('transformer.wpe.weight')).toEqual([1024, 768]);
    expect(t.length).toBe(2 + 12 * 12 + 2);
    const params = t.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
    expect(params).toBe(124439808); // GPT-2 small's well-known count
  });
});

describe('linearModules', () => {
  it('llama: 7 Linear modules per layer, [out, in]', () => {
    const m = linearModules(smol);
    expect(m.length).toBe(30 * 7);
    expect(m[1]).toMatchObject({ path: 'model.layers.0.self_attn.k_proj', inFeatures: 576, outFeatures: 192, layout: 'linear', weightShape: [192, 576], bias: null });
  });
  it('gpt2: c_attn, attn.c_proj, c_fc, mlp.c_proj as Conv1D [in, out] with biases', () => {
    const m = linearModules(gpt2).filter((x) => x.layer === 2);
    expect(m.map((x) => [x.path, x.inFeatures, x.outFeatures, x.layout])).toEqual([
      ['transformer.h.2.attn.c_attn', 768, 2304, 'conv1d'],
      ['transformer.h.2.attn.c_proj', 768, 768, 'conv1d'],
      ['transformer.h.2.mlp.c_fc', 768, 3072, 'conv1d'],
      ['transformer.h.2.mlp.c_proj', 3072, 768, 'conv1d'],
    ]);
    expect(m[0].bias).toBe('transformer.h.2.attn.c_attn.bias');
  });
});

describe('resolveCheckpointNames', () => {
  const tinyGpt2 = parseModelConfig({ ...gpt2Json, n_layer: 2 });

  it('original gpt2 file: no transformer. prefix, attn.bias / masked_bias buffers ignored', () => {
    const file = new Map<string, number[]>();
    for (const s of expectedTensors(tinyGpt2)) file.set(s.name.replace(/^transformer\./, ''), s.shape);
    file.set('h.0.attn.bias', [1, 1, 1024, 1024]);
    file.set('h.1.attn.masked_bias', []);
    const r = resolveCheckpointNames(tinyGpt2, file);
    expect(r.get('transformer.h.1.attn.c_attn.weight')).toBe('h.1.attn.c_attn.weight');
    expect(r.get('transformer.wte.weight')).toBe('wte.weight');
    expect(unusedCheckpointNames(tinyGpt2, file.keys(), r)).toEqual([]);
  });

  it('prefixed gpt2 file with a redundant tied lm_head', () => {
    const names = expectedTensors(tinyGpt2).map((s) => s.name).concat('lm_head.weight');
    const r = resolveCheckpointNames(tinyGpt2, names);
    expect(r.get('transformer.ln_f.bias')).toBe('transformer.ln_f.bias');
    expect(r.has('lm_head.weight')).toBe(false);
    expect(unusedCheckpointNames(tinyGpt2, names, r)).toEqual([]);
    expect(unusedCheckpointNames(tinyGpt2, [...names, 'foo.weight'], r)).toEqual(['foo.weight']);
  });

  it('reports every missing tensor and every wrong shape in one error', () => {
    const file = new Map<string, number[]>();
    for (const s of expectedTensors(tinyGpt2)) file.set(s.name, s.shape);
    file.delete('transformer.h.0.ln_2.weight');
    file.delete('transformer.wpe.weight');
    file.set('transformer.h.1.attn.c_attn.weight', [2304, 768]); // transposed: an nn.Linear export
    let msg = '';
    try {
      resolveCheckpointNames(tinyGpt2, file);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/missing 2 tensor\(s\): transformer\.wpe\.weight, transformer\.h\.0\.ln_2\.weight/);
    expect(msg).toMatch(/transformer\.h\.1\.attn\.c_attn\.weight: \[2304, 768\], expected \[768, 2304\]/);
  });

  it('llama: untied model needs lm_head.weight; base-model exports without "model." resolve', () => {
    const cfg = parseModelConfig({ ...tinyllamaJson, num_hidden_layers: 1 });
    const names = expectedTensors(cfg).map((s) => s.name.replace(/^model\./, ''));
    expect(resolveCheckpointNames(cfg, names).get('model.norm.weight')).toBe('norm.weight');
    expect(() => resolveCheckpointNames(cfg, names.filter((n) => n !== 'lm_head.weight'))).toThrow(/missing 1 tensor\(s\): lm_head\.weight/);
  });
});
