/**
 * A React host for one uPlot chart: built when its options change (series added or removed), fed new data in place
 * otherwise (uPlot redraws 10 k points in a few ms), sized to its container, destroyed on unmount. The hovered index
 * is reported so the caller can print the values under the cursor.
 */
import 'uplot/dist/uPlot.min.css';
import uPlot from 'uplot';
import { useEffect, useRef } from 'react';

export interface UPlotChartProps {
  /** Without width/height: the chart takes its container's width and `height`. Memoise: a new object rebuilds it. */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height: number;
  onCursor?: (idx: number | null) => void;
}

/** A CSS custom property's value (for canvas colours), with a fallback outside the browser. */
export function cssVar(name: string, fallback: string): string {
  if (typeof document === 'undefined') return fallback;
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** The studio's axis styling for uPlot (muted text, light grid). */
export function axisStyle(label?: string): uPlot.Axis {
  const grid = cssVar('--border', '#dde2e8');
  return {
    stroke: cssVar('--text-muted', '#566170'),
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1, size: 4 },
    font: '11px ui-sans-serif, system-ui, sans-serif',
    labelFont: '11px ui-sans-serif, system-ui, sans-serif',
    ...(label ? { label, labelSize: 18 } : {}),
  };
}

/** Whole steps only: 1, 2, 5, 10, 20, 50, … */
const STEP_INCRS = Array.from({ length: 8 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

/** The x axis of every dashboard chart: optimizer steps, whole numbers. */
export function stepAxis(label?: string): uPlot.Axis {
  return { ...axisStyle(label), incrs: STEP_INCRS };
}

export function UPlotChart({ options, data, height, onCursor }: UPlotChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const cursor = useRef(onCursor);
  const latest = useRef(data);
  useEffect(() => {
    cursor.current = onCursor;
    latest.current = data;
  });

  useEffect(() => {
    const el = host.current!;
    const hooks: uPlot.Hooks.Arrays = { ...options.hooks, setCursor: [...(options.hooks?.setCursor ?? []), (u) => cursor.current?.(u.cursor.idx ?? null)] };
    const u = new uPlot({ ...options, hooks, width: Math.max(120, el.clientWidth), height }, latest.current, el);
    plot.current = u;
    const ro = new ResizeObserver(() => {
      const w = Math.max(120, el.clientWidth);
      if (w !== u.width) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [options, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div ref={host} className="uchart" />;
}
