import { useMemo, useState } from 'react';
import { readColumnar, type ColumnarTable } from '../../../data/grow/columns';
import { expandFlan, FLAN_KINDS, FlanSpecError, specProblem, templatesOf, type FlanKind, type FlanResult, type FlanSpec } from '../../../data/grow/flan';
import { enqueue } from '../../../db/growQueue';
import { useStudio } from '../../../store';
import { Button } from '../../components/Button';
import { plural } from '../../shell/plural';
import type { GrowContext } from './GrowDialog';
import { clamp, NumberInput } from './fields';

const PREVIEW_ROWS = 5;

function guess(columns: string[], names: RegExp): string {
  return columns.find((c) => names.test(c)) ?? '';
}

/** FLAN-style templates: a columnar file → instruction pairs in several phrasings, previewed, then queued. */
export function FlanPanel({ ctx }: { ctx: GrowContext }) {
  const [table, setTable] = useState<(ColumnarTable & { name: string }) | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const [spec, setSpec] = useState<FlanSpec>({ kind: 'generic', inputColumn: '', outputColumn: '' });
  const [off, setOff] = useState<string[]>([]);
  const [perRow, setPerRow] = useState(2);
  const [seed, setSeed] = useState(1);
  const [busy, setBusy] = useState(false);
  const toast = useStudio((s) => s.toast);
  const guard = useStudio((s) => s.guard);

  const load = async (file: File) => {
    setReadError(null);
    try {
      const t = readColumnar(await file.text(), file.name);
      if (t.rows.length === 0) throw new Error(t.problems[0] ? `No rows could be read (line ${t.problems[0].line}: ${t.problems[0].reason}).` : 'The file has no rows.');
      setTable({ ...t, name: file.name });
      const input = guess(t.columns, /^(input|text|question|sentence|source|prompt|review|document|article)$/i) || t.columns[0];
      const output = guess(t.columns, /^(output|label|answer|target|summary|response|category|translation)$/i) || t.columns.find((c) => c !== input) || '';
      const context = guess(t.columns, /^(context|passage)$/i);
      setSpec((s) => ({ ...s, inputColumn: input, outputColumn: output, contextColumn: context || undefined }));
    } catch (e) {
      setTable(null);
      setReadError(e instanceof Error ? e.message : String(e));
    }
  };

  const templates = templatesOf(spec.kind);
  const templateIds = templates.map((t) => t.id).filter((id) => !off.includes(id));
  const problem = table ? (specProblem(spec, table.columns) ?? (templateIds.length ? null : 'Pick at least one template.')) : null;
  const result = useMemo((): FlanResult | string | null => {
    if (!table || problem) return null;
    try {
      return expandFlan(table.rows, spec, { seed, perRow: clamp(perRow, 1, 10, 2), templateIds });
    } catch (e) {
      return e instanceof FlanSpecError ? e.message : String(e);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- templateIds is derived from `off` and the kind
  }, [table, spec, seed, perRow, off, problem]);
  const preview = result && typeof result !== 'string' ? result.pairs.filter((p) => p.row < PREVIEW_ROWS) : [];

  const queueAll = async () => {
    if (!result || typeof result === 'string') return;
    setBusy(true);
    const added = await guard(() => enqueue(ctx.datasetId, result.pairs.map((p) => ({ body: p.body, tag: p.tag }))));
    setBusy(false);
    if (added) {
      toast(`${plural(added.length, 'pair')} added to the review queue.`);
      ctx.showQueue();
    }
  };

  const column = (label: string, value: string | undefined, onChange: (v: string) => void, optional = false, testId?: string) => (
    <label className="ds-field">
      <span className="ds-field__label">{label}</span>
      <select className="ds-input ds-input--sm" value={value ?? ''} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        {optional && <option value="">(none)</option>}
        {!optional && !value && <option value="">Pick a column</option>}
        {table?.columns.map((c) => (
          <option key={c} value={c}>{c}</option>
        ))}
      </select>
    </label>
  );

  return (
    <div className="grow-panel" data-testid="grow-flan">
      <p className="ds-muted">
        Turns a table (CSV with a header, JSON or JSON Lines) into instruction pairs. Each row gets several phrasings of its task, chosen with the seed, so
        the model learns the task rather than one wording.
      </p>
      <label className="ds-field">
        <span className="ds-field__label">Table file</span>
        <input type="file" accept=".csv,.json,.jsonl,.ndjson,text/csv,application/json" onChange={(e) => e.target.files?.[0] && void load(e.target.files[0])} data-testid="flan-file" />
      </label>
      {readError && <p className="ds-error" role="alert">{readError}</p>}
      {table && (
        <>
          <p className="ds-muted" data-testid="flan-table">
            {table.name}: {plural(table.rows.length, 'row')}, columns {table.columns.join(', ')}
            {table.problems.length > 0 && ` · ${plural(table.problems.length, 'line')} could not be read (first: line ${table.problems[0].line}, ${table.problems[0].reason})`}
          </p>
          <div className="grow-row">
            <label className="ds-field">
              <span className="ds-field__label">Kind of task</span>
              <select className="ds-input ds-input--sm" value={spec.kind} onChange={(e) => setSpec({ ...spec, kind: e.target.value as FlanKind })} data-testid="flan-kind">
                {FLAN_KINDS.map((k) => (
                  <option key={k.id} value={k.id}>{k.label}</option>
                ))}
              </select>
            </label>
            {column('Input column', spec.inputColumn, (v) => setSpec({ ...spec, inputColumn: v }), false, 'flan-input')}
            {column('Output column', spec.outputColumn, (v) => setSpec({ ...spec, outputColumn: v }), false, 'flan-output')}
            {spec.kind === 'qa' && column('Context column', spec.contextColumn, (v) => setSpec({ ...spec, contextColumn: v || undefined }), true)}
            {spec.kind === 'translation' && (
              <>
                <label className="ds-field">
                  <span className="ds-field__label">From</span>
                  <input className="ds-input ds-input--sm" value={spec.source ?? ''} placeholder="English" onChange={(e) => setSpec({ ...spec, source: e.target.value })} />
                </label>
                <label className="ds-field">
                  <span className="ds-field__label">Into</span>
                  <input className="ds-input ds-input--sm" value={spec.target ?? ''} placeholder="French" onChange={(e) => setSpec({ ...spec, target: e.target.value })} />
                </label>
              </>
            )}
            <NumberInput label="Phrasings per row" value={perRow} min={1} max={templates.length} onChange={setPerRow} testId="flan-per-row" />
            <NumberInput label="Seed" value={seed} onChange={(v) => setSeed(Math.trunc(v))} testId="flan-seed" />
          </div>
          {spec.kind === 'generic' && (
            <label className="ds-field">
              <span className="ds-field__label">The task, in one sentence</span>
              <input className="ds-input ds-input--sm" value={spec.task ?? ''} placeholder="Correct the grammar of this sentence." onChange={(e) => setSpec({ ...spec, task: e.target.value })} data-testid="flan-task" />
            </label>
          )}
          <fieldset className="grow-ops">
            <legend className="ds-field__label">Templates</legend>
            {templates.map((t) => (
              <label key={t.id} className="ds-check">
                <input type="checkbox" checked={!off.includes(t.id)} onChange={(e) => setOff(e.target.checked ? off.filter((x) => x !== t.id) : [...off, t.id])} />
                <code>{t.id}</code> <span className="ds-muted">{t.instruction.replace(/\n+/g, ' ⏎ ')}{t.input ? ` | ${t.input.replace(/\n+/g, ' ⏎ ')}` : ''}</span>
              </label>
            ))}
          </fieldset>
          {problem && <p className="ds-muted" data-testid="grow-problem">{problem}</p>}
          {typeof result === 'string' && <p className="ds-error" role="alert">{result}</p>}
          {result && typeof result !== 'string' && (
            <>
              <h4>Preview (first {plural(Math.min(PREVIEW_ROWS, table.rows.length), 'row')})</h4>
              <ul className="ds-preview grow-preview" data-testid="flan-preview">
                {preview.map((p, i) => (
                  <li key={i} className="ds-preview__row" data-testid="flan-preview-row">
                    <div className="ds-preview__meta">
                      <span className="ds-muted">row {p.row + 1}</span>
                      <span className="ds-tag">{p.tag}</span>
                    </div>
                    <dl className="ds-preview__fields">
                      <dt>Instruction</dt>
                      <dd>{p.body.instruction}</dd>
                      {p.body.input && <><dt>Input</dt><dd>{p.body.input}</dd></>}
                      <dt>Response</dt>
                      <dd>{p.body.output}</dd>
                    </dl>
                  </li>
                ))}
              </ul>
              {spec.kind === 'classification' && result.options.length > 20 && (
                <p className="ds-muted" role="note">
                  The output column has {result.options.length} distinct values, and every phrasing lists them all: is this really a classification task?
                </p>
              )}
              <p className="ds-muted" data-testid="flan-summary">
                {plural(result.pairs.length, 'pair')} from {plural(table.rows.length, 'row')}
                {result.skipped.missingInput ? ` · ${plural(result.skipped.missingInput, 'row')} without input skipped` : ''}
                {result.skipped.missingOutput ? ` · ${plural(result.skipped.missingOutput, 'row')} without output skipped` : ''}
              </p>
              <div className="grow-actions">
                <Button variant="primary" disabled={busy || result.pairs.length === 0} onClick={() => void queueAll()} data-testid="flan-queue">
                  Add {plural(result.pairs.length, 'pair')} to the review queue
                </Button>
              </div>
            </>
          )}
        </>
      )}
    </div>
  );
}
