import { useState } from 'react';
import { useStudio } from '../../store';
import { toggleChartRun } from '../../store/slices/train';
import { deleteRun } from '../../db/runs';
import { Button } from '../components/Button';
import { Card } from '../components/Card';
import { formatLoss } from '../model/format';
import { resumeRun } from './controller';
import { RunName } from './RunName';
import { LOSS_HELP, finalLossText } from './lossStats';
import type { RunView } from './runsView';

const STATUS_LABEL: Record<string, [string, string]> = {
  running: ['Training', 'badge--success'],
  paused: ['Paused', 'badge--warning'],
  finished: ['Finished', 'badge--success'],
  stopped: ['Stopped', 'badge--neutral'],
  nonfinite: ['NaN stop', 'badge--danger'],
  failed: ['Failed', 'badge--danger'],
  imported: ['Imported', 'badge--neutral'],
};

function RunRow({ run }: { run: RunView }) {
  const live = useStudio((s) => s.liveRun);
  const picked = useStudio((s) => s.chartRunIds.includes(run.id));
  const [confirm, setConfirm] = useState(false);
  const isLive = live?.runId === run.id;
  const [label, tone] = run.interrupted ? ['Interrupted', 'badge--warning'] : (STATUS_LABEL[run.status] ?? [run.status, 'badge--neutral']);
  const steps = run.doneSteps;
  return (
    <li className="trn-run" data-testid="run-row" data-run-id={run.id} data-status={run.interrupted ? 'interrupted' : run.status} data-steps={steps} data-first-loss={run.firstLoss ?? ''} data-last-loss={run.lastLoss ?? ''} data-final-loss={run.finalLoss ?? ''}>
      <div className="trn-run__main">
        <div className="trn-run__title">
          <RunName run={run} />
          <span className={`badge ${tone}`}>{isLive ? 'Live' : label}</span>
        </div>
        <span className="muted trn-run__meta">
          {run.modelName} · {new Date(run.createdAt).toLocaleString()}
          {run.status !== 'imported' && ` · step ${steps}${run.totalSteps ? ` of ${run.totalSteps}` : ''}`}
          {run.finalLoss !== null && (
            <span title={`${LOSS_HELP.final} ${LOSS_HELP.smoothed}`}>
              {' · '}
              {finalLossText(run.steps, formatLoss)}
            </span>
          )}
          {run.evals.length > 0 && ` · validation ${formatLoss(run.evals[run.evals.length - 1].loss)}`}
        </span>
        {run.error && <span className="fld__hint fld__hint--bad">{run.error}</span>}
      </div>
      <div className="trn-run__actions">
        {(run.interrupted || run.status === 'stopped' || run.status === 'failed') && run.checkpointStep !== null && (
          <Button size="sm" variant={run.status === 'stopped' ? 'secondary' : 'primary'} disabled={!!live} onClick={() => void resumeRun(run.id)} data-testid="run-resume">
            {run.status === 'stopped' ? 'Continue' : 'Resume'} from step {run.checkpointStep}
          </Button>
        )}
        {run.interrupted && run.checkpointStep === null && <span className="fld__hint">No checkpoint to resume from</span>}
        {run.steps.length > 0 && !isLive && (
          <label className="chk">
            <input type="checkbox" checked={picked} onChange={(e) => toggleChartRun(run.id, e.target.checked)} data-testid="run-chart" />
            Chart
          </label>
        )}
        {!isLive &&
          (confirm ? (
            <>
              <Button size="sm" variant="danger" onClick={() => void deleteRun(run.id)} data-testid="run-confirm-delete">
                Delete run
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setConfirm(false)}>
                Keep
              </Button>
            </>
          ) : (
            <Button size="sm" variant="ghost" onClick={() => setConfirm(true)} data-testid="run-delete">
              Delete
            </Button>
          ))}
      </div>
    </li>
  );
}

/** Every run kept in this browser: status, loss before → after, resume after an interruption, chart, delete. */
export function RunsList({ runs }: { runs: RunView[] | undefined }) {
  const trained = (runs ?? []).filter((r) => r.status !== 'imported');
  return (
    <Card title="Runs" testId="runs" aside={runs ? `${trained.length} in this browser` : undefined}>
      {runs && trained.length === 0 && <p className="muted">Runs you start are kept here with their loss curves and adapters, across reloads.</p>}
      {trained.length > 0 && (
        <ul className="trn-runs">
          {trained.map((r) => (
            <RunRow key={r.id} run={r} />
          ))}
        </ul>
      )}
    </Card>
  );
}
