/**
 * `train --init-adapter DIR`: a new run that starts from a PEFT adapter. Its step-0 loss must be the loss of base +
 * that adapter — checked against an independent path: the adapter merged into the weights (`export --format hf`) and
 * trained with a fresh LoRA (B = 0, so it adds nothing at step 0) on the same first batch. Settings the adapter fixes
 * are refused as flags, and an adapter of another base fails before the GPU, naming the tensor.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../testing/cli';
import { writeTinyModelDir } from '../../testing/modelFiles';

const tmp = mkdtempSync(join(tmpdir(), 'train-continue-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const MODEL = join(tmp, 'model');
writeTinyModelDir(MODEL, 'llama', { tokenizer: true, seed: 1, overrides: { num_hidden_layers: 1 } });
const DATA = join(tmp, 'data.jsonl');
writeFileSync(DATA, [
  '{"instruction": "Say hi", "output": "Hi!"}',
  '{"instruction": "Capital of France?", "output": "Paris."}',
  '{"instruction": "2+2?", "output": "4"}',
  '{"instruction": "Sky?", "output": "Blue."}',
  '{"instruction": "Up?", "output": "Down."}',
  '{"instruction": "Say bye", "output": "Bye!"}',
].join('\n') + '\n');
// Same data, seed, batch and split in every run: the first batch is the same examples each time.
const COMMON = ['--data', DATA, '--template', 'chatml', '--max-length', '24', '--batch', '2', '--seed', '7', '--eval-split', '0', '--dropout', '0'];
const stepLosses = (stdout: string) => [...stdout.matchAll(/^step (\d+)\/\d+\s+loss ([\d.]+)/gm)].map((m) => +m[2]);

describe('train --init-adapter', () => {
  const FIRST = join(tmp, 'first');
  it('starts from the adapter: step-0 loss = the loss of base + adapter (merged into the weights), not the base\'s', async () => {
    const first = await runCli(['train', '--model', MODEL, ...COMMON, '--out', FIRST, '--targets', 'all-linear', '--r', '4', '--alpha', '8', '--lr', '3e-2', '--schedule', 'constant', '--max-steps', '12', '--epochs', '100']);
    expect(first.code, first.stderr).toBe(0);
    const baseLoss = stepLosses(first.stdout)[0]; // a fresh LoRA (B = 0) is the base model at step 0

    const next = await runCli(['train', '--model', MODEL, ...COMMON, '--init-adapter', FIRST, '--out', join(tmp, 'next'), '--lr', '1e-3', '--max-steps', '2']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toMatch(/continuing the adapter in .+ \(r 4, alpha 8, 7 modules\)/);
    const continued = stepLosses(next.stdout)[0];

    const merged = join(tmp, 'merged');
    const ex = await runCli(['export', '--model', MODEL, '--adapter', FIRST, '--out', merged, '--format', 'hf', '--dtype', 'f32']);
    expect(ex.code, ex.stderr).toBe(0);
    const onMerged = await runCli(['train', '--model', merged, ...COMMON, '--out', join(tmp, 'on-merged'), '--targets', 'q_proj', '--lr', '1e-3', '--max-steps', '1']);
    expect(onMerged.code, onMerged.stderr).toBe(0);
    const want = stepLosses(onMerged.stdout)[0];

    expect(Math.abs(continued - want), `continued ${continued} vs base+adapter ${want}`).toBeLessThan(2e-3);
    expect(continued, `continued ${continued} vs base ${baseLoss}`).toBeLessThan(baseLoss - 0.3);
  });

  it('refuses flags the adapter fixes, --resume with it, and another base\'s adapter (naming the tensor)', async () => {
    const r = await runCli(['train', '--model', MODEL, ...COMMON, '--init-adapter', FIRST, '--out', join(tmp, 'x1'), '--r', '8']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--r cannot be combined with --init-adapter: the adapter's adapter_config\.json fixes r \(4\), alpha \(8\)/);
    const full = await runCli(['train', '--model', MODEL, ...COMMON, '--init-adapter', FIRST, '--out', join(tmp, 'x2'), '--full']);
    expect(full.stderr).toMatch(/--full cannot be combined with --init-adapter/);
    const resume = await runCli(['train', '--model', MODEL, ...COMMON, '--init-adapter', FIRST, '--out', join(tmp, 'x3'), '--resume']);
    expect(resume.stderr).toMatch(/--init-adapter starts a new run from an adapter; --resume continues/);

    const OTHER = join(tmp, 'other');
    writeTinyModelDir(OTHER, 'llama', { tokenizer: true, seed: 2, overrides: { num_hidden_layers: 1, intermediate_size: 40 } });
    const other = await runCli(['train', '--model', OTHER, ...COMMON, '--init-adapter', FIRST, '--out', join(tmp, 'x4')]);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/mlp\.(gate|up|down)_proj\.lora_[AB]\.weight has shape \[[\d,]+\] but the config implies \[[\d,]+\]/);
    expect(other.stderr).not.toMatch(/^GPU:/m); // refused before the GPU
  });
});
