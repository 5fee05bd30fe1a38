/**
 * Loss curves with uPlot: per run the raw training loss (thin), its EMA (bold, labelled with the weight) and the
 * validation loss (dashed, with points), several runs at once. Drag to zoom, double-click to reset; the values under
 * the cursor are printed below the chart.
 */
import { useMemo, useState } from 'react';
import type uPlot from 'uplot';
import { formatLoss } from '../model/format';
import { hasNonFinite, lossColumns, type ChartRun } from './chartData';
import { LOSS_LABELS, SMOOTHING } from './lossStats';
import { UPlotChart, axisStyle, cssVar, stepAxis } from './UPlotChart';

export type ChartSeries = ChartRun;

const HEIGHT = 260;
const KIND_LABEL = { raw: 'raw', ema: LOSS_LABELS.smoothedShort, val: 'validation' } as const;

/** '#rrggbb' at `alpha` (the raw curve is drawn faint under its EMA). */
export function withAlpha(hex: string, alpha: number): string {
  return /^#[0-9a-f]{6}$/i.test(hex) ? `${hex}${Math.round(alpha * 255).toString(16).padStart(2, '0')}` : hex;
}

function lossOptions(runs: readonly ChartRun[]): Omit<uPlot.Options, 'width' | 'height'> {
  const surface = cssVar('--surface', '#ffffff');
  const series: uPlot.Series[] = [{ label: 'step' }];
  for (const r of runs) {
    series.push(
      { label: `${r.label} · raw`, stroke: withAlpha(r.color, 0.35), width: 1, points: { show: false } },
      { label: `${r.label} · ${KIND_LABEL.ema}`, stroke: r.color, width: 2, points: { show: false } },
      { label: `${r.label} · validation`, stroke: r.color, width: 1.5, dash: [5, 4], spanGaps: true, points: { show: true, size: 7, width: 1.5, stroke: r.color, fill: surface } },
    );
  }
  return {
    scales: { x: { time: false } },
    axes: [stepAxis('step'), { ...axisStyle('loss (nats)'), size: 52 }],
    series,
    legend: { show: false },
    cursor: { drag: { x: true, y: false }, points: { size: 6 } },
  };
}

export function LossChart({ series, testId }: { series: ChartSeries[]; testId?: string }) {
  const [idx, setIdx] = useState<number | null>(null);
  const aligned = useMemo(() => lossColumns(series, SMOOTHING), [series]);
  const data = useMemo(() => [aligned.x, ...aligned.columns.map((c) => c.values)] as uPlot.AlignedData, [aligned]);
  const shape = series.map((s) => `${s.id}|${s.label}|${s.color}`).join('\n');
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `shape` stands for the series' ids, labels and colours
  const options = useMemo(() => lossOptions(series), [shape]);
  const nan = hasNonFinite(series);
  const finite = aligned.columns.some((c) => c.kind !== 'ema' && c.values.some((v) => v !== null));

  if (!finite) {
    const started = series.some((s) => s.train.length > 0);
    return (
      <div className="chart chart--empty" data-testid={testId} data-nan={(nan && started) || undefined}>
        <p className={nan && started ? 'chart__nan-text' : 'muted'}>{nan && started ? 'The loss was NaN or infinite from the first step.' : 'The loss appears here after the first step.'}</p>
      </div>
    );
  }
  const step = idx !== null ? aligned.x[idx] : null;
  return (
    <figure className="chart" data-testid={testId} data-nan={nan || undefined} data-points={aligned.x.length} data-kinds="raw,ema,val" aria-label={`Loss curves: ${series.map((s) => s.label).join(', ')}`}>
      <div className="chart__head">
        <strong>Training loss</strong>
        <span className="muted">
          thin: raw · bold: smoothed ({LOSS_LABELS.smoothedShort}) · dashed dots: validation · drag to zoom, double-click to reset
        </span>
      </div>
      <UPlotChart options={options} data={data} height={HEIGHT} onCursor={setIdx} />
      <p className="chart__readout" aria-live="off">
        {step === null
          ? nan && <span className="chart__nan">NaN: the run stopped where the loss became NaN or infinite.</span>
          : (
              <>
                step {step}
                {series.map((s, i) => {
                  const [raw, ema, val] = aligned.columns.slice(i * 3, i * 3 + 3).map((c) => c.values[idx!]);
                  if (raw === null && val === null) return null;
                  return (
                    <span key={s.id} style={{ color: s.color }}>
                      {series.length > 1 ? `${s.label}: ` : ''}raw {formatLoss(raw)} · {KIND_LABEL.ema} {formatLoss(ema)}
                      {val !== null && ` · validation ${formatLoss(val)}`}
                    </span>
                  );
                })}
              </>
            )}
      </p>
      <figcaption className="chart__legend">
        {series.map((s) => (
          <span key={s.id} className="chart__key" data-series={s.id}>
            <span className="chart__swatch" style={{ background: s.color }} aria-hidden="true" />
            {s.label}
          </span>
        ))}
        {series.some((s) => s.eval.length > 0) && (
          <span className="chart__key muted">
            <span className="chart__swatch chart__swatch--dashed" aria-hidden="true" />
            validation (dashed)
          </span>
        )}
      </figcaption>
    </figure>
  );
}
