/** The terminal progress helper: formatting, ETA, and plain output when not on a TTY. */
import { describe, expect, it } from 'vitest';
import { Progress, eta, formatDuration, formatStats, renderBar } from './progress';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 100, write: (s: string) => chunks.push(s) } };
}

describe('progress', () => {
  it('formats durations and the ETA from this run\'s own steps', () => {
    expect(formatDuration(5)).toBe('0:05');
    expect(formatDuration(125)).toBe('2:05');
    expect(formatDuration(3 * 3600 + 62)).toBe('3:01:02');
    expect(formatDuration(NaN)).toBe('?');
    expect(eta({ step: 10, total: 40, elapsed: 20 })).toBe(60);
    // Resumed at step 8: only 2 steps ran in 20 s → 10 s a step.
    expect(eta({ step: 10, total: 40, elapsed: 20, startStep: 8 })).toBe(300);
    expect(eta({ step: 0, total: 40, elapsed: 0 })).toBeNaN();
  });

  it('renders the stats and a bar proportional to the progress', () => {
    const p = { step: 5, total: 20, loss: 2.34567, lr: 2e-4, tokensPerSec: 811.6, elapsed: 10 };
    expect(formatStats(p)).toBe('loss 2.3457  lr 2.00e-4  812 tok/s  ETA 0:30');
    const bar = renderBar(p, 100);
    const filled = bar.split('█').length - 1, empty = bar.split('░').length - 1;
    expect(filled / (filled + empty)).toBeCloseTo(0.25, 1);
    expect(bar).toContain('] 5/20  loss 2.3457');
  });

  it('writes plain lines (no escape codes, no bar) when not on a TTY', () => {
    const { chunks, stream } = sink(false);
    const pr = new Progress(stream);
    pr.log('step 1/2  loss 3.0000');
    pr.update({ step: 1, total: 2, loss: 3 });
    pr.log('step 2/2  loss 2.0000');
    pr.done();
    expect(chunks.join('')).toBe('step 1/2  loss 3.0000\nstep 2/2  loss 2.0000\n');
  });

  it('on a TTY redraws the bar in place and prints log lines above it', () => {
    const { chunks, stream } = sink(true);
    const pr = new Progress(stream);
    pr.update({ step: 1, total: 2, loss: 3 });
    pr.log('step 1/2  loss 3.0000');
    pr.done();
    const out = chunks.join('');
    expect(out).toContain('\r\x1b[2K[');
    const ESC = '\x1b';
    expect(out).toContain(`\r${ESC}[2Kstep 1/2  loss 3.0000\n[`);
    expect(out.split('\n')[1]).toMatch(/^\[[█░]+\] 1\/2 {2}loss 3\.0000/);
    expect(out.endsWith('\r\x1b[2K')).toBe(true);
  });
});
