import type { RowError } from '../../data/formats';
import { Button } from '../components/Button';
import { downloadText, safeName } from './download';
import { rejectedReport } from './importModel';

const SHOWN = 200;

/** "N imported, M rejected", with the rejected rows (line + reason) and a download of all of them. */
export function ImportResult({ imported, errors, ms, datasetName, fileName, onClose }: { imported: number; errors: RowError[]; ms: number; datasetName: string; fileName: string; onClose: () => void }) {
  return (
    <div className="ds-import__result">
      <p className="ds-import__summary" data-testid="import-summary" data-ms={Math.round(ms)}>
        <strong>{imported.toLocaleString()} imported</strong>, <strong>{errors.length.toLocaleString()} rejected</strong>
        <span className="ds-muted"> · into “{datasetName}” in {(ms / 1000).toFixed(1)} s</span>
      </p>
      {errors.length > 0 && (
        <>
          <ol className="ds-rejected" data-testid="rejected-rows">
            {errors.slice(0, SHOWN).map((e, i) => (
              <li key={i}>
                <span className="ds-rejected__line">line {e.line}</span>
                <span className="ds-rejected__reason">{e.reason}</span>
                {e.raw && <code className="ds-rejected__raw">{e.raw.length > 160 ? `${e.raw.slice(0, 160)}…` : e.raw}</code>}
              </li>
            ))}
          </ol>
          {errors.length > SHOWN && <p className="ds-muted">…and {(errors.length - SHOWN).toLocaleString()} more in the download.</p>}
        </>
      )}
      <div className="ds-dialog__actions">
        {errors.length > 0 && (
          <Button onClick={() => downloadText(`${safeName(fileName)}.rejected.jsonl`, rejectedReport(errors), 'application/jsonl')} data-testid="download-rejected">
            Download rejected rows
          </Button>
        )}
        <Button variant="primary" onClick={onClose} data-testid="import-close">Done</Button>
      </div>
    </div>
  );
}
