import { FILTER_LABELS, totalFiltered, type FilterReason } from '../../../data/grow/filters';
import type { GrowJob } from './useGrowJob';
import { plural } from '../../shell/plural';

/** Progress of a generation job: a bar, what was queued, per-reason filter counts and per-item errors. */
export function RunStatus({ job, unit }: { job: GrowJob; unit: string }) {
  const p = job.progress;
  if (!p && !job.error) return null;
  const filtered = p ? totalFiltered(p.filtered) : 0;
  return (
    <div className="grow-status" data-testid="grow-status" data-running={job.running} data-queued={p?.queued ?? 0} data-filtered={filtered} data-errors={p?.errors.length ?? 0}>
      {p && (
        <>
          <progress className="grow-status__bar" max={Math.max(1, p.total)} value={p.done} aria-label={`${unit} done`} />
          <p role="status">
            {job.running ? 'Running: ' : job.cancelled ? 'Cancelled: ' : 'Finished: '}
            {p.done} of {p.total} {unit} · <strong data-testid="grow-queued">{plural(p.queued, 'row')}</strong> queued for review · {p.candidates} candidates ·{' '}
            {filtered} filtered{p.retried ? ` · ${plural(p.retried, 'retry', 'retries')}` : ''}
            {p.errors.length ? ` · ${plural(p.errors.length, 'error')}` : ''}
          </p>
          {filtered > 0 && (
            <ul className="grow-status__reasons" aria-label="Filtered, by reason" data-testid="grow-filter-counts">
              {(Object.keys(p.filtered) as FilterReason[]).map((r) => (
                <li key={r} data-reason={r} data-count={p.filtered[r]}>
                  {FILTER_LABELS[r]}: {p.filtered[r]}
                </li>
              ))}
            </ul>
          )}
          {p.errors.length > 0 && (
            <details className="grow-status__errors" data-testid="grow-errors">
              <summary>{plural(p.errors.length, 'item')} failed (the rest went on)</summary>
              <ul>
                {p.errors.slice(-20).map((e, i) => (
                  <li key={i}>
                    <span className="grow-status__item">{e.item.length > 120 ? `${e.item.slice(0, 120)}…` : e.item}</span>: {e.message}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}
      {job.error && <p className="ds-error" role="alert">{job.error}</p>}
    </div>
  );
}
