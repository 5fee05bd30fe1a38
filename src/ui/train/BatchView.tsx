/**
 * A real training batch: the [B, T] input_ids, attention_mask and labels of a micro-batch exactly as the trainer gets
 * it with the current settings (train/batchGrid.ts: the same plan, shuffle and collate), padding and −100 visible.
 * Built only while open.
 */
import { useMemo, useState } from 'react';
import type { Example } from '../../data/types';
import { IGNORE_INDEX } from '../../data/labels';
import type { StudioTokenizer } from '../../text/tokenizer';
import type { RunConfig } from '../../train/run';
import { trainingBatchGrid, type BatchGrid } from '../../train/batchGrid';
import { Button } from '../components/Button';
import { Card } from '../components/Card';
import { PREVIEW_LIMIT } from './planPreview';

const COLS = 128;

type GridKind = 'input_ids' | 'attention_mask' | 'labels';

function cell(g: BatchGrid, kind: GridKind, i: number, tok: StudioTokenizer, t: number, pieces: boolean): { text: string; cls: string; title: string } {
  const pad = g.attentionMask[i] === 0;
  const seg = g.segments && g.segments[i] >= 0 ? ` batch__cell--seg${g.segments[i] % 4}` : '';
  const where = `position ${t}${pad ? ' · padding' : ''}${g.segments ? ` · example ${g.segments[i]} of the row` : ''}`;
  if (kind === 'attention_mask') return { text: String(g.attentionMask[i]), cls: pad ? 'batch__cell--pad' : `batch__cell--mask1${seg}`, title: where };
  if (kind === 'labels') {
    const l = g.labels[i];
    return l === IGNORE_INDEX
      ? { text: '−100', cls: pad ? 'batch__cell--pad' : `batch__cell--ignored${seg}`, title: `${where} · −100: no loss` }
      : { text: pieces ? tok.tokenText(l) : String(l), cls: `batch__cell--label${seg}`, title: `${where} · label ${l} “${tok.tokenText(l)}”` };
  }
  const id = g.inputIds[i];
  return { text: pieces && !pad ? tok.tokenText(id) : String(id), cls: pad ? 'batch__cell--pad' : seg.trim(), title: `${where} · id ${id} “${tok.tokenText(id)}”${pad ? ' (pad id)' : ''}` };
}

function Grid({ g, kind, tok, cols, pieces }: { g: BatchGrid; kind: GridKind; tok: StudioTokenizer; cols: number; pieces: boolean }) {
  return (
    <div className="batch__grid" data-testid={`batch-${kind}`}>
      <h5>
        {kind} <span className="muted">[{g.B}, {g.T}]</span>
      </h5>
      <table className="batch__table">
        <tbody>
          {Array.from({ length: g.B }, (_, b) => (
            <tr key={b}>
              <th scope="row">{b}</th>
              {Array.from({ length: cols }, (_, t) => {
                const c = cell(g, kind, b * g.T + t, tok, t, pieces);
                return (
                  <td key={t} className={c.cls} title={c.title} data-pad={g.attentionMask[b * g.T + t] === 0 || undefined}>
                    {c.text}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Batch({ tokenizer, examples, run }: { tokenizer: StudioTokenizer; examples: Example[]; run: RunConfig }) {
  const [index, setIndex] = useState(0);
  const [all, setAll] = useState(false);
  const [pieces, setPieces] = useState(false);
  // `key` stands for `run`: the form builds a new RunConfig object on every render.
  const key = JSON.stringify({ ...run, lora: null });
  const result = useMemo(() => {
    try {
      return trainingBatchGrid(tokenizer, examples.map((e) => ({ body: e.body, split: e.split })), run, index);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tokenizer, examples, key, index]);
  if (typeof result === 'string') return <p className="fld__hint fld__hint--bad">{result}</p>;
  const g = result;
  const cols = all ? g.T : Math.min(g.T, COLS);
  return (
    <div className="batch" data-testid="batch-view" data-b={g.B} data-t={g.T} data-padding={g.counts.padding}>
      <div className="batch__bar">
        <span>
          Micro-batch <strong>{g.index + 1}</strong> of {g.of} (epoch 1) · {g.B} row{g.B === 1 ? '' : 's'} × {g.T} positions · {g.counts.tokens} tokens, {g.counts.padding} padding,{' '}
          {g.counts.labelled} labelled{run.pack ? ' · packed' : ''}
        </span>
        <label className="chk">
          <input type="checkbox" checked={pieces} onChange={(e) => setPieces(e.target.checked)} data-testid="batch-pieces" /> token text
        </label>
        <Button size="sm" variant="ghost" disabled={g.index === 0} onClick={() => setIndex(g.index - 1)}>
          Previous
        </Button>
        <Button size="sm" variant="ghost" disabled={g.index + 1 >= g.of} onClick={() => setIndex(g.index + 1)} data-testid="batch-next">
          Next
        </Button>
      </div>
      <div className="batch__legend">
        <span className="batch__key"><span className="batch__swatch batch__cell--pad" /> padding (pad id {g.padId}, mask 0, label −100)</span>
        <span className="batch__key"><span className="batch__swatch batch__cell--label" /> label = the token’s own id (trained)</span>
        <span className="batch__key"><span className="batch__swatch batch__cell--ignored" /> −100: no loss</span>
        {g.segments && <span className="batch__key">underline colour: which example of a packed row</span>}
      </div>
      <div className="batch__grids">
        {(['input_ids', 'attention_mask', 'labels'] as const).map((k) => (
          <Grid key={k} g={g} kind={k} tok={tokenizer} cols={cols} pieces={pieces} />
        ))}
      </div>
      {cols < g.T && (
        <button type="button" className="ds-link" onClick={() => setAll(true)}>
          Show all {g.T} positions (first {cols} shown)
        </button>
      )}
      <p className="muted fld__hint">
        Labels are unshifted (Hugging Face): the model scores position t against the label at t + 1. Every micro-batch is padded to the max length.
      </p>
    </div>
  );
}

/** The Train page's batch card: opens on demand (labelling the dataset once) for datasets the plan preview covers. */
export function BatchView({ tokenizer, examples, run }: { tokenizer: StudioTokenizer | null; examples: Example[] | undefined; run: RunConfig | null }) {
  const [open, setOpen] = useState(false);
  const usable = !!tokenizer && !!run && !!examples && examples.length > 0 && examples.length <= PREVIEW_LIMIT;
  return (
    <Card title="Training batch" testId="batch-card" aside={<Button size="sm" variant="ghost" disabled={!usable} onClick={() => setOpen(!open)} data-testid="batch-toggle">{open ? 'Hide' : 'Show a batch'}</Button>}>
      {!usable ? (
        <p className="muted">{examples && examples.length > PREVIEW_LIMIT ? `Shown for datasets up to ${PREVIEW_LIMIT} examples.` : 'Load a model and choose a dataset to see the batches the trainer builds.'}</p>
      ) : open ? (
        <Batch tokenizer={tokenizer} examples={examples} run={run} />
      ) : (
        <p className="muted">The [B, T] input_ids, attention_mask and labels of a real micro-batch for these settings (batch size, max length, packing), padding and −100 included.</p>
      )}
    </Card>
  );
}
