/** Learning rate, gradient norm and tokens/s per step, one small uPlot chart each, every shown run in its colour. */
import { useMemo, useState } from 'react';
import type uPlot from 'uplot';
import { metricColumns, type ChartRun, type MetricKey } from './chartData';
import { UPlotChart, axisStyle, stepAxis } from './UPlotChart';

const HEIGHT = 150;

interface MetricSpec {
  key: MetricKey;
  title: string;
  testId: string;
  format: (v: number) => string;
  hint: string;
}

const fmtTick = (v: number) => (v === 0 ? '0' : Math.abs(v) < 1e-2 || Math.abs(v) >= 1e5 ? v.toExponential(1) : String(Number(v.toPrecision(3))));

export const METRICS: MetricSpec[] = [
  { key: 'lr', title: 'Learning rate', testId: 'chart-lr', format: (v) => v.toExponential(2), hint: 'As the schedule set it for the step (warm-up, then decay).' },
  { key: 'gradNorm', title: 'Gradient norm', testId: 'chart-grad-norm', format: (v) => v.toFixed(3), hint: 'Global norm before clipping; spikes mean unstable steps.' },
  { key: 'tokensPerSec', title: 'Tokens/s', testId: 'chart-tokens-per-sec', format: (v) => v.toFixed(0), hint: 'Tokens of the batches (padding included) per second of training since the start.' },
];

function options(runs: readonly ChartRun[], spec: MetricSpec): Omit<uPlot.Options, 'width' | 'height'> {
  return {
    scales: { x: { time: false } },
    axes: [stepAxis(), { ...axisStyle(), size: 56, values: (_u, splits) => splits.map(fmtTick) }],
    series: [{ label: 'step' }, ...runs.map((r) => ({ label: `${r.label} · ${spec.title}`, stroke: r.color, width: 1.5, points: { show: false } }))],
    legend: { show: false },
    cursor: { drag: { x: true, y: false }, points: { size: 5 } },
  };
}

function MetricChart({ runs, spec }: { runs: ChartRun[]; spec: MetricSpec }) {
  const [idx, setIdx] = useState<number | null>(null);
  const aligned = useMemo(() => metricColumns(runs, spec.key), [runs, spec.key]);
  const data = useMemo(() => [aligned.x, ...aligned.columns.map((c) => c.values)] as uPlot.AlignedData, [aligned]);
  const shape = runs.map((r) => `${r.id}|${r.label}|${r.color}`).join('\n');
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `shape` stands for the runs' ids, labels and colours
  const opts = useMemo(() => options(runs, spec), [shape, spec]);
  const last = aligned.columns.map((c) => [...c.values].reverse().find((v) => v !== null) ?? null);
  const shown = idx !== null ? aligned.columns.map((c) => c.values[idx]) : last;
  return (
    <figure className="chart chart--small" data-testid={spec.testId} data-points={aligned.x.length} title={spec.hint}>
      <div className="chart__head">
        <strong>{spec.title}</strong>
        <span className="chart__value">
          {idx !== null && <span className="muted">step {aligned.x[idx]}: </span>}
          {shown.map((v, i) => (
            <span key={runs[i].id} style={{ color: runs[i].color }}>
              {v === null ? '—' : spec.format(v)}
            </span>
          ))}
        </span>
      </div>
      <UPlotChart options={opts} data={data} height={HEIGHT} onCursor={setIdx} />
    </figure>
  );
}

export function MetricCharts({ runs }: { runs: ChartRun[] }) {
  if (!runs.some((r) => r.train.some((p) => Number.isFinite(p.loss)))) return null;
  return (
    <div className="metric-charts">
      {METRICS.map((m) => (
        <MetricChart key={m.key} runs={runs} spec={m} />
      ))}
    </div>
  );
}
