/** `--help` of the CLI and of each command this suite owns, through the real entry point. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli';

describe('CLI help', () => {
  it('lists the commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['train', 'generate', 'grads']) expect(r.stdout).toMatch(new RegExp(`^ {2}${c} +\\S`, 'm'));
  }, 60_000);

  const expected: Record<string, string[]> = {
    train: ['--model DIR', '--data FILE', '--out DIR', '--mode MODE', '--template NAME|FILE', '--max-length N', '--no-train-eos',
      '--r N --alpha A', '--dropout P', '--targets LIST', '--rslora', '--full', '--lr X', '--schedule KIND', '--warmup-ratio F',
      '--weight-decay X', '--max-grad-norm X', '--batch N', '--grad-accum N', '--epochs N', '--max-steps N', '--pack',
      '--eval-split F', '--eval-every N', '--seed N', '--recompute', '--checkpoint-every N', '--resume', 'Ctrl+C'],
    generate: ['--model DIR', '--adapter DIR', '--prompt TEXT', '--chat', '--system TEXT', '--template NAME|FILE', '--max-tokens N',
      '--temperature X', '--top-k N', '--top-p X', '--seed N', '--stop STR'],
    grads: ['--model DIR', '--adapter DIR', '--batch BATCH.json', '--out GRADS.safetensors'],
  };
  for (const [command, flags] of Object.entries(expected)) {
    it(`${command} --help documents every option and exits 0 without touching the GPU`, async () => {
      const r = await runCli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: npm run cli -- ${command}`);
      for (const f of flags) expect(r.stdout, f).toContain(f);
      expect(r.stderr).not.toMatch(/SwiftShader|adapter found/);
    }, 60_000);
  }
});
