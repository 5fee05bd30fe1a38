import { useStudio } from '../../store';
import { cancelModelLoad } from '../../store/slices/model';
import { Button } from '../components/Button';
import { formatDuration, formatMB } from './format';

/** The load in progress: a bar over the bytes, tensors, speed, time left, and Cancel. */
export function LoadProgress() {
  const loading = useStudio((s) => s.modelLoading);
  const previous = useStudio((s) => s.modelInfo?.name ?? null);
  if (!loading) return null;
  const p = loading.progress;
  const fraction = p && p.bytesTotal > 0 ? Math.min(1, p.bytesLoaded / p.bytesTotal) : null;
  const phase = !p || p.phase === 'headers' ? 'Reading config, tokenizer and file headers…' : p.phase === 'done' ? 'Finishing…' : `Streaming ${p.file}${p.fromCache ? ' from browser storage' : ''}`;
  return (
    <section className="mdl-progress" data-testid="load-progress" aria-label={`Loading ${loading.source}`}>
      <div className="mdl-progress__head">
        <div>
          <p className="mdl-progress__title">Loading {loading.source}</p>
          <p className="muted mdl-progress__phase">{phase}</p>
        </div>
        <Button variant="secondary" size="sm" onClick={cancelModelLoad} data-testid="load-cancel">
          Cancel
        </Button>
      </div>
      <div
        className={`mdl-bar${fraction === null ? ' mdl-bar--busy' : ''}`}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={fraction === null ? undefined : Math.round(fraction * 100)}
      >
        <div className="mdl-bar__fill" style={{ width: `${Math.round((fraction ?? 0) * 100)}%` }} />
      </div>
      {p?.retry && (
        <p className="mdl-progress__retry" role="status" data-testid="load-retry" data-attempt={p.retry.attempt}>
          {p.retry.file || 'A request'} failed ({p.retry.reason}). Trying again in {formatDuration(p.retry.delayMs / 1000)}: attempt {p.retry.attempt} of {p.retry.of}. Cancel stops it.
        </p>
      )}
      {p && p.phase !== 'headers' && (
        <p className="mdl-progress__stats" data-testid="load-stats">
          <span>
            {formatMB(p.bytesLoaded)} of {formatMB(p.bytesTotal)}
          </span>
          <span>
            {p.tensorsDone} / {p.tensorsTotal} tensors
          </span>
          <span>{p.mbPerSec.toFixed(1)} MB/s</span>
          <span>ETA {formatDuration(p.etaSeconds)}</span>
        </p>
      )}
      {previous && <p className="muted mdl-progress__phase">{previous} stays loaded until this one has fully arrived.</p>}
    </section>
  );
}
