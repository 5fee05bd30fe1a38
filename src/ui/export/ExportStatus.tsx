import { Button } from '../components/Button';
import { formatBytes } from '../shell/format';
import type { ExportResult } from './exportJob';

/** Progress (with Cancel) of an export in flight, then what it wrote or why it failed. */
export function ExportStatus({ id, busy, progress, result, cancel }: { id: string; busy: boolean; progress: { file: string; done: number; total: number } | null; result: ExportResult | null; cancel: () => void }) {
  return (
    <>
      {busy && progress && (
        <div className="exp-progress" data-testid={`${id}-progress`}>
          <progress max={progress.total || 1} value={progress.done} aria-label="Export progress" />
          <span className="muted">
            {progress.total ? `${progress.file} · ${formatBytes(progress.done)} of ${formatBytes(progress.total)}` : 'Preparing…'}
          </span>
          <Button size="sm" variant="ghost" onClick={cancel} data-testid={`${id}-cancel`}>
            Cancel
          </Button>
        </div>
      )}
      {result && (
        <div className={result.ok ? 'callout' : 'fld__error'} role={result.ok ? 'status' : 'alert'} data-testid={`${id}-result`} data-ok={result.ok}>
          <p>{result.text}</p>
          {result.firstBatchLoss !== undefined && (
            <p>
              First-batch loss computed here: <strong data-testid={`${id}-first-loss`}>{result.firstBatchLoss.toFixed(6)}</strong> — train.py prints its own at step 0.
            </p>
          )}
          {result.files && (
            <ul className="exp-written">
              {result.files.map((f) => (
                <li key={f.name}>
                  <code>{f.name}</code> <span className="muted">{formatBytes(f.size)}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </>
  );
}
