import './import.css';
import { useState } from 'react';
import { CONTAINERS, exportDataset, FORMAT_IDS, type Container, type FormatId } from '../../data/formats';
import type { Dataset, Example } from '../../data/types';
import { Button } from '../components/Button';
import { Dialog } from './Dialog';
import { downloadText, safeName } from './download';
import { CONTAINER_LABELS, FORMAT_LABELS } from './importModel';

type Scope = 'all' | 'train' | 'validation' | 'shown';
const EXT: Record<Container, string> = { json: 'json', jsonl: 'jsonl', csv: 'csv' };
const MIME: Record<Container, string> = { json: 'application/json', jsonl: 'application/jsonl', csv: 'text/csv' };

function previewOf(examples: Example[], format: FormatId, container: Container): string {
  try {
    return exportDataset(examples.slice(0, 2), format, container);
  } catch {
    return '';
  }
}

/** Export the dataset (or a part of it) in any format × container, as a downloaded file. */
export function ExportDialog({ dataset, examples, shown, onClose }: { dataset: Dataset; examples: Example[]; shown: Example[]; onClose: () => void }) {
  const [format, setFormat] = useState<FormatId>('alpaca');
  const [container, setContainer] = useState<Container>('jsonl');
  const [scope, setScope] = useState<Scope>('all');
  const [error, setError] = useState<string | null>(null);
  const chosen = scope === 'all' ? examples : scope === 'shown' ? shown : examples.filter((e) => e.split === scope);
  const filename = `${safeName(dataset.name)}.${format}.${EXT[container]}`;
  const sample = previewOf(chosen, format, container);

  return (
    <Dialog title={`Export · ${dataset.name}`} onClose={onClose} wide testId="export-dialog">
      <div className="ds-export">
        <label className="ds-field">
          <span className="ds-field__label">Format</span>
          <select className="ds-input" data-testid="export-format" value={format} onChange={(e) => { setFormat(e.target.value as FormatId); setError(null); }}>
            {FORMAT_IDS.map((f) => (
              <option key={f} value={f}>{FORMAT_LABELS[f].replace(' (map them below)', '')}</option>
            ))}
          </select>
        </label>
        <label className="ds-field">
          <span className="ds-field__label">File type</span>
          <select className="ds-input" data-testid="export-container" value={container} onChange={(e) => { setContainer(e.target.value as Container); setError(null); }}>
            {CONTAINERS.map((c) => (
              <option key={c} value={c}>{CONTAINER_LABELS[c]}</option>
            ))}
          </select>
        </label>
        <label className="ds-field">
          <span className="ds-field__label">Examples</span>
          <select className="ds-input" data-testid="export-scope" value={scope} onChange={(e) => setScope(e.target.value as Scope)}>
            <option value="all">All ({examples.length.toLocaleString()})</option>
            <option value="train">Train split</option>
            <option value="validation">Validation split</option>
            <option value="shown">Shown by the current filters ({shown.length.toLocaleString()})</option>
          </select>
        </label>
      </div>
      <p className="ds-muted">
        Tags, split and notes travel in a <code>studio</code> field that other tools ignore, so importing the file here gives back the same examples.
      </p>
      {sample && (
        <>
          <h4>Preview</h4>
          <pre className="ds-export__sample">{sample.length > 1200 ? `${sample.slice(0, 1200)}…` : sample}</pre>
        </>
      )}
      {error && <p className="ds-error" role="alert">{error}</p>}
      <div className="ds-dialog__actions">
        <Button onClick={onClose}>Close</Button>
        <Button
          variant="primary"
          data-testid="export-download"
          disabled={chosen.length === 0}
          onClick={() => {
            try {
              downloadText(filename, exportDataset(chosen, format, container), MIME[container]);
              setError(null);
            } catch (e) {
              setError(e instanceof Error ? e.message : String(e));
            }
          }}
        >
          Download {filename}
        </Button>
      </div>
    </Dialog>
  );
}
