/**
 * Non-finite numbers never pass silently: one NaN in a base weight or in lora_B is refused at load time, naming the
 * tensor (generate used to print nothing — "1 token, stopped: eos", exit 0 — and train said "stopped before the first
 * step" without saying why), and a learning rate that blows the parameters up is caught by the NaN guard after the
 * update, so the adapter written really holds the last good (finite) parameters.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors, runCli } from '../../testing/cli';
import { writeAdapterDir, writeTinyModelDir } from '../../testing/modelFiles';
import { serializeSafetensors } from '../../engine/io/safetensors';
import { expectedTensors } from '../../engine/model/tensors';
import { defaultLoraConfig, initLoraA, resolveLoraTargets } from '../../engine/model/lora';

const tmp = mkdtempSync(join(tmpdir(), 'train-nonfinite-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const MODEL = join(tmp, 'model');
const tiny = writeTinyModelDir(MODEL, 'llama', { tokenizer: true, seed: 1, overrides: { num_hidden_layers: 1 } });
const DATA = join(tmp, 'data.jsonl');
writeFileSync(DATA, ['Say hi|Hi!', '2+2?|4', 'Sky?|Blue.', 'Up?|Down.'].map((l) => JSON.stringify({ instruction: l.split('|')[0], output: l.split('|')[1] })).join('\n') + '\n');
const COMMON = ['--data', DATA, '--template', 'chatml', '--max-length', '24', '--batch', '2', '--eval-split', '0'];

/** A copy of the tiny model with one NaN in `tensor`. */
function poisonedModel(tensor: string): string {
  const dir = join(tmp, `nan-${tensor}`);
  writeTinyModelDir(dir, 'llama', { tokenizer: true, seed: 1, overrides: { num_hidden_layers: 1 } });
  const tensors = expectedTensors(tiny.config).map((spec) => {
    const data = Float32Array.from(tiny.weights.get(spec.name)!);
    if (spec.name === tensor) data[5] = NaN;
    return { name: spec.name, dtype: 'F32' as const, shape: spec.shape, data };
  });
  writeFileSync(join(dir, 'model.safetensors'), serializeSafetensors(tensors, { format: 'pt' }));
  return dir;
}

describe('non-finite values', () => {
  it('a NaN in a base weight is refused when loading, by tensor name, in generate and train', async () => {
    const name = 'model.layers.0.mlp.up_proj.weight';
    const dir = poisonedModel(name);
    const message = `error: model.safetensors: tensor "${name}" holds NaN at element 5`;
    const g = await runCli(['generate', '--model', dir, '--prompt', 'Hi', '--max-tokens', '4', '--temperature', '0']);
    expect(g.code).toBe(1);
    expect(g.stderr).toContain(message);
    expect(g.stdout).toBe('');
    const t = await runCli(['train', '--model', dir, ...COMMON, '--out', join(tmp, 'never'), '--max-steps', '1']);
    expect(t.code).toBe(1);
    expect(t.stderr).toContain(message);
    expect(t.stderr).not.toContain('stopped before the first step');
  }, 120_000);

  it('a NaN in lora_B is refused when loading the adapter, by tensor name', async () => {
    const lora = defaultLoraConfig(tiny.config, { r: 4, loraAlpha: 8, targetModules: ['q_proj', 'v_proj'] });
    const targets = resolveLoraTargets(tiny.config, lora);
    const values = new Map<string, Float32Array>();
    for (const t of targets) {
      values.set(t.keyA, initLoraA(t, 1));
      values.set(t.keyB, new Float32Array(t.outFeatures * t.r).fill(0.01));
    }
    values.get(targets[1].keyB)![3] = NaN;
    const dir = join(tmp, 'nan-adapter');
    writeAdapterDir(dir, lora, targets, values);
    const g = await runCli(['generate', '--model', MODEL, '--adapter', dir, '--prompt', 'Hi', '--max-tokens', '4']);
    expect(g.code).toBe(1);
    expect(g.stderr).toContain(`error: adapter_model.safetensors: tensor "${targets[1].keyB}" holds NaN at element 3`);
  }, 60_000);

  it('--lr 1e30: the exploding step is undone and the adapter written holds the last finite parameters', async () => {
    // Warmup makes step 1's learning rate 0 (a good step); step 2 applies 1e30 / 2.
    const out = join(tmp, 'exploded');
    const r = await runCli(['train', '--model', MODEL, ...COMMON, '--out', out, '--lr', '1e30', '--warmup-ratio', '0.5', '--max-steps', '4', '--schedule', 'linear']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`error: step 2 produced NaN/Inf or exploding parameters and was undone; the adapter in ${out} holds the parameters after step 1, the last good ones.`);
    const adapter = readSafetensors(join(out, 'adapter_model.safetensors'));
    for (const [key, t] of adapter) expect(t.data.every(Number.isFinite), key).toBe(true);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('| steps | 1 of 4 (nonfinite)');
    const g = await runCli(['generate', '--model', MODEL, '--adapter', out, '--prompt', 'Hi', '--max-tokens', '2', '--temperature', '0']);
    expect(g.code, g.stderr).toBe(0);

    // Straight from the first step (no warmup): nothing is written, and the message says why.
    const none = await runCli(['train', '--model', MODEL, ...COMMON, '--out', join(tmp, 'none'), '--lr', '1e30', '--warmup-ratio', '0', '--max-steps', '2']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('error: the first step produced NaN/Inf (in the loss, the gradients or the updated parameters); nothing was written.');
  }, 180_000);
});
