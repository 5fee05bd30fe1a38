/**
 * `train`'s inputs and output folder, as a user gets them wrong: --out equal to (or around) the model is refused and
 * the model left intact; an --out that is a file or cannot be written fails before any training, in one line; a
 * directory as --data, a 33-bit --seed and a LoRA rank beyond the layers are refused up front; and an adapter folder
 * is replaced as a unit — a run killed between the two renames of the swap leaves nothing a reader accepts, and the
 * next run finishes the swap.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../testing/cli';
import { writeTinyModelDir } from '../../testing/modelFiles';
import { readAdapter } from '../../engine/adapter/peft';

const tmp = mkdtempSync(join(tmpdir(), 'train-outputs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const MODEL = join(tmp, 'model');
const tiny = writeTinyModelDir(MODEL, 'llama', { tokenizer: true, seed: 1, overrides: { num_hidden_layers: 1 } });
const DATA = join(tmp, 'data.jsonl');
writeFileSync(DATA, ['Say hi|Hi!', '2+2?|4', 'Sky?|Blue.', 'Up?|Down.'].map((l) => JSON.stringify({ instruction: l.split('|')[0], output: l.split('|')[1] })).join('\n') + '\n');
const COMMON = ['--model', MODEL, '--data', DATA, '--template', 'chatml', '--max-length', '24', '--batch', '2', '--eval-split', '0'];
const modelBytes = () => readFileSync(join(MODEL, 'model.safetensors'));

/** Refused before the GPU is touched, in exactly one error line, nothing written. */
function refusedEarly(r: { code: number | null; stderr: string }, message: string | RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).not.toMatch(/^GPU:/m);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
  expect(errors, r.stderr).toHaveLength(1);
  if (typeof message === 'string') expect(errors[0]).toContain(message);
  else expect(errors[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
}

describe('train: inputs and the output folder', () => {
  it('never overwrites its inputs: --out equal to --model, or a folder around the model or the data, is refused', async () => {
    const before = modelBytes();
    refusedEarly(await runCli(['train', ...COMMON, '--full', '--out', MODEL, '--max-steps', '1']), `--out ${MODEL} is the model directory (--model)`);
    refusedEarly(await runCli(['train', ...COMMON, '--out', tmp, '--max-steps', '1']), `--out ${tmp} contains the model directory (--model)`);
    refusedEarly(await runCli(['train', ...COMMON, '--out', DATA, '--max-steps', '1']), 'is the dataset (--data)');
    expect(modelBytes().equals(before)).toBe(true);
    // A folder holding files a run did not write is not replaced either.
    const foreign = join(tmp, 'documents');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    refusedEarly(await runCli(['train', ...COMMON, '--out', foreign, '--max-steps', '1']), 'already holds files a training run did not write (notes.txt)');
    expect(readFileSync(join(foreign, 'notes.txt'), 'utf8')).toBe('mine');
  }, 120_000);

  it('checks the output before training: a file, a path under a file, an unwritable folder — one clear line each', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    refusedEarly(await runCli(['train', ...COMMON, '--out', file]), `--out ${file} is a file; give a directory`);
    refusedEarly(await runCli(['train', ...COMMON, '--out', join(file, 'adapter')]), /cannot be written \(a part of the path is a file/);
    if (process.getuid?.() !== 0) {
      // (root writes anywhere, so this case needs an ordinary user)
      const locked = join(tmp, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o555);
      refusedEarly(await runCli(['train', ...COMMON, '--out', join(locked, 'adapter')]), /cannot be written \(permission denied/);
      chmodSync(locked, 0o755);
    }
  }, 120_000);

  it('refuses a directory as --data, a seed beyond 32 bits and a rank beyond the layers, with the numbers', async () => {
    const out = join(tmp, 'never');
    refusedEarly(await runCli(['train', ...COMMON.slice(0, 2), '--data', tmp, '--out', out]), `--data ${tmp} is a directory; give a dataset file`);
    refusedEarly(await runCli(['train', ...COMMON, '--out', out, '--seed', '4294967296']), '--seed must be an integer from 0 to 4294967295 (seeds are 32-bit), got 4294967296');
    // The tiny model's attention projections are 64×64 (k/v 32×64): rank 100000 only adds memory.
    refusedEarly(await runCli(['train', ...COMMON, '--out', out, '--r', '100000']), /--r 100000 is larger than the layers it adapts \(the widest, [\w.]+, is \d+×\d+\): a rank above \d+ adds ~[\d.]+ (MiB|GiB) .*use --r \d+ or less/);
    expect(existsSync(out)).toBe(false);
    // --batch beyond the data is planned (and refused when it cannot fit) as asked, with a note on the wasted rows.
    const big = await runCli(['train', ...COMMON, '--out', out, '--batch', '400', '--max-steps', '1']);
    expect(big.code, big.stderr).toBe(0);
    expect(big.stderr).toContain('note: --batch 400 is more than the 4 training examples: the memory of 396 rows per micro-batch is never used (--batch 4 trains the same with less)');
    expect(big.stdout).toMatch(/^GPU memory: ~[\d.]+ MiB \(weights/m);
  }, 180_000);

  it('replaces an adapter folder as a unit: killed between the renames, readers refuse it and the next run completes it', async () => {
    const out = join(tmp, 'adapter');
    const first = await runCli(['train', ...COMMON, '--out', out, '--max-steps', '1', '--alpha', '16', '--checkpoint-every', '1']);
    expect(first.code, first.stderr).toBe(0);
    // Retrain with another alpha (another scale), killed by the fault hook between "old → aside" and "new → out".
    const killed = await runCli(['train', ...COMMON, '--out', out, '--max-steps', '1', '--alpha', '64'], { env: { ...process.env, NO_COLOR: '1', STUDIO_FAULT: 'output-swap' } });
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp).filter((n) => n.startsWith('.adapter.studio-')).sort()).toEqual([expect.stringMatching(/^\.adapter\.studio-new-\d+$/), expect.stringMatching(/^\.adapter\.studio-old-\d+$/)]);
    const gen = ['generate', '--model', MODEL, '--adapter', out, '--prompt', 'Hi', '--max-tokens', '1'];
    const refused = await runCli(gen);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`error: writing ${out} was interrupted`);
    // The next run with this --out finishes the swap first (the new folder was complete), then writes its own.
    const again = await runCli(['train', ...COMMON, '--out', out, '--max-steps', '1', '--alpha', '64']);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(tmp).filter((n) => n.startsWith('.adapter.studio-'))).toEqual([]);
    const config = readFileSync(join(out, 'adapter_config.json'), 'utf8');
    expect(JSON.parse(config).lora_alpha).toBe(64);
    expect(existsSync(join(out, 'checkpoint', 'state.safetensors'))).toBe(true); // carried over by each swap
    expect((await runCli(gen)).code).toBe(0);
  }, 240_000);

  it('an adapter folder holding new weights beside an old adapter_config.json is refused by name', async () => {
    const out = join(tmp, 'adapter');
    const weights = new Uint8Array(readFileSync(join(out, 'adapter_model.safetensors')));
    const config = readFileSync(join(out, 'adapter_config.json'), 'utf8');
    const old = JSON.stringify({ ...JSON.parse(config), lora_alpha: 16 }, null, 2) + '\n';
    expect(() => readAdapter(tiny.config, config, weights)).not.toThrow();
    expect(() => readAdapter(tiny.config, old, weights)).toThrow(/adapter_model\.safetensors: was written together with a different adapter_config\.json/);
    // Fields that do not decide the math may be edited (users point base_model_name_or_path at their copy of the base).
    const edited = JSON.stringify({ ...JSON.parse(config), base_model_name_or_path: 'my-org/my-base' });
    expect(readAdapter(tiny.config, edited, weights).config.baseModelNameOrPath).toBe('my-org/my-base');
    writeFileSync(join(out, 'adapter_config.json'), old);
    const r = await runCli(['generate', '--model', MODEL, '--adapter', out, '--prompt', 'Hi', '--max-tokens', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: adapter_model\.safetensors: was written together with a different adapter_config\.json/m);
  }, 60_000);
});
