/**
 * The dashboard charts' data, in uPlot's aligned layout: one shared x (every step any shown run has), one y column per
 * series with null where that run has no value. Linear in the number of points (plus one sort of the step numbers), so
 * rebuilding it after every step of a 10 k-step run stays cheap; uPlot does the drawing.
 */
import { SMOOTHING, emaSeries } from './lossStats';

export interface StepLike {
  step: number;
  loss: number;
  lr?: number;
  gradNorm?: number;
  tokensPerSec?: number;
}

export interface ChartRun {
  id: string;
  label: string;
  color: string;
  train: readonly StepLike[];
  eval: readonly { step: number; loss: number }[];
}

export type LossKind = 'raw' | 'ema' | 'val';
export type MetricKey = 'lr' | 'gradNorm' | 'tokensPerSec';

export interface Column<K extends string> {
  runId: string;
  kind: K;
  values: (number | null)[];
}

export interface Aligned<K extends string> {
  x: number[];
  columns: Column<K>[];
}

const finiteOrNull = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);

/** Sorted union of the steps of `lists`, and each step's index. */
export function alignSteps(lists: readonly (readonly { step: number }[])[]): { x: number[]; at: Map<number, number> } {
  const seen = new Set<number>();
  for (const l of lists) for (const p of l) seen.add(p.step);
  const x = Float64Array.from(seen).sort();
  const at = new Map<number, number>();
  for (let i = 0; i < x.length; i++) at.set(x[i], i);
  return { x: Array.from(x), at };
}

/** Raw training loss, its EMA and the validation points of every run. */
export function lossColumns(runs: readonly ChartRun[], smoothing = SMOOTHING): Aligned<LossKind> {
  const { x, at } = alignSteps(runs.flatMap((r) => [r.train, r.eval]));
  const columns: Column<LossKind>[] = [];
  for (const r of runs) {
    const raw = new Array<number | null>(x.length).fill(null);
    const ema = new Array<number | null>(x.length).fill(null);
    const val = new Array<number | null>(x.length).fill(null);
    const smooth = emaSeries(r.train.map((p) => p.loss), smoothing);
    r.train.forEach((p, i) => {
      const j = at.get(p.step)!;
      raw[j] = finiteOrNull(p.loss);
      ema[j] = smooth[i];
    });
    for (const p of r.eval) val[at.get(p.step)!] = finiteOrNull(p.loss);
    columns.push({ runId: r.id, kind: 'raw', values: raw }, { runId: r.id, kind: 'ema', values: ema }, { runId: r.id, kind: 'val', values: val });
  }
  return { x, columns };
}

/** One per-step metric (learning rate, gradient norm, tokens/s) of every run. */
export function metricColumns(runs: readonly ChartRun[], key: MetricKey): Aligned<MetricKey> {
  const { x, at } = alignSteps(runs.map((r) => r.train));
  const columns = runs.map((r) => {
    const values = new Array<number | null>(x.length).fill(null);
    // A NaN-stopped run's marker step has a NaN loss: its metrics are not real either.
    for (const p of r.train) if (Number.isFinite(p.loss)) values[at.get(p.step)!] = finiteOrNull(p[key]);
    return { runId: r.id, kind: key, values };
  });
  return { x, columns };
}

/** Whether any run recorded a non-finite loss (the chart marks it). */
export function hasNonFinite(runs: readonly ChartRun[]): boolean {
  return runs.some((r) => r.train.some((p) => !Number.isFinite(p.loss)));
}
