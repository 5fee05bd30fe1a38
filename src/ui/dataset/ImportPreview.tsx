import type { ColumnMapping, Container, FormatId, ParsedRow, RowError } from '../../data/formats';
import { CONTAINERS, FORMAT_IDS } from '../../data/formats';
import { CONTAINER_LABELS, FORMAT_LABELS } from './importModel';
import { plural } from '../shell/plural';

const MAPPING_FIELDS: { key: keyof ColumnMapping; label: string }[] = [
  { key: 'instruction', label: 'Instruction' },
  { key: 'input', label: 'Input' },
  { key: 'output', label: 'Response' },
  { key: 'system', label: 'System prompt' },
  { key: 'text', label: 'Text (documents)' },
  { key: 'tags', label: 'Tags' },
  { key: 'split', label: 'Split' },
];

export function PreviewRow({ row }: { row: ParsedRow }) {
  const b = row.body;
  return (
    <li className="ds-preview__row" data-testid="import-preview-row">
      <div className="ds-preview__meta">
        <span className="ds-muted">line {row.line}</span>
        <span className={`ds-kind ds-kind--${b.kind}`}>{b.kind}</span>
        {row.split === 'validation' && <span className="ds-badge ds-badge--val">val</span>}
        {row.tags.map((t) => (
          <span key={t} className="ds-tag">{t}</span>
        ))}
      </div>
      {b.kind === 'pair' && (
        <dl className="ds-preview__fields">
          {b.system !== undefined && <><dt>System</dt><dd>{b.system}</dd></>}
          <dt>Instruction</dt>
          <dd>{b.instruction}</dd>
          {b.input && <><dt>Input</dt><dd>{b.input}</dd></>}
          <dt>Response</dt>
          <dd>{b.output}</dd>
        </dl>
      )}
      {b.kind === 'chat' && (
        <dl className="ds-preview__fields">
          {b.messages.map((m, i) => (
            <div key={i} className="ds-preview__turn">
              <dt>{m.role}{m.weight === 0 ? ' (not trained)' : ''}</dt>
              <dd>{m.content}</dd>
            </div>
          ))}
        </dl>
      )}
      {b.kind === 'text' && <p className="ds-preview__text">{b.text}</p>}
    </li>
  );
}

export interface ImportPreviewProps {
  format: FormatId;
  container: Container;
  confidence: number;
  columns: string[];
  mapping: ColumnMapping;
  rows: ParsedRow[];
  errors: RowError[];
  partial: boolean;
  onFormat: (f: FormatId) => void;
  onContainer: (c: Container) => void;
  onMapping: (m: ColumnMapping) => void;
}

/** What the file looks like to the importer: detected format, column mapping for unknown shapes, first rows. */
export function ImportPreview(p: ImportPreviewProps) {
  return (
    <div className="ds-import__preview">
      {p.errors.length > 0 && (
        <div className="ds-import__rejects" role="status" data-testid="import-preview-errors">
          <strong>
            {plural(p.errors.length, 'row')} in the {p.partial ? 'sample' : 'file'} will be rejected
          </strong>{' '}
          — e.g. line {p.errors[0].line}: {p.errors[0].reason}. The other rows import; the rejected ones are listed by line afterwards.
        </div>
      )}
      <div className="ds-import__detect">
        <label className="ds-field">
          <span className="ds-field__label">Format {p.confidence < 0.6 ? '· not sure, please check' : '· detected'}</span>
          <select className="ds-input" data-testid="import-format" value={p.format} onChange={(e) => p.onFormat(e.target.value as FormatId)}>
            {FORMAT_IDS.map((f) => (
              <option key={f} value={f}>{FORMAT_LABELS[f]}</option>
            ))}
          </select>
        </label>
        <label className="ds-field">
          <span className="ds-field__label">File type</span>
          <select className="ds-input" data-testid="import-container" value={p.container} onChange={(e) => p.onContainer(e.target.value as Container)}>
            {CONTAINERS.map((c) => (
              <option key={c} value={c}>{CONTAINER_LABELS[c]}</option>
            ))}
          </select>
        </label>
      </div>
      {p.format === 'columns' && (
        <fieldset className="ds-import__mapping" data-testid="column-mapping">
          <legend>Which column holds what?</legend>
          <p className="ds-muted">Map instruction + response (pairs) or text (documents). Columns: {p.columns.join(', ') || 'none found'}.</p>
          <div className="ds-import__mapgrid">
            {MAPPING_FIELDS.map((f) => (
              <label key={f.key} className="ds-field">
                <span className="ds-field__label">{f.label}</span>
                <select
                  className="ds-input ds-input--sm"
                  aria-label={`Column for ${f.label}`}
                  value={p.mapping[f.key] ?? ''}
                  onChange={(e) => p.onMapping({ ...p.mapping, [f.key]: e.target.value || undefined })}
                >
                  <option value="">—</option>
                  {p.columns.map((c) => (
                    <option key={c} value={c}>{c}</option>
                  ))}
                </select>
              </label>
            ))}
          </div>
        </fieldset>
      )}
      <h4>
        Preview <span className="ds-muted">· the first rows as they will be stored{p.partial ? ' (from the start of the file)' : ''}</span>
      </h4>
      {p.rows.length === 0 ? (
        <p className="ds-error">No row of the {p.partial ? 'sample' : 'file'} could be read as {FORMAT_LABELS[p.format]}. Try another format{p.format === 'columns' ? ' or mapping' : ''}.</p>
      ) : (
        <ul className="ds-preview">
          {p.rows.slice(0, 4).map((r) => (
            <PreviewRow key={r.line} row={r} />
          ))}
        </ul>
      )}
    </div>
  );
}
