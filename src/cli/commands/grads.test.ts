/**
 * `grads` run as a user would, on real files: tiny models and PEFT adapters (B non-zero) written to a temp dir, a
 * batch with −100 labels and right padding. The printed loss and EVERY gradient tensor written must match the float64
 * reference (model64), under exactly the adapter's key names and shapes. Bad inputs must fail with a clear message.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors, relativeError, runCli } from '../../testing/cli';
import { writeAdapterDir, writeTinyModelDir } from '../../testing/modelFiles';
import { defaultLoraConfig, resolveLoraTargets, type LoraOptions } from '../../engine/model/lora';
import { tinyBatch, tinyLoraParams, toFloat64 } from '../../engine/model/tiny';
import type { ModelType } from '../../engine/model/config';
import { model64 } from '../../engine/reference/model64';

const tmp = mkdtempSync(join(tmpdir(), 'grads-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Case {
  name: string;
  arch: ModelType;
  overrides: Record<string, unknown>;
  lora: LoraOptions;
}

async function check(c: Case): Promise<number> {
  const dir = join(tmp, c.name);
  const tiny = writeTinyModelDir(join(dir, 'model'), c.arch, { seed: 11, overrides: c.overrides });
  const cfg = tiny.config;
  const loraConfig = defaultLoraConfig(cfg, { r: 4, loraAlpha: 8, targetModules: 'all-linear', ...c.lora });
  const targets = resolveLoraTargets(cfg, loraConfig);
  const values = tinyLoraParams(targets, 5);
  writeAdapterDir(join(dir, 'adapter'), loraConfig, targets, values);
  const { inputIds, labels } = tinyBatch(cfg, 3, 3, 9);
  writeFileSync(join(dir, 'batch.json'), JSON.stringify({ input_ids: inputIds, labels }));

  const out = join(dir, 'grads.safetensors');
  const r = await runCli(['grads', '--model', join(dir, 'model'), '--adapter', join(dir, 'adapter'), '--batch', join(dir, 'batch.json'), '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  const printed = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { loss: number; tokens: number };

  const ref = model64({ config: cfg, weights: toFloat64(tiny.weights), inputIds, labels, lora: { targets, params: toFloat64(values) } });
  expect(printed.tokens).toBe(ref.nTargets);
  expect(Math.abs(printed.loss - ref.loss) / ref.loss, `loss ${printed.loss} vs ${ref.loss}`).toBeLessThan(1e-4);

  const grads = readSafetensors(out);
  const adapterTensors = readSafetensors(join(dir, 'adapter', 'adapter_model.safetensors'));
  // Exactly the adapter's keys, with the adapter's shapes.
  expect([...grads.keys()].sort()).toEqual([...adapterTensors.keys()].sort());
  for (const [name, g] of grads) {
    expect(g.shape, name).toEqual(adapterTensors.get(name)!.shape);
    const expected = ref.grads.get(name);
    if (!expected) throw new Error(`the reference has no gradient for ${name}`);
    const err = relativeError(g.data, expected);
    expect(err, `${c.name} ${name}: relative error ${err.toExponential(2)}`).toBeLessThanOrEqual(1e-3);
  }
  return grads.size;
}

describe('grads command vs the float64 reference', () => {
  it('llama with GQA: loss and every LoRA gradient (all-linear, r=4)', async () => {
    expect(await check({ name: 'llama', arch: 'llama', overrides: { num_attention_heads: 4, num_key_value_heads: 2 }, lora: {} })).toBe(2 * 7 * 2);
  }, 180_000);

  it('qwen2 with q/k/v biases and a tied head', async () => {
    expect(await check({ name: 'qwen2', arch: 'qwen2', overrides: {}, lora: {} })).toBe(2 * 7 * 2);
  }, 180_000);

  it('gpt2 (Conv1D layout, learned positions)', async () => {
    expect(await check({ name: 'gpt2', arch: 'gpt2', overrides: {}, lora: {} })).toBe(2 * 4 * 2);
  }, 180_000);

  it('rsLoRA with a rank_pattern and alpha_pattern (per-module r and scale)', async () => {
    const lora = { useRslora: true, rankPattern: { q_proj: 2, down_proj: 6 }, alphaPattern: { v_proj: 3 } };
    expect(await check({ name: 'rslora', arch: 'llama', overrides: { num_key_value_heads: 1 }, lora })).toBe(2 * 7 * 2);
  }, 180_000);
});

describe('grads command: bad inputs', () => {
  const dir = join(tmp, 'bad');
  const tiny = writeTinyModelDir(join(dir, 'model'), 'llama', { seed: 2 });
  const loraConfig = defaultLoraConfig(tiny.config, { r: 4, targetModules: ['q_proj', 'v_proj'] });
  const targets = resolveLoraTargets(tiny.config, loraConfig);
  writeAdapterDir(join(dir, 'adapter'), loraConfig, targets, tinyLoraParams(targets, 1));
  const good = tinyBatch(tiny.config, 1, 2, 6);
  writeFileSync(join(dir, 'batch.json'), JSON.stringify({ input_ids: good.inputIds, labels: good.labels }));
  const base = ['grads', '--model', join(dir, 'model'), '--out', join(dir, 'g.safetensors')];

  it('ragged batch rows', async () => {
    writeFileSync(join(dir, 'ragged.json'), JSON.stringify({ input_ids: [[1, 2, 3], [4, 5]], labels: [[1, 2, 3], [4, 5]] }));
    const r = await runCli([...base, '--adapter', join(dir, 'adapter'), '--batch', join(dir, 'ragged.json')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('all "input_ids" rows must have the same length');
  }, 60_000);

  it('an adapter directory without its weights file', async () => {
    const noWeights = join(dir, 'no-weights');
    writeAdapterDir(noWeights, loraConfig, targets, tinyLoraParams(targets, 1));
    rmSync(join(noWeights, 'adapter_model.safetensors'));
    const r = await runCli([...base, '--adapter', noWeights, '--batch', join(dir, 'batch.json')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${noWeights} has no adapter_model.safetensors`);
  }, 60_000);

  it('an adapter made for a different model (shape mismatch)', async () => {
    const other = writeTinyModelDir(join(dir, 'other-model'), 'llama', { seed: 2, overrides: { hidden_size: 48, num_attention_heads: 4 } });
    const otherTargets = resolveLoraTargets(other.config, loraConfig);
    writeAdapterDir(join(dir, 'other-adapter'), loraConfig, otherTargets, tinyLoraParams(otherTargets, 1));
    const r = await runCli([...base, '--adapter', join(dir, 'other-adapter'), '--batch', join(dir, 'batch.json')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/adapter_model\.safetensors.*does not match adapter_config\.json/);
    expect(r.stderr).toContain('model.layers.0.self_attn.q_proj.lora_A.weight has shape [4,48] but the config implies [4,32]');
  }, 60_000);
});
