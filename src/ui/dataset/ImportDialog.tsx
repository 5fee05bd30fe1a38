import './import.css';
import { useMemo, useRef, useState } from 'react';
import { detectFormat, parseDataset, parseDatasetStream, suggestMapping, type ColumnMapping, type Container, type FormatId, type ParsedRow, type RowError } from '../../data/formats';
import type { Dataset } from '../../data/types';
import { describeDbError, importExamples } from '../../db';
import { useStudio } from '../../store';
import { Button } from '../components/Button';
import { Dialog } from './Dialog';
import { DropZone } from './DropZone';
import { formatBytes, readSample } from './importModel';
import { ImportPreview } from './ImportPreview';
import { ImportResult } from './ImportResult';
import { plural } from '../shell/plural';

interface Sample {
  file: File;
  text: string;
  partial: boolean;
  format: FormatId;
  container: Container;
  confidence: number;
  columns: string[];
  mapping: ColumnMapping;
}

type Step =
  | { kind: 'choose'; error?: string }
  | { kind: 'preview' }
  | { kind: 'importing'; bytes: number; rows: number }
  | { kind: 'done'; imported: number; errors: RowError[]; ms: number; datasetName: string }
  | { kind: 'cancelled' };

/** File → detected format + preview (+ column mapping) → streamed parse with progress → one-transaction commit. */
export function ImportDialog({ dataset, datasetSize, onClose }: { dataset: Dataset | null; datasetSize: number; onClose: () => void }) {
  const [step, setStep] = useState<Step>({ kind: 'choose' });
  const [sample, setSample] = useState<Sample | null>(null);
  const [target, setTarget] = useState<'current' | 'new'>(dataset ? 'current' : 'new');
  const [newName, setNewName] = useState('');
  const abort = useRef<AbortController | null>(null);
  const setActive = useStudio((s) => s.setActiveDataset);

  const choose = async (file: File) => {
    try {
      const { text, partial } = await readSample(file);
      const d = detectFormat(text, file.name);
      setSample({ file, text, partial, format: d.format, container: d.container, confidence: d.confidence, columns: d.columns, mapping: suggestMapping(d.columns) });
      setNewName(file.name.replace(/\.(jsonl|ndjson|json|csv|txt)$/i, ''));
      setStep({ kind: 'preview' });
    } catch (e) {
      setStep({ kind: 'choose', error: `Could not read “${file.name}”: ${e instanceof Error ? e.message : String(e)}` });
    }
  };
  const preview = useMemo(
    () => (sample ? parseDataset(sample.text, { filename: sample.file.name, format: sample.format, container: sample.container, mapping: sample.mapping }) : null),
    [sample],
  );
  // A sample cut at a line end can split the last record; its error is not the file's fault.
  const previewErrors = preview && sample?.partial ? preview.errors.filter((e) => e.line < Math.max(...preview.rows.map((r) => r.line), 0)) : (preview?.errors ?? []);

  const run = async () => {
    if (!sample) return;
    const ctl = new AbortController();
    abort.current = ctl;
    const t0 = performance.now();
    const rows: ParsedRow[] = [];
    const errors: RowError[] = [];
    setStep({ kind: 'importing', bytes: 0, rows: 0 });
    try {
      const opts = { filename: sample.file.name, format: sample.format, container: sample.container, mapping: sample.mapping, signal: ctl.signal, batchSize: 2000 };
      for await (const batch of parseDatasetStream(sample.file.stream(), opts)) {
        ctl.signal.throwIfAborted();
        rows.push(...batch.rows);
        errors.push(...batch.errors);
        setStep({ kind: 'importing', bytes: batch.bytes, rows: rows.length });
      }
      ctl.signal.throwIfAborted();
      const inputs = rows.map((r) => ({ body: r.body, tags: r.tags, split: r.split, notes: r.notes, extra: r.extra }));
      const name = newName.trim() || 'Imported dataset';
      const id = rows.length
        ? await importExamples(target === 'current' && dataset ? { datasetId: dataset.id } : { newDataset: { name, description: `Imported from ${sample.file.name}` } }, inputs)
        : null;
      if (id && id !== dataset?.id) setActive(id);
      setStep({ kind: 'done', imported: rows.length, errors, ms: performance.now() - t0, datasetName: target === 'current' && dataset ? dataset.name : name });
    } catch (e) {
      if (ctl.signal.aborted) setStep({ kind: 'cancelled' });
      else setStep({ kind: 'choose', error: `Import failed, nothing was added: ${describeDbError(e)}` });
    } finally {
      abort.current = null;
    }
  };

  const close = () => {
    abort.current?.abort();
    onClose();
  };

  return (
    <Dialog title="Import examples" onClose={close} wide testId="import-dialog">
      {step.kind === 'choose' && (
        <>
          <DropZone onFile={(f) => void choose(f)} />
          {step.error && <p className="ds-error" role="alert">{step.error}</p>}
          <div className="ds-dialog__actions"><Button onClick={close}>Cancel</Button></div>
        </>
      )}
      {step.kind === 'preview' && sample && preview && (
        <>
          <p className="ds-muted" data-testid="import-file">{sample.file.name} · {formatBytes(sample.file.size)}</p>
          <ImportPreview
            format={sample.format}
            container={sample.container}
            confidence={sample.confidence}
            columns={preview.columns.length ? preview.columns : sample.columns}
            mapping={sample.mapping}
            rows={preview.rows}
            errors={previewErrors}
            partial={sample.partial}
            onFormat={(format) => setSample({ ...sample, format, confidence: 1 })}
            onContainer={(container) => setSample({ ...sample, container })}
            onMapping={(mapping) => setSample({ ...sample, mapping })}
          />
          <fieldset className="ds-import__target">
            <legend className="ds-field__label">Import into</legend>
            {dataset && (
              <label className="ds-check">
                <input type="radio" name="target" checked={target === 'current'} onChange={() => setTarget('current')} data-testid="import-target-current" /> the open dataset (“{dataset.name}”{datasetSize ? `, ${plural(datasetSize, 'example')}` : ''})
              </label>
            )}
            <label className="ds-check">
              <input type="radio" name="target" checked={target === 'new'} onChange={() => setTarget('new')} data-testid="import-target-new" /> a new dataset named
              <input className="ds-input ds-input--sm" aria-label="New dataset name" data-testid="import-new-name" value={newName} onChange={(e) => setNewName(e.target.value)} onFocus={() => setTarget('new')} />
            </label>
          </fieldset>
          <div className="ds-dialog__actions">
            <Button onClick={() => setStep({ kind: 'choose' })}>Choose another file</Button>
            <Button variant="primary" onClick={() => void run()} disabled={preview.rows.length === 0} data-testid="import-run">
              Import
            </Button>
          </div>
        </>
      )}
      {step.kind === 'importing' && sample && (
        <div className="ds-import__progress" data-testid="import-progress">
          <p>Reading {sample.file.name}… {plural(step.rows, 'row')} so far</p>
          <progress max={sample.file.size || 1} value={step.bytes} aria-label="Import progress" />
          <p className="ds-muted">Nothing is stored until the whole file has been read, so cancelling leaves the dataset as it was.</p>
          <div className="ds-dialog__actions">
            <Button onClick={() => abort.current?.abort()} data-testid="import-cancel">Cancel import</Button>
          </div>
        </div>
      )}
      {step.kind === 'cancelled' && (
        <>
          <p data-testid="import-cancelled">Import cancelled. Nothing was added.</p>
          <div className="ds-dialog__actions"><Button variant="primary" onClick={close}>Close</Button></div>
        </>
      )}
      {step.kind === 'done' && <ImportResult imported={step.imported} errors={step.errors} ms={step.ms} datasetName={step.datasetName} fileName={sample?.file.name ?? 'import'} onClose={close} />}
    </Dialog>
  );
}
