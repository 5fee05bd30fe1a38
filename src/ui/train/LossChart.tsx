/** Loss curves as plain SVG: training loss per step (line) and validation loss (dashed, dots), several runs at once. */

export interface ChartSeries {
  id: string;
  label: string;
  color: string;
  train: { step: number; loss: number }[];
  eval: { step: number; loss: number }[];
}

const W = 720, H = 260;
const PAD = { left: 52, right: 16, top: 14, bottom: 34 };

function niceTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

function path(points: { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join('');
}

export function LossChart({ series, maxStep, testId }: { series: ChartSeries[]; maxStep?: number; testId?: string }) {
  const finite = series.flatMap((s) => [...s.train, ...s.eval]).filter((p) => Number.isFinite(p.loss));
  const lastStep = Math.max(1, maxStep ?? 0, ...series.flatMap((s) => [...s.train, ...s.eval].map((p) => p.step)));
  if (finite.length === 0) {
    const nan = series.some((s) => s.train.length > 0);
    return (
      <div className="chart chart--empty" data-testid={testId} data-nan={nan || undefined}>
        <p className={nan ? 'chart__nan-text' : 'muted'}>{nan ? 'The loss was NaN or infinite from the first step.' : 'The loss appears here after the first step.'}</p>
      </div>
    );
  }
  let lo = Math.min(...finite.map((p) => p.loss));
  let hi = Math.max(...finite.map((p) => p.loss));
  const margin = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 0.5;
  lo = Math.max(0, lo - margin);
  hi += margin;
  const x = (step: number) => PAD.left + ((step - 0) / lastStep) * (W - PAD.left - PAD.right);
  const y = (loss: number) => PAD.top + (1 - (loss - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const yTicks = niceTicks(lo, hi, 5);
  const xTicks = niceTicks(0, lastStep, 6).filter((t) => Number.isInteger(t));

  return (
    <figure className="chart" data-testid={testId}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Loss curves: ${series.map((s) => s.label).join(', ')}`}>
        {yTicks.map((t) => (
          <g key={`y${t}`}>
            <line className="chart__grid" x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} />
            <text className="chart__tick" x={PAD.left - 8} y={y(t) + 4} textAnchor="end">
              {t.toFixed(t < 10 ? 2 : 1)}
            </text>
          </g>
        ))}
        {xTicks.map((t) => (
          <text key={`x${t}`} className="chart__tick" x={x(t)} y={H - PAD.bottom + 18} textAnchor="middle">
            {t}
          </text>
        ))}
        <text className="chart__axis" x={W - PAD.right} y={H - 4} textAnchor="end">
          step
        </text>
        <line className="chart__axisline" x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} />
        {series.map((s) => {
          const pts = s.train.filter((p) => Number.isFinite(p.loss)).map((p) => ({ x: x(p.step), y: y(p.loss) }));
          const evals = s.eval.filter((p) => Number.isFinite(p.loss)).map((p) => ({ x: x(p.step), y: y(p.loss) }));
          const bad = s.train.find((p) => !Number.isFinite(p.loss));
          return (
            <g key={s.id} data-series={s.id}>
              <path d={path(pts)} fill="none" stroke={s.color} strokeWidth={1.8} strokeLinejoin="round" />
              {pts.length === 1 && <circle cx={pts[0].x} cy={pts[0].y} r={3} fill={s.color} />}
              {evals.length > 0 && <path d={path(evals)} fill="none" stroke={s.color} strokeWidth={1.5} strokeDasharray="5 4" opacity={0.85} />}
              {evals.map((p, i) => (
                <circle key={i} cx={p.x} cy={p.y} r={3.5} fill="var(--surface)" stroke={s.color} strokeWidth={1.8} />
              ))}
              {bad && (
                <text className="chart__nan" x={x(bad.step)} y={PAD.top + 12} textAnchor="middle">
                  NaN
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="chart__legend">
        {series.map((s) => (
          <span key={s.id} className="chart__key">
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
