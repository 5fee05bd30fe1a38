/** `cli export` / `cli export-recipe` through the real entry point, on tiny models. */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, readSafetensors } from '../../testing/cli';
import { tinyLoraParams } from '../../engine/model/tiny';
import { writeAdapterDir, writeTinyModelDir } from '../../testing/modelFiles';
import { defaultLoraConfig, resolveLoraTargets } from '../../engine/model/lora';
import { mergeLora } from '../../engine/export/merge';

const tmp = mkdtempSync(join(tmpdir(), 'cli-export-'));
const MODEL = join(tmp, 'model'), ADAPTER = join(tmp, 'adapter');
let tiny: ReturnType<typeof writeTinyModelDir>;
let values: Map<string, Float32Array>;
let targets: ReturnType<typeof resolveLoraTargets>;

beforeAll(() => {
  tiny = writeTinyModelDir(MODEL, 'llama', { tokenizer: true, seed: 4, overrides: { tie_word_embeddings: true, max_position_embeddings: 128 } });
  const lora = defaultLoraConfig(tiny.config, { r: 4, targetModules: 'all-linear' });
  targets = resolveLoraTargets(tiny.config, lora);
  values = tinyLoraParams(targets, 9, 1);
  writeAdapterDir(ADAPTER, lora, targets, values);
});

describe('cli export', () => {
  it('merges into a sharded HF folder that generates exactly what base + adapter generates', async () => {
    const out = join(tmp, 'merged');
    const r = await runCli(['export', '--model', MODEL, '--adapter', ADAPTER, '--out', out, '--max-shard-size', '30K']);
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toContain('model.safetensors.index.json');
    expect(files).toEqual(expect.arrayContaining(['config.json', 'generation_config.json', 'README.md', 'tokenizer.json', 'tokenizer_config.json', 'model-00001-of-00004.safetensors']));
    expect(readdirSync(tmp).filter((f) => f.includes('.partial'))).toEqual([]);
    const q = targets.find((t) => t.module.endsWith('layers.1.self_attn.q_proj'))!;
    const index = JSON.parse(readFileSync(join(out, 'model.safetensors.index.json'), 'utf8')) as { weight_map: Record<string, string> };
    const got = readSafetensors(join(out, index.weight_map[`${q.module}.weight`])).get(`${q.module}.weight`)!.data;
    expect([...got]).toEqual([...mergeLora(tiny.weights.get(`${q.module}.weight`)!, { target: q, A: values.get(q.keyA)!, B: values.get(q.keyB)! })]);
    const gen = ['generate', '--prompt', 'Hello there', '--temperature', '0', '--max-tokens', '12'];
    const merged = await runCli([...gen, '--model', out]);
    const adapted = await runCli([...gen, '--model', MODEL, '--adapter', ADAPTER]);
    const plain = await runCli([...gen, '--model', MODEL]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(adapted.stdout);
    expect(merged.stdout).not.toBe(plain.stdout);
  }, 240_000);

  it('writes GGUF files with a Modelfile', async () => {
    const out = join(tmp, 'gguf');
    const r = await runCli(['export', '--model', MODEL, '--adapter', ADAPTER, '--out', out, '--format', 'gguf-adapter', '--dtype', 'f32']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['Modelfile', 'README.md', 'adapter.gguf', 'base-f32.gguf']);
    expect(readFileSync(join(out, 'Modelfile'), 'utf8')).toContain('ADAPTER ./adapter.gguf');
  }, 120_000);

  it('refuses bad input with a clear message and writes nothing', async () => {
    // Gemma 3 scoring by query_pre_attn_scalar^-1/2 ≠ head_dim^-1/2: llama.cpp's gemma3 would compute another model.
    const gemma = join(tmp, 'gemma3');
    writeTinyModelDir(gemma, 'gemma3_text', { tokenizer: true });
    const other = writeTinyModelDir(join(tmp, 'other'), 'llama', { seed: 1, overrides: { hidden_size: 48 } }).config;
    const lora = defaultLoraConfig(other, { r: 2 });
    const t = resolveLoraTargets(other, lora);
    writeAdapterDir(join(tmp, 'other-adapter'), lora, t, tinyLoraParams(t, 1));
    mkdirSync(join(tmp, 'taken'));
    writeFileSync(join(tmp, 'taken', 'x'), 'x');
    const cases: [string[], string][] = [
      [['export', '--model', gemma, '--out', join(tmp, 'o1'), '--format', 'gguf'], 'GGUF export refuses this Gemma3ForCausalLM: its attention scale'],
      [['export', '--model', MODEL, '--adapter', join(tmp, 'other-adapter'), '--out', join(tmp, 'o2')], 'has shape [2,48] but the config implies [2,32]'],
      [['export', '--model', MODEL, '--out', join(tmp, 'taken')], 'already exists and is not empty'],
      [['export', '--model', MODEL, '--out', join(tmp, 'o3'), '--format', 'gguf-adapter'], '--format gguf-adapter needs --adapter DIR'],
      [['export', '--model', MODEL, '--out', join(tmp, 'o4'), '--dtype', 'q4'], '--dtype must be f32, f16 or bf16'],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toContain(message);
    }
    for (const o of ['o1', 'o2', 'o3', 'o4']) expect(existsSync(join(tmp, o))).toBe(false);
  }, 120_000);
});

describe('cli export-recipe', () => {
  it('writes the hand-off with the engine\'s first-batch loss', async () => {
    const data = join(tmp, 'data.jsonl');
    writeFileSync(data, ['Say hi.|Hi!', 'Name a colour.|Blue.', 'Count.|One, two.', 'Bye.|Goodbye!'].map((l) => JSON.stringify({ instruction: l.split('|')[0], input: '', output: l.split('|')[1] })).join('\n') + '\n');
    const out = join(tmp, 'handoff');
    const r = await runCli(['export-recipe', '--model', MODEL, '--data', data, '--out', out, '--batch', '2', '--epochs', '2', '--include-base', '--eval-split', '0']);
    expect(r.code, r.stderr).toBe(0);
    const loss = /first-batch loss ([\d.]+)/.exec(r.stdout)![1];
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain(`first-batch loss = ${loss}`);
    expect(JSON.parse(readFileSync(join(out, 'recipe.json'), 'utf8'))).toMatchObject({ base_model: { load_from: 'base_model' }, training: { batch_size: 2, epochs: 2 } });
    expect(readdirSync(join(out, 'base_model')).sort()).toEqual(readdirSync(MODEL).sort());
    expect(readFileSync(join(out, 'data/train.tokenized.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);
  }, 120_000);
});
