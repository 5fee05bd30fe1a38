import { useState } from 'react';
import { isBaseKey, type EvalResult, type EvalRow, type Rating } from '../../db/evals';
import { formatMetric } from '../../eval/metrics';
import { Card } from '../components/Card';
import { shown } from '../playground/OutputPane';
import { RatingInput } from './RatingInput';
import { RefLoss } from './RefLoss';
import { Rubric } from './Rubric';
import { ratingMaps } from './evalData';

const LIST_LIMIT = 300;
const REASONS: Record<string, string> = { eos: 'ended its turn', 'stop-string': 'hit a stop string', 'max-tokens': 'reached max tokens', stopped: 'stopped' };

const snippet = (s: string, n = 90) => {
  const t = shown(s).replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n)}…` : t;
};

function Mark({ row }: { row: EvalRow | undefined }) {
  if (!row) return <span className="muted">—</span>;
  const ok = row.scores.exact === 1;
  return (
    <span className={ok ? 'ev-ok' : undefined}>
      {row.scores.exact == null ? '' : ok ? '✓ ' : '✗ '}
      {snippet(row.output, 60) || <span className="muted">(nothing)</span>}
    </span>
  );
}

interface Props {
  results: EvalResult[];
  ratings: Rating[] | undefined;
  /** Run ids whose adapters can score tokens now (trained on the loaded model, adapter stored). */
  usableRuns: ReadonlySet<string>;
}

/** Every evaluated example, each model's answer in short; one opens: full answers side by side, ratings and token losses. */
export function ExamplesCard({ results, ratings, usableRuns }: Props) {
  const [open, setOpen] = useState<string | null>(null);
  const byModel = results.map((r) => new Map(r.rows.map((row) => [row.exampleId, row])));
  const ids = [...new Set(results.flatMap((r) => r.rows.map((row) => row.exampleId)))];
  const first = (id: string) => byModel.map((m) => m.get(id)).find(Boolean)!;
  const { human, judge } = ratingMaps(ratings);
  const openRow = open ? first(open) : null;

  return (
    <Card title="Examples" testId="eval-examples" aside={<span>Open one to compare the answers, rate them and see the reference's per-token loss</span>}>
      <div className="ev-scroll">
        <table className="table ev-table ev-examples">
          <thead>
            <tr>
              <th scope="col">Prompt</th>
              <th scope="col">Reference</th>
              {results.map((r) => (
                <th scope="col" key={r.id}>
                  {r.modelLabel}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {ids.slice(0, LIST_LIMIT).map((id) => {
              const row = first(id);
              return (
                <tr key={id} className={open === id ? 'is-open' : undefined} data-testid="eval-example-row" data-example-id={id}>
                  <th scope="row">
                    <button type="button" className="ev-link" aria-expanded={open === id} onClick={() => setOpen(open === id ? null : id)} data-testid="eval-example-open">
                      {snippet(row.prompt) || '(empty prompt)'}
                    </button>
                  </th>
                  <td>{row.reference == null ? <span className="muted">none</span> : snippet(row.reference, 60)}</td>
                  {byModel.map((m, i) => (
                    <td key={results[i].id}>
                      <Mark row={m.get(id)} />
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {ids.length > LIST_LIMIT && <p className="fld__hint">The first {LIST_LIMIT} of {ids.length} examples are listed; the downloads have them all.</p>}
      {openRow && (
        <section className="ev-detail" data-testid="eval-detail" aria-label="The chosen example">
          <div className="ev-detail__io">
            <div>
              <h4>Prompt</h4>
              <pre className="ev-pre">{openRow.messages.length ? openRow.messages.map((m) => `${m.role}: ${m.content}`).join('\n\n') : openRow.prompt}</pre>
            </div>
            <div>
              <h4>Reference answer</h4>
              <pre className="ev-pre" data-testid="eval-detail-reference">
                {openRow.reference ?? <span className="muted">This example has no reference answer: metrics are n/a, ratings still work.</span>}
              </pre>
            </div>
          </div>
          <Rubric />
          <div className="ev-panes">
            {results.map((res, i) => {
              const row = byModel[i].get(open!);
              const j = judge.get(`${res.id}|${open}`);
              return (
                <section className="ev-pane" key={res.id} data-testid="eval-detail-output" data-model={res.modelKey}>
                  <h4>{res.modelLabel}</h4>
                  {row ? (
                    <>
                      <pre className="ev-pre" data-testid="eval-detail-text">
                        {shown(row.output) || <span className="muted">(nothing)</span>}
                      </pre>
                      <p className="fld__hint">
                        {REASONS[row.reason] ?? row.reason} · exact {formatMetric(row.scores.exact, 0)} · ROUGE-L {formatMetric(row.scores.rougeL)} · token F1 {formatMetric(row.scores.tokenF1)}
                      </p>
                      <RatingInput resultId={res.id} modelKey={res.modelKey} exampleId={open!} rating={human.get(`${res.id}|${open}`)} label={res.modelLabel} />
                      {j && (
                        <p className="fld__hint" data-testid="eval-judge-score">
                          LLM judge: {j.score ?? <span className="fld__hint--bad">{j.error}</span>}
                          {j.note && ` — ${j.note}`}
                        </p>
                      )}
                    </>
                  ) : (
                    <p className="muted">Not answered (the evaluation was cancelled before it).</p>
                  )}
                </section>
              );
            })}
          </div>
          <h4>Per-token loss of the reference answer</h4>
          <p className="fld__hint">How surprised each model is by the reference, token by token (pale = expected, red = surprising). Lower is better.</p>
          <div className="ev-panes">
            {results.map((res) => {
              const adapter = isBaseKey(res.modelKey) ? null : res.modelKey;
              return adapter && !usableRuns.has(adapter) ? (
                <p key={res.id} className="fld__hint">
                  {res.modelLabel}: its adapter is not available with the loaded model.
                </p>
              ) : (
                <RefLoss key={res.id} row={openRow} adapter={adapter} template={res.settings.template} label={res.modelLabel} />
              );
            })}
          </div>
        </section>
      )}
    </Card>
  );
}
