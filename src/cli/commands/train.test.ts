/**
 * `train` end to end, as a user runs it: a tiny Llama model directory with the byte-level BPE fixture tokenizer and a
 * small JSONL dataset (with malformed rows) in a temp dir. The loss must fall, the adapter must load back with
 * readAdapter and change generation; Ctrl+C must still write the adapter, and --resume must continue exactly.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors, runCli } from '../../testing/cli';
import { writeTinyModelDir } from '../../testing/modelFiles';
import { readAdapter } from '../../engine/adapter/peft';

const tmp = mkdtempSync(join(tmpdir(), 'train-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const MODEL = join(tmp, 'model');
// One layer keeps every step cheap on the CPU adapter; 64 positions (max-length 24 is plenty for these pairs).
const tiny = writeTinyModelDir(MODEL, 'llama', { tokenizer: true, seed: 1, overrides: { num_hidden_layers: 1 } });
const DATA = join(tmp, 'data.jsonl');
writeFileSync(
  DATA,
  [
    '{"instruction": "Say hi", "output": "Hi!"}',
    '{"instruction": "Capital of France?", "output": "Paris."}',
    '{"instruction": "this row has no output"}',
    '{"instruction": "2+2?", "output": "4"}',
    '{"instruction": "Sky?", "output": "Blue."}',
    'not json at all',
    '{"instruction": "Up?", "output": "Down."}',
    '{"instruction": "Say bye", "output": "Bye!"}',
    '{"instruction": "Cats?", "output": "Meow."}',
  ].join('\n') + '\n',
);
const COMMON = ['--model', MODEL, '--data', DATA, '--template', 'chatml', '--max-length', '24', '--batch', '2', '--seed', '7'];

function stepLosses(stdout: string): { step: number; total: number; loss: number }[] {
  return [...stdout.matchAll(/^step (\d+)\/(\d+)\s+loss ([\d.]+)/gm)].map((m) => ({ step: +m[1], total: +m[2], loss: +m[3] }));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ADAPTER = join(tmp, 'adapter');

describe('train command', () => {
  it('trains: reports bad rows by line, the loss falls, and the PEFT adapter loads back with non-zero B', async () => {
    const r = await runCli(['train', ...COMMON, '--out', ADAPTER, '--targets', 'all-linear', '--lr', '2e-2', '--schedule', 'constant', '--max-steps', '30', '--epochs', '100', '--eval-split', '0.15']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('line 3: missing field "output"');
    expect(r.stderr).toMatch(/line 6: invalid JSON/);
    expect(r.stderr).toMatch(/^GPU: .+/m); // names the adapter, and says "(CPU, software)" on SwiftShader
    expect(r.stdout).toMatch(/^GPU memory: ~[\d.]+ (KiB|MiB|GiB) \(weights .+, activations .+\); largest buffer/m);
    expect(r.stdout).toContain('6 training examples');
    expect(r.stdout).toContain('1 validation');

    const steps = stepLosses(r.stdout);
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(steps.every((s) => s.total === 30)).toBe(true);
    const first = mean(steps.slice(0, 3).map((s) => s.loss)), last = mean(steps.slice(-5).map((s) => s.loss));
    expect(last, `loss ${first.toFixed(3)} → ${last.toFixed(3)}`).toBeLessThan(0.75 * first);
    expect(r.stdout).toMatch(/^eval {2}step 30 {2}loss \d+\.\d+/m);
    expect(r.stdout).toMatch(/done after 30 steps: loss \d+\.\d+, eval loss \d+\.\d+/);

    const adapter = readAdapter(tiny.config, readFileSync(join(ADAPTER, 'adapter_config.json'), 'utf8'), new Uint8Array(readFileSync(join(ADAPTER, 'adapter_model.safetensors'))));
    expect(adapter.targets.length).toBe(7); // q k v o gate up down of the one layer
    expect(adapter.config.r).toBe(8);
    expect(adapter.config.loraAlpha).toBe(16);
    for (const t of adapter.targets) {
      const B = adapter.values.get(t.keyB)!;
      expect(Math.max(...B.map(Math.abs)), t.keyB).toBeGreaterThan(1e-4);
    }
    const readme = readFileSync(join(ADAPTER, 'README.md'), 'utf8');
    expect(readme).toContain('| steps | 30 of 30 (finished)');
    expect(readme).toMatch(/\| final eval loss \| \d+\.\d{4} \|/);
  }, 240_000);

  it('the trained adapter changes greedy generation', async () => {
    const args = ['generate', '--model', MODEL, '--prompt', 'Say hi', '--chat', '--template', 'chatml', '--temperature', '0', '--max-tokens', '6'];
    const base = await runCli(args);
    const tuned = await runCli([...args, '--adapter', ADAPTER]);
    expect(base.code, base.stderr).toBe(0);
    expect(tuned.code, tuned.stderr).toBe(0);
    expect(base.stdout.trim().length).toBeGreaterThan(0);
    expect(tuned.stdout).not.toBe(base.stdout);
  }, 120_000);

  it('Ctrl+C stops after the current step and writes the adapter; --resume continues exactly', async () => {
    const args = ['train', ...COMMON, '--lr', '1e-2', '--max-steps', '6', '--epochs', '100', '--eval-split', '0', '--checkpoint-every', '3'];
    const straight = await runCli([...args, '--out', join(tmp, 'straight')]);
    expect(straight.code, straight.stderr).toBe(0);

    const out = join(tmp, 'interrupted');
    let sent = false;
    const stopped = await runCli([...args, '--out', out], {
      onStdout: (_c, child, all) => {
        if (!sent && /^step 4\/6/m.test(all)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toContain('Stopping after the current step');
    expect(stopped.stdout).toMatch(/stopped after [45] steps/);
    expect(stopped.stdout).not.toContain('step 6/6');
    expect(existsSync(join(out, 'adapter_model.safetensors'))).toBe(true);
    expect(existsSync(join(out, 'checkpoint', 'state.safetensors'))).toBe(true);

    // Stopping writes a checkpoint at the step it stopped after, so resuming repeats no step.
    const stoppedAt = Number(/stopped after (\d+) steps/.exec(stopped.stdout)![1]);
    const resumed = await runCli([...args, '--out', out, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`resuming from step ${stoppedAt}`);
    const rest = Array.from({ length: 6 - stoppedAt }, (_, i) => stoppedAt + 1 + i);
    expect(stepLosses(resumed.stdout).map((s) => s.step)).toEqual(rest);
    // Same losses for the resumed steps, and the same final adapter, as the uninterrupted run.
    expect(stepLosses(resumed.stdout).map((s) => s.loss)).toEqual(stepLosses(straight.stdout).slice(stoppedAt).map((s) => s.loss));
    const a = readSafetensors(join(tmp, 'straight', 'adapter_model.safetensors'));
    const b = readSafetensors(join(out, 'adapter_model.safetensors'));
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, v] of a) expect(Array.from(b.get(k)!.data), k).toEqual(Array.from(v.data));

    const changed = await runCli([...args, '--out', out, '--resume', '--lr', '2e-2']);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain('the checkpoint was made with different settings or data');
    expect(changed.stderr).toContain('lr: checkpoint 0.01, now 0.02');
  }, 300_000);

  it('--full trains every weight and writes a model directory that generate can load', async () => {
    const out = join(tmp, 'full');
    const r = await runCli(['train', ...COMMON, '--out', out, '--full', '--lr', '1e-3', '--max-steps', '2', '--eval-split', '0']);
    expect(r.code, r.stderr).toBe(0);
    const written = readSafetensors(join(out, 'model.safetensors'));
    expect([...written.keys()].sort()).toEqual([...tiny.weights.keys()].sort());
    let changed = 0;
    for (const [name, w] of tiny.weights) if (written.get(name)!.data.some((x, i) => x !== w[i])) changed++;
    expect(changed).toBe(tiny.weights.size);
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'README.md']) expect(existsSync(join(out, f)), f).toBe(true);
    const g = await runCli(['generate', '--model', out, '--prompt', 'Hi', '--max-tokens', '2', '--temperature', '0']);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stderr).toMatch(/\[\d+ tokens?, stopped: (max-tokens|eos)/);
  }, 180_000);

  it('refuses a run whose GPU memory plan cannot fit, before loading the weights, and says what would fit', async () => {
    // 300000 × 64 tokens: every (tokens × MLP width) activation is far over SwiftShader's 1 GiB buffer limit.
    const r = await runCli(['train', ...COMMON, '--out', join(tmp, 'huge'), '--batch', '300000', '--max-length', '64']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^GPU memory: ~\d+ GiB/m);
    expect(r.stderr).toMatch(/error: This run cannot fit on this GPU\. The activation [\w.]+ needs a [\d.]+ GiB buffer, but this GPU's maxBufferSize is 1 GiB/);
    expect(r.stderr).toMatch(/It would fit with .*batch size \d+ \(~[\d.]+ \w+\)\. \(.*--batch \d+ \(~/);
    expect(existsSync(join(tmp, 'huge'))).toBe(false);
  }, 180_000);

  it('rejects bad input with a clear message before touching the GPU', async () => {
    const out = join(tmp, 'bad');
    const cases: [string[], string][] = [
      [['--mode', 'everything'], '--mode must be one of assistant-only, completion-only, full, last-turn, per-turn-weights'],
      [['--lr', 'fast'], '--lr must be a number'],
      [['--batch', '0'], '--batch must be an integer ≥ 1'],
      [['--full', '--r', '4'], '--r is a LoRA setting; it cannot be combined with --full'],
      [['--learning-rate', '1'], 'unknown option --learning-rate'],
      [['--resume'], '--resume: there is no checkpoint'],
      [['--targets', 'nonexistent_proj'], 'matched no module'],
    ];
    for (const [extra, message] of cases) {
      const r = await runCli(['train', ...COMMON, '--out', out, ...extra]);
      expect(r.code, extra.join(' ')).toBe(1);
      expect(r.stderr, extra.join(' ')).toContain(message);
    }
    const missing = await runCli(['train', '--model', MODEL, '--data', join(tmp, 'nope.jsonl'), '--out', out]);
    expect(missing.stderr).toContain(`dataset not found: ${join(tmp, 'nope.jsonl')}`);
    writeFileSync(join(tmp, 'bad.jsonl'), 'nope\n{"a": 1}\n');
    const allBad = await runCli(['train', '--model', MODEL, '--data', join(tmp, 'bad.jsonl'), '--out', out]);
    expect(allBad.code).toBe(1);
    expect(allBad.stderr).toContain('line 1: invalid JSON');
    expect(allBad.stderr).toContain('has no usable rows');
  }, 180_000);
});
