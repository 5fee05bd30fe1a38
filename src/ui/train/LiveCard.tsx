import { useStudio } from '../../store';
import { Button } from '../components/Button';
import { Card } from '../components/Card';
import { formatDuration, formatLoss } from '../model/format';
import { pauseTraining, resumeTraining, stopTraining } from './controller';
import { LossChart, type ChartSeries } from './LossChart';
import type { RunView } from './runsView';

export const PALETTE = ['#2b59c3', '#d9480f', '#13a08d', '#9c36b5', '#b08900', '#c2255c'];

function Stat({ label, value, testId, data, title }: { label: string; value: string; testId?: string; data?: Record<string, string>; title?: string }) {
  const attrs = Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [`data-${k}`, v]));
  return (
    <div className="stat" data-testid={testId} title={title} {...attrs}>
      <span className="stat__label">{label}</span>
      <span className="stat__value">{value}</span>
    </div>
  );
}

const STATUS: Record<string, string> = { starting: 'Preparing…', running: 'Training', paused: 'Paused', stopping: 'Stopping…' };

/** The run in progress (stats, controls) and the loss chart of it and of the runs picked in the list. */
export function LiveCard({ runs }: { runs: RunView[] | undefined }) {
  const live = useStudio((s) => s.liveRun);
  const picked = useStudio((s) => s.chartRunIds);
  const last = live?.steps[live.steps.length - 1];
  const total = live?.totalSteps ?? 0;
  const remaining = last && total > 0 && last.step > (live?.resumedFrom ?? 0) ? ((total - last.step) * last.elapsed) / (last.step - (live?.resumedFrom ?? 0)) : null;

  // The live run, the other run of its comparison, and every run picked in the list.
  const series: ChartSeries[] = [];
  const shown = new Set<string>();
  if (live) {
    series.push({ id: live.runId, label: `${live.name} (live)`, color: PALETTE[0], train: live.steps, eval: live.evals });
    shown.add(live.runId);
  }
  const group = live?.compare?.group;
  for (const r of runs ?? []) {
    if (shown.has(r.id) || !(picked.includes(r.id) || (group && r.compareGroup === group))) continue;
    shown.add(r.id);
    series.push({ id: r.id, label: r.name, color: PALETTE[series.length % PALETTE.length], train: r.steps, eval: r.evals });
  }
  if (!live && series.length === 0) return null;

  return (
    <Card
      title={live ? live.name : 'Loss curves'}
      testId="live-card"
      aside={live && <span className={`badge ${live.status === 'paused' ? 'badge--warning' : 'badge--success'}`} data-testid="live-status">{STATUS[live.status]}</span>}
    >
      {live && (
        <>
          {live.compare && <p className="muted">Comparison run {live.compare.index + 1} of {live.compare.of}: same data, same seed, different mask.</p>}
          {live.resumedFrom !== null && <p className="muted" data-testid="resumed-note">Resumed from step {live.resumedFrom}.</p>}
          <div className="stat-row">
            <Stat label="Step" value={`${last?.step ?? live.resumedFrom ?? 0} / ${total || '…'}`} testId="live-step" data={{ step: String(last?.step ?? live.resumedFrom ?? 0), total: String(total) }} />
            <Stat label="Epoch" value={last ? String(last.epoch + 1) : '—'} />
            <Stat label="Loss" value={formatLoss(last?.loss)} testId="live-loss" data={{ loss: String(last?.loss ?? '') }} />
            <Stat
              label="Val. loss"
              testId="live-val-loss"
              value={live.plan?.evalNote ? 'no held-out split' : formatLoss(live.evals[live.evals.length - 1]?.loss)}
              title={live.plan?.evalNote ?? undefined}
            />
            <Stat label="Learning rate" value={last ? last.lr.toExponential(2) : '—'} />
            <Stat label="Grad norm" value={last ? last.gradNorm.toFixed(3) : '—'} />
            <Stat label="Tokens/s" value={last ? last.tokensPerSec.toFixed(0) : '—'} />
            <Stat label="Elapsed" value={formatDuration(last?.elapsed ?? null)} />
            <Stat label="ETA" value={formatDuration(remaining)} />
          </div>
          <div className="trn-controls">
            {live.status === 'paused' ? (
              <Button variant="primary" onClick={resumeTraining} data-testid="train-resume">
                Resume
              </Button>
            ) : (
              <Button onClick={pauseTraining} disabled={live.status !== 'running'} data-testid="train-pause">
                Pause
              </Button>
            )}
            <Button variant="danger" onClick={stopTraining} disabled={live.status === 'stopping'} data-testid="train-stop">
              Stop
            </Button>
            <span className="fld__hint">Stop keeps an adapter of the steps done so far.</span>
          </div>
        </>
      )}
      <LossChart series={series} maxStep={live ? total : undefined} testId="loss-chart" />
    </Card>
  );
}
