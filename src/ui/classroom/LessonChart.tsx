/**
 * The lesson's one chart (uPlot): the answer-token loss of both runs on one scale, and the full run's prompt-token
 * loss as a dashed, separately labelled series — a loss the masked run never trains, so not to be compared with the
 * other two. The legend is ours (React), so each series says what it measures and how many steps it has.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface LessonSeries {
  id: 'answer-masked' | 'answer-full' | 'prompt-full';
  label: string;
  note: string;
  x: number[];
  y: number[];
}

const STYLE: Record<LessonSeries['id'], { color: string; dash?: number[]; width: number }> = {
  'answer-masked': { color: '#2b6fd6', width: 2.5 },
  'answer-full': { color: '#d9480f', width: 2.5 },
  'prompt-full': { color: '#8a94a3', dash: [7, 5], width: 1.75 },
};

/** Aligned uPlot data: the union of steps, null where a series has no value at that step. */
function aligned(series: LessonSeries[]): uPlot.AlignedData {
  const steps = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  const at = new Map(steps.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const y: (number | null)[] = new Array(steps.length).fill(null);
    s.x.forEach((x, i) => (y[at.get(x)!] = Number.isFinite(s.y[i]) ? s.y[i] : null));
    return y;
  });
  return [steps, ...ys];
}

const points = (s: LessonSeries) => s.y.filter(Number.isFinite).length;

export function LessonChart({ series, height = 300, large = false }: { series: LessonSeries[]; height?: number; large?: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => s.id).join(',') + (large ? ':L' : '');

  // (Re)build when the set of series or the size class changes; data updates go through setData.
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const font = large ? '16px system-ui, sans-serif' : '12px system-ui, sans-serif';
    const axis = { stroke: getComputedStyle(el).color, font, labelFont: font, grid: { stroke: 'rgba(128,128,128,0.18)' }, ticks: { stroke: 'rgba(128,128,128,0.3)' } };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } },
      axes: [
        { ...axis, label: 'optimizer step', labelSize: large ? 28 : 22 },
        { ...axis, label: 'loss (nats per token)', labelSize: large ? 28 : 22, size: large ? 64 : 52 },
      ],
      series: [{ label: 'step' }, ...series.map((s) => ({ label: s.label, stroke: STYLE[s.id].color, width: STYLE[s.id].width, dash: STYLE[s.id].dash, spanGaps: true, points: { show: false } }))],
    };
    const u = new uPlot(opts, aligned(series), el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // `shape` stands for the series ids; their data is pushed by the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData(aligned(series));
  }, [series]);

  return (
    <figure className="cls-chart" data-testid="lesson-chart">
      <div ref={host} className="cls-chart__plot" aria-hidden="true" />
      <figcaption>
        <ul className="cls-legend" aria-label="Series">
          {series.map((s) => (
            <li key={s.id} data-testid={`series-${s.id}`} data-series={s.id} data-points={points(s)} className={`cls-legend__item cls-legend__item--${s.id}`}>
              <span className="cls-legend__swatch" style={{ borderTopColor: STYLE[s.id].color, borderTopStyle: STYLE[s.id].dash ? 'dashed' : 'solid' }} />
              <span className="cls-legend__label">{s.label}</span>
              <span className="cls-legend__note">{s.note}</span>
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
