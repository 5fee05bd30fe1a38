/**
 * `train` on bad data, as a user runs it: a dataset whose every example is fully masked is refused before the GPU is
 * touched (with the reason, per line and overall), --overlong truncate|skip decides what happens to examples longer
 * than --max-length and the count is reported, and an empty held-out split is reported as "no evaluation" rather than
 * as a loss of 0 or NaN.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../testing/cli';
import { writeTinyModelDir } from '../../testing/modelFiles';

const tmp = mkdtempSync(join(tmpdir(), 'train-data-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const MODEL = join(tmp, 'model');
writeTinyModelDir(MODEL, 'llama', { tokenizer: true, seed: 1, overrides: { num_hidden_layers: 1 } });

function jsonl(name: string, rows: unknown[]): string {
  const path = join(tmp, name);
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

const chat = (...turns: [string, string, 0?][]) => ({ messages: turns.flatMap(([q, a, w]) => [{ role: 'user', content: q }, { role: 'assistant', content: a, ...(w === 0 ? { weight: 0 } : {}) }]) });
const COMMON = ['--model', MODEL, '--template', 'chatml', '--max-length', '24', '--batch', '2', '--seed', '7'];

describe('train command, bad data', () => {
  it('refuses a dataset whose every example is fully masked, before touching the GPU, and says why', async () => {
    // Every reply unticked (weight 0): nothing is trained in assistant-only mode, the default.
    const data = jsonl('unticked.jsonl', [chat(['Hi', 'Hello!', 0]), chat(['2+2?', '4', 0], ['3+3?', '6', 0])]);
    const r = await runCli(['train', ...COMMON, '--data', data, '--out', join(tmp, 'out1')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('line 1: skipped: fully masked: no trained tokens with the mask mode "assistant-only" (assistant turn 1, the one this mode trains, is marked not trained (weight 0))');
    expect(r.stderr).toContain('line 2: skipped: fully masked');
    expect(r.stderr).toContain('error: Nothing to train on: every training example (2) is fully masked (all labels are -100 after the shift) with the mask mode "assistant-only"');
    expect(r.stderr).not.toMatch(/^GPU:/m);
    expect(r.stdout).not.toMatch(/^step /m);

    const flag = await runCli(['train', ...COMMON, '--data', data, '--out', join(tmp, 'out1'), '--overlong', 'nonsense']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain('--overlong must be one of truncate, skip, got "nonsense"');
  }, 120_000);

  it('--overlong skip leaves every too-long example out and refuses when none is left', async () => {
    const long = 'word '.repeat(40).trim();
    const data = jsonl('long.jsonl', [{ instruction: 'Repeat.', output: long }, { instruction: 'Again.', output: long }]);
    const r = await runCli(['train', ...COMMON, '--data', data, '--out', join(tmp, 'out2'), '--overlong', 'skip', '--eval-split', '0']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/line 1: skipped: \d+ tokens, longer than the max length 24/);
    expect(r.stderr).toContain('error: Nothing to train on: all 2 training examples exceed 24 tokens and are skipped; raise the max length or truncate overlong examples.');
    expect(r.stderr).not.toMatch(/^GPU:/m);
  }, 120_000);

  it('reports how many examples exceed the max length (truncated or skipped) and that there is no evaluation', async () => {
    const long = 'word '.repeat(40).trim();
    const data = jsonl('mixed.jsonl', [
      { instruction: 'Repeat.', output: long },
      { instruction: 'Say hi', output: 'Hi!' },
      { instruction: 'Again.', output: long },
      { instruction: '2+2?', output: '4' },
    ]);
    const truncate = await runCli(['train', ...COMMON, '--data', data, '--out', join(tmp, 'out3'), '--max-steps', '1', '--eval-split', '0']);
    expect(truncate.code, truncate.stderr).toBe(0);
    expect(truncate.stderr).toContain('note: 2 examples exceed 24 tokens: truncated (--overlong skip leaves them out)');
    expect(truncate.stderr).toContain('note: no evaluation: the held-out (validation) split is empty (--eval-split 0)');
    expect(truncate.stdout).toContain('4 training examples');
    expect(truncate.stdout).toMatch(/done after 1 step: loss \d+\.\d+, no eval \(empty held-out split\)/);
    expect(truncate.stdout).not.toMatch(/NaN|eval loss/);

    const skip = await runCli(['train', ...COMMON, '--data', data, '--out', join(tmp, 'out4'), '--max-steps', '1', '--eval-split', '0', '--overlong', 'skip']);
    expect(skip.code, skip.stderr).toBe(0);
    expect(skip.stderr).toContain('note: 2 examples exceed 24 tokens: skipped');
    expect(skip.stderr).toMatch(/line 3: skipped: \d+ tokens, longer than the max length 24/);
    expect(skip.stdout).toContain('2 training examples');
  }, 240_000);
});
