/**
 * Ctrl+C as a terminal sends it: SIGINT to the whole foreground process group of `npm run -s cli -- train …` (npm, sh
 * and node alike), not to the node process alone. The run must stop after the current step, write its checkpoint
 * once, and still write the adapter; an interrupt during the final evaluation (which shows its progress) must stop it
 * within a batch instead of being ignored.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors, runCli, signalGroup } from '../../testing/cli';
import { writeTinyModelDir } from '../../testing/modelFiles';

const tmp = mkdtempSync(join(tmpdir(), 'train-signals-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const MODEL = join(tmp, 'model');
writeTinyModelDir(MODEL, 'llama', { tokenizer: true, seed: 1, overrides: { num_hidden_layers: 1 } });

function dataset(name: string, n: number): string {
  const path = join(tmp, name);
  writeFileSync(path, Array.from({ length: n }, (_, i) => JSON.stringify({ instruction: `Question number ${i}?`, output: `Answer ${i}.` })).join('\n') + '\n');
  return path;
}

const COMMON = ['--model', MODEL, '--template', 'chatml', '--max-length', '32', '--seed', '7'];
/** npm re-raises the signal its script died of (sh received it too), so either form means "interrupted". */
const interrupted = (r: { code: number | null; signal: NodeJS.Signals | null }) => r.code === 130 || r.signal === 'SIGINT';

describe('Ctrl+C in a terminal (SIGINT to the process group of npm run cli)', () => {
  it('stops after the current step, checkpoints once, and writes the adapter', async () => {
    const out = join(tmp, 'stopped');
    let sent = false;
    // Sent while the first step compiles its GPU pipelines, which keeps node's event loop busy for a second or more:
    // the case a relaying launcher (tsx) answered by killing the CLI 30 ms after forwarding the signal.
    const r = await runCli(['train', ...COMMON, '--data', dataset('d.jsonl', 40), '--out', out, '--batch', '8', '--max-steps', '40', '--epochs', '20', '--eval-split', '0', '--checkpoint-every', '1'], {
      npm: true,
      onStdout: (_c, child, all) => {
        if (!sent && /^GPU memory: /m.test(all)) {
          sent = true;
          setTimeout(() => signalGroup(child, 'SIGINT'), 400);
        }
      },
    });
    expect(sent).toBe(true);
    expect(interrupted(r), `code ${r.code} signal ${r.signal}\n${r.stderr}`).toBe(true);
    expect(r.stderr).toContain('Stopping after the current step and writing the output');
    const stoppedAt = Number(/stopped after (\d+) steps?: loss [\d.]+.* → adapter written to/.exec(r.stdout)?.[1]);
    expect(stoppedAt).toBeGreaterThanOrEqual(1);
    expect(stoppedAt).toBeLessThan(40);
    // One "checkpoint saved" per step, none twice (the stop used to save the same step again).
    const saved = [...r.stdout.matchAll(/^checkpoint saved at step (\d+)$/gm)].map((m) => Number(m[1]));
    expect(saved).toEqual(Array.from({ length: stoppedAt }, (_, i) => i + 1));
    const adapter = readSafetensors(join(out, 'adapter_model.safetensors'));
    expect(adapter.size).toBeGreaterThan(0);
    expect(existsSync(join(out, 'adapter_config.json'))).toBe(true);
    expect(existsSync(join(out, 'checkpoint', 'state.safetensors'))).toBe(true);
  }, 180_000);

  it('an interrupt during the final evaluation (with its progress shown) stops it within a batch', async () => {
    const out = join(tmp, 'eval-stopped');
    let sentAt = 0;
    // 1200 examples, half held out, 2 per batch: 300 evaluation batches after 2 training steps.
    const r = await runCli(['train', ...COMMON, '--data', dataset('big.jsonl', 1200), '--out', out, '--batch', '2', '--max-steps', '2', '--eval-split', '0.5'], {
      npm: true,
      onStdout: (_c, child, all) => {
        if (!sentAt && /^eval {2}step 2 {2}300 batches…$/m.test(all)) {
          sentAt = performance.now();
          signalGroup(child, 'SIGINT');
        }
      },
    });
    const afterSignal = performance.now() - sentAt;
    expect(sentAt, r.stdout).toBeGreaterThan(0);
    expect(interrupted(r), `code ${r.code} signal ${r.signal}\n${r.stderr}`).toBe(true);
    expect(r.stdout).toMatch(/stopped after 2 steps: loss [\d.]+, evaluation skipped \(stopped\) → adapter written to/);
    expect(r.stdout).not.toMatch(/^eval {2}step 2 {2}loss/m);
    expect(afterSignal).toBeLessThan(8000); // the whole evaluation takes far longer on this CPU adapter
    expect(existsSync(join(out, 'adapter_model.safetensors'))).toBe(true);
  }, 240_000);
});
