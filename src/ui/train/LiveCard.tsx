import { useStudio } from '../../store';
import { Button } from '../components/Button';
import { Card } from '../components/Card';
import { formatDuration, formatLoss } from '../model/format';
import { pauseTraining, resumeTraining, stopTraining } from './controller';
import { Dashboard, type DashboardRun } from './Dashboard';
import { LOSS_HELP, LOSS_LABELS, smoothedLoss } from './lossStats';
import type { RunView } from './runsView';
import './dashboard.css';

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

/** The run in progress (stats, controls) and the dashboard of it and of the runs picked in the list. */
export function LiveCard({ runs }: { runs: RunView[] | undefined }) {
  const live = useStudio((s) => s.liveRun);
  const picked = useStudio((s) => s.chartRunIds);
  const last = live?.steps[live.steps.length - 1];
  const total = live?.totalSteps ?? 0;
  const remaining = last && total > 0 && last.step > (live?.resumedFrom ?? 0) ? ((total - last.step) * last.elapsed) / (last.step - (live?.resumedFrom ?? 0)) : null;

  // The live run, the other run of its comparison, and every run picked in the list.
  const series: DashboardRun[] = [];
  const shown = new Set<string>();
  if (live) {
    const liveCfg = runs?.find((r) => r.id === live.runId)?.config;
    series.push({ id: live.runId, label: `${live.name} (live)`, color: PALETTE[0], train: live.steps, eval: live.evals, samples: live.samples, sampleEvery: liveCfg?.sampleEvery, live: true });
    shown.add(live.runId);
  }
  const group = live?.compare?.group;
  for (const r of runs ?? []) {
    if (shown.has(r.id) || !(picked.includes(r.id) || (group && r.compareGroup === group))) continue;
    shown.add(r.id);
    series.push({ id: r.id, label: r.name, color: PALETTE[series.length % PALETTE.length], train: r.steps, eval: r.evals, samples: r.samples, sampleEvery: r.config?.sampleEvery });
  }
  if (!live && series.length === 0) return null;

  return (
    <Card
      title={live ? live.name : 'Training dashboard'}
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
            <Stat label={LOSS_LABELS.last} value={formatLoss(last?.loss)} testId="live-loss" data={{ loss: String(last?.loss ?? '') }} title={LOSS_HELP.final} />
            <Stat label={LOSS_LABELS.smoothed} value={formatLoss(smoothedLoss(live.steps))} testId="live-smoothed-loss" title={LOSS_HELP.smoothed} />
            <Stat
              label={LOSS_LABELS.validation}
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
      <Dashboard runs={series} />
    </Card>
  );
}
