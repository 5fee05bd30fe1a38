/**
 * The per-token loss of the reference answer under one model: the example with its reference as the answer, labelled
 * so that only the answer (and the end of the turn) is scored, one forward pass in the Worker ('tokenLosses', the
 * hook the Dataset page's loss heatmap uses), coloured with that heatmap's scale.
 */
import { useMemo } from 'react';
import { buildLabels, type LabeledExample } from '../../data/labels';
import type { ExampleBody } from '../../data/types';
import type { EvalRow } from '../../db/evals';
import type { StudioTokenizer } from '../../text/tokenizer';
import { useStudio } from '../../store';
import { heatCells, heatColor, heatSummary } from '../dataset/heatmap';
import { useTokenLosses } from '../dataset/useTokenLosses';
import '../dataset/heatmap.css';

/** The example the row came from, answered by its reference (null without one). */
export function referenceBody(row: EvalRow): ExampleBody | null {
  if (row.reference == null) return null;
  if (row.messages.length === 0) return { kind: 'text', text: row.prompt + row.reference };
  return { kind: 'chat', messages: [...row.messages, { role: 'assistant', content: row.reference }] };
}

function labelReference(tokenizer: StudioTokenizer, body: ExampleBody, template: string | undefined): LabeledExample {
  return buildLabels(tokenizer, body, { mode: body.kind === 'text' ? 'full' : 'last-turn', trainEos: true, template });
}

export function RefLoss({ row, adapter, template, label }: { row: EvalRow; adapter: string | null; template: string | undefined; label: string }) {
  const tokenizer = useStudio((s) => s.tokenizer);
  const epoch = useStudio((s) => s.modelEpoch);
  const labeled = useMemo(() => {
    const body = referenceBody(row);
    if (!tokenizer || !body) return null;
    try {
      return labelReference(tokenizer, body, template);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }, [tokenizer, row, template]);
  const state = useTokenLosses(typeof labeled === 'object' ? labeled : null, adapter, epoch);
  if (typeof labeled === 'string') return <p className="fld__hint fld__hint--bad">{labeled}</p>;
  if (!labeled) return <p className="fld__hint">{tokenizer ? 'No reference answer to score.' : 'Load the model to see per-token losses.'}</p>;
  const cells = state.status === 'ready' ? heatCells(labeled.labels, state.losses, state.predicted) : null;
  const sum = cells ? heatSummary(cells, labeled.inputIds) : null;
  const first = labeled.labels.findIndex((l) => l !== -100);
  const from = Math.max(0, first - 1); // show the answer's tokens (and the one before, which predicts the first)
  return (
    <div className="ev-refloss" data-testid="eval-refloss" data-status={state.status} data-mean={sum?.mean ?? ''}>
      <p className="ev-refloss__head">
        <strong>{label}</strong>{' '}
        {state.status === 'loading' && <span className="muted">computing…</span>}
        {state.status === 'error' && <span className="fld__hint--bad">{state.message}</span>}
        {sum?.mean != null && (
          <span className="muted">
            mean loss {sum.mean.toFixed(3)} nats over {sum.scored} tokens{sum.correct !== null && ` · ${sum.correct} predicted right`}
          </span>
        )}
      </p>
      {cells && sum && (
        <ol className="ds-heat__chips" aria-label={`Reference tokens coloured by their loss under ${label}`}>
          {labeled.inputIds.slice(from).map((id, k) => {
            const t = from + k;
            const c = cells[t];
            return (
              <li
                key={t}
                className={`ds-heat__chip${c.state === 'scored' ? '' : ' is-off'}`}
                style={c.state === 'scored' ? heatColor(c.loss!, sum.scaleMax) : undefined}
                title={c.state === 'scored' ? `loss ${c.loss!.toFixed(3)} nats (p = ${Math.exp(-c.loss!).toFixed(3)})` : 'not scored'}
              >
                {tokenizer!.tokenText(id)}
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}
