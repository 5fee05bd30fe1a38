/**
 * `generate` run as a user would, on a tiny model directory with the byte-level BPE fixture tokenizer: streaming,
 * --max-tokens, EOS (config.json's and generation_config.json's), --stop, seeded sampling, and clear errors. Plus the incremental detokeniser on its own.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../testing/cli';
import { FIXTURE_VOCAB, writeAdapterDir, writeTinyModelDir } from '../../testing/modelFiles';
import { defaultLoraConfig, resolveLoraTargets } from '../../engine/model/lora';
import { tinyLoraParams } from '../../engine/model/tiny';
import { TextStream } from './generate';

const tmp = mkdtempSync(join(tmpdir(), 'generate-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const MODEL = join(tmp, 'model');
writeTinyModelDir(MODEL, 'llama', { tokenizer: true, seed: 3, overrides: { num_hidden_layers: 1 } });
const greedy = ['generate', '--model', MODEL, '--temperature', '0'];

describe('TextStream (incremental detokenisation)', () => {
  const pieces = ['Hel', 'lo', '\uFFFD', 'é', ' <', '/s', '>', 'tail'];
  // A two-token character: piece 2 alone decodes to U+FFFD, together with piece 3 to 'é'.
  const decode = (ids: number[]) => ids.map((i) => pieces[i]).join('').replace('\uFFFDé', 'é');

  it('holds back an incomplete character until the next token completes it', () => {
    const s = new TextStream(decode, []);
    expect([0, 1, 2, 3].map((_, k, all) => s.next(all.slice(0, k + 1), false))).toEqual(['Hel', 'lo', '', 'é']);
  });

  it('cuts at a stop string spanning several tokens and never prints its start', () => {
    const s = new TextStream(decode, ['</s>']);
    const ids = [0, 1, 4, 5, 6, 7];
    const out = ids.map((_, k) => s.next(ids.slice(0, k + 1), k === ids.length - 1));
    expect(out).toEqual(['Hel', 'lo', ' ', '', '', '']);
  });

  it('flushes what was held back when generation ends', () => {
    const s = new TextStream(decode, ['</s>']);
    expect(s.next([0, 4], false)).toBe('Hel ');
    expect(s.next([0, 4], true)).toBe('<');
  });
});

describe('generate command', () => {
  it('streams tokens as they are produced and stops at --max-tokens', async () => {
    let chunks = 0;
    const r = await runCli([...greedy, '--prompt', 'Once upon a time', '--max-tokens', '8'], { onStdout: () => chunks++ });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[8 tokens, stopped: max-tokens, [\d.]+ tok\/s\]/);
    expect(r.stdout.trim().length).toBeGreaterThan(0);
    expect(chunks).toBeGreaterThan(2);
  }, 120_000);

  it('--stop cuts the greedy text before the stop string', async () => {
    const full = await runCli([...greedy, '--prompt', 'Hello', '--max-tokens', '16']);
    expect(full.code, full.stderr).toBe(0);
    const text = full.stdout.replace(/\n$/, '');
    const at = text.slice(2).search(/[A-Za-z]{2}/) + 2;
    expect(at, `no ASCII pair to stop at in ${JSON.stringify(text)}`).toBeGreaterThan(1);
    const stop = text.slice(at, at + 2);
    const cut = await runCli([...greedy, '--prompt', 'Hello', '--max-tokens', '16', '--stop', stop]);
    expect(cut.code, cut.stderr).toBe(0);
    expect(cut.stdout).toBe(`${text.slice(0, text.indexOf(stop))}\n`);
    expect(cut.stderr).toContain('stopped: stop-string');
  }, 120_000);

  it('stops at an end-of-sequence token (every id is EOS here, so at the first one)', async () => {
    const dir = join(tmp, 'all-eos');
    writeTinyModelDir(dir, 'llama', { tokenizer: true, seed: 3, overrides: { num_hidden_layers: 1, eos_token_id: [...Array(FIXTURE_VOCAB).keys()] } });
    const r = await runCli(['generate', '--model', dir, '--prompt', 'Hello', '--chat', '--system', 'Be brief.', '--max-tokens', '8']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('\n');
    expect(r.stderr).toContain('[1 token, stopped: eos');
  }, 120_000);

  it("stops at generation_config.json's eos_token_id (every id is listed there; config.json names only its EOS)", async () => {
    const dir = join(tmp, 'gen-eos');
    writeTinyModelDir(dir, 'llama', { tokenizer: true, seed: 3, overrides: { num_hidden_layers: 1 } });
    writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [...Array(FIXTURE_VOCAB).keys()] }));
    const r = await runCli(['generate', '--model', dir, '--prompt', 'Hello', '--max-tokens', '8']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('\n');
    expect(r.stderr).toContain('[1 token, stopped: eos');
  }, 120_000);

  it('sampling is reproducible with --seed and varies across seeds; an adapter is applied', async () => {
    const cfg = writeTinyModelDir(join(tmp, 'scratch'), 'llama', { tokenizer: true, seed: 3, overrides: { num_hidden_layers: 1 } }).config;
    const lora = defaultLoraConfig(cfg, { r: 4, targetModules: 'all-linear' });
    const targets = resolveLoraTargets(cfg, lora);
    writeAdapterDir(join(tmp, 'adapter'), lora, targets, tinyLoraParams(targets, 9, 2));
    const args = ['generate', '--model', MODEL, '--prompt', 'Hello', '--temperature', '1', '--top-k', '0', '--top-p', '1', '--max-tokens', '10'];
    const a = await runCli([...args, '--seed', '1']);
    const b = await runCli([...args, '--seed', '1']);
    const c = await runCli([...args, '--seed', '2']);
    const d = await runCli([...args, '--seed', '1', '--adapter', join(tmp, 'adapter')]);
    for (const r of [a, b, c, d]) expect(r.code, r.stderr).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(c.stdout).not.toBe(a.stdout);
    expect(d.stdout).not.toBe(a.stdout);
    expect(d.stderr).toContain(`adapter ${join(tmp, 'adapter')}`);
  }, 180_000);

  it('rejects bad input with a clear message', async () => {
    const noTemplate = join(tmp, 'no-template');
    mkdirSync(noTemplate);
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json']) copyFileSync(join(MODEL, f), join(noTemplate, f));
    writeFileSync(join(noTemplate, 'tokenizer_config.json'), JSON.stringify({ eos_token: '<|endoftext|>' }));
    const badGen = join(tmp, 'bad-generation-config');
    mkdirSync(badGen);
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(MODEL, f), join(badGen, f));
    writeFileSync(join(badGen, 'generation_config.json'), '{ "eos_token_id": [2,');
    const other = writeTinyModelDir(join(tmp, 'other'), 'llama', { seed: 1, overrides: { hidden_size: 48 } }).config;
    const lora = defaultLoraConfig(other, { r: 2 });
    const t = resolveLoraTargets(other, lora);
    writeAdapterDir(join(tmp, 'other-adapter'), lora, t, tinyLoraParams(t, 1));
    const cases: [string[], string][] = [
      [['generate', '--model', MODEL], 'missing --prompt <value>'],
      [['generate', '--model', MODEL, '--prompt', 'x', '--system', 'y'], '--system and --template apply to --chat prompts'],
      [['generate', '--model', MODEL, '--prompt', 'x', '--top-p', '0'], '--top-p must be greater than 0, got 0'],
      [['generate', '--model', MODEL, '--prompt', 'x', '--max-token', '3'], 'unknown option --max-token'],
      [['generate', '--model', noTemplate, '--prompt', 'x', '--chat'], 'this tokenizer has no chat template'],
      [['generate', '--model', MODEL, '--prompt', 'x', '--adapter', join(tmp, 'other-adapter')], 'has shape [2,48] but the config implies [2,32]'],
      [['generate', '--model', join(tmp, 'missing'), '--prompt', 'x'], `model directory ${join(tmp, 'missing')} does not exist`],
      [['generate', '--model', badGen, '--prompt', 'x'], `${join(badGen, 'generation_config.json')} is not valid JSON`],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toContain(message);
    }
  }, 120_000);
});
