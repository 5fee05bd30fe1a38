import { describe, expect, it } from 'vitest';
import { alignSteps, hasNonFinite, lossColumns, metricColumns, type ChartRun } from './chartData';
import { emaSeries } from './lossStats';

const run = (id: string, n: number, evalEvery = 0, from = 1): ChartRun => ({
  id, label: id, color: '#000',
  train: Array.from({ length: n }, (_, i) => ({ step: from + i, loss: 5 / (1 + i / 100) + 0.1 * Math.sin(i), lr: 1e-3, gradNorm: 1 + i / n, tokensPerSec: 1000 + i })),
  eval: evalEvery ? Array.from({ length: Math.floor(n / evalEvery) }, (_, i) => ({ step: from + (i + 1) * evalEvery - 1, loss: 4 })) : [],
});

describe('chart data', () => {
  it('aligns runs on the union of their steps, null where a run has none', () => {
    const a = run('a', 3), b = run('b', 2, 0, 3);
    const { x, columns } = lossColumns([a, b]);
    expect(x).toEqual([1, 2, 3, 4]);
    expect(columns.map((c) => `${c.runId}:${c.kind}`)).toEqual(['a:raw', 'a:ema', 'a:val', 'b:raw', 'b:ema', 'b:val']);
    expect(columns[0].values.slice(3)).toEqual([null]);
    expect(columns[3].values.slice(0, 2)).toEqual([null, null]);
    expect(columns[1].values.slice(0, 3)).toEqual(emaSeries(a.train.map((p) => p.loss)));
  });

  it('puts validation points at their steps and NaN losses as gaps', () => {
    const r = run('r', 20, 5);
    r.train = [...r.train, { step: 21, loss: NaN }];
    const { x, columns } = lossColumns([r]);
    const val = columns.find((c) => c.kind === 'val')!.values;
    expect(x.filter((_, i) => val[i] !== null)).toEqual([5, 10, 15, 20]);
    expect(columns[0].values.at(-1)).toBeNull();
    expect(hasNonFinite([r])).toBe(true);
    expect(metricColumns([r], 'gradNorm').columns[0].values.at(-1)).toBeNull();
    expect(metricColumns([r], 'tokensPerSec').columns[0].values[0]).toBe(1000);
  });

  it('stays cheap at 10 k points: linear, well under a frame budget per rebuild', () => {
    const runs = [run('a', 10_000, 100), run('b', 10_000, 100)];
    const rebuild = () => {
      const t0 = performance.now();
      lossColumns(runs);
      metricColumns(runs, 'lr');
      metricColumns(runs, 'gradNorm');
      metricColumns(runs, 'tokensPerSec');
      return performance.now() - t0;
    };
    rebuild(); // warm-up (JIT)
    const times = Array.from({ length: 5 }, rebuild).sort((a, b) => a - b);
    const per = times[2];
    const { x, columns } = lossColumns(runs);
    expect(x).toHaveLength(10_000);
    expect(columns[0].values.filter((v) => v !== null)).toHaveLength(10_000);
    // Every series of two 10 k-step runs (6 loss columns, 3 metrics × 2) rebuilt in well under 100 ms (median) on a shared CPU.
    expect(per).toBeLessThan(100);
    expect(alignSteps([runs[0].train]).x).toHaveLength(10_000);
  });
});
