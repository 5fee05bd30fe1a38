/**
 * "What the model still gets wrong": the token view's tokens coloured by the loss of predicting each one under the
 * base model or a run's adapter (one forward pass in the Worker). Masked (−100) tokens are greyed; the tooltip gives
 * the loss, its probability and the model's own guess.
 */
import { useState, type KeyboardEvent } from 'react';
import type { LabeledExample } from '../../data/labels';
import type { StudioTokenizer } from '../../text/tokenizer';
import { useStudio } from '../../store';
import { HEAT_GRADIENT, heatCells, heatColor, heatSummary, type HeatCell } from './heatmap';
import { useModelAdapters, useTokenLosses } from './useTokenLosses';
import { TokenZoom, useTokenZoom } from './TokenZoom';
import './heatmap.css';

const LIMIT = 1500;
const BASE = '__base__';

function tip(tok: StudioTokenizer, id: number, t: number, c: HeatCell): string {
  const head = `#${t} “${tok.tokenText(id)}” (id ${id})`;
  if (c.state === 'masked') return `${head} · label −100: not trained, no loss`;
  if (c.state === 'first') return `${head} · the first token: nothing predicts it`;
  const p = Math.exp(-(c.loss ?? 0));
  const guess = c.predicted === null ? '' : c.predicted === id ? ' · the model’s top guess ✓' : ` · the model guessed “${tok.tokenText(c.predicted)}” (id ${c.predicted})`;
  return `${head} · loss ${c.loss!.toFixed(3)} nats (p = ${p < 0.001 ? p.toExponential(1) : p.toFixed(3)})${guess}`;
}

export function LossHeatmap({ tokenizer, labeled }: { tokenizer: StudioTokenizer; labeled: LabeledExample }) {
  const model = useStudio((s) => s.modelInfo);
  const epoch = useStudio((s) => s.modelEpoch);
  const adapters = useModelAdapters(model?.name ?? null);
  const [picked, setPicked] = useState<string | null>(null);
  const [all, setAll] = useState(false);
  const [zoom, setZoom] = useTokenZoom();
  // The token whose details the line under the chips spells out (keyboard: arrow keys; mouse: hover or click).
  const [active, setActive] = useState(0);
  // Default: the newest run of this model (what was just trained), else the base model.
  const chosen = picked ?? adapters?.[0]?.id ?? BASE;
  const adapter = chosen === BASE || !adapters?.some((a) => a.id === chosen) ? null : chosen;
  const ready = adapters !== undefined;
  const state = useTokenLosses(ready ? labeled : null, adapter, epoch);
  const n = labeled.inputIds.length;
  const shown = all ? n : Math.min(n, LIMIT);
  const cells = state.status === 'ready' ? heatCells(labeled.labels, state.losses, state.predicted) : null;
  const sum = cells ? heatSummary(cells, labeled.inputIds) : null;
  const at = Math.min(active, Math.max(0, shown - 1));
  const onKey = (e: KeyboardEvent<HTMLOListElement>) => {
    const step: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, PageDown: 20, PageUp: -20 };
    let next = e.key === 'Home' ? 0 : e.key === 'End' ? shown - 1 : step[e.key] !== undefined ? at + step[e.key] : null;
    if (next === null) return;
    e.preventDefault();
    next = Math.max(0, Math.min(shown - 1, next));
    setActive(next);
    document.getElementById(`heat-chip-${next}`)?.scrollIntoView({ block: 'nearest' });
  };

  return (
    <div className="ds-heat" style={{ ['--tok-zoom' as string]: zoom }} data-testid="loss-heatmap" data-status={state.status} data-adapter={adapter ?? 'base'}>
      <div className="ds-heat__bar">
        <label className="ds-heat__pick">
          Model{' '}
          <select className="ds-input ds-input--sm" value={adapter ?? BASE} onChange={(e) => setPicked(e.target.value)} data-testid="heatmap-model">
            <option value={BASE}>Base model{model ? ` (${model.name})` : ''}</option>
            {(adapters ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                Run: {a.name} · {new Date(a.createdAt).toLocaleString()}
              </option>
            ))}
          </select>
        </label>
        <TokenZoom value={zoom} onChange={setZoom} />
        {state.status === 'loading' && <span className="ds-muted">Computing per-token losses…</span>}
        {sum && sum.mean !== null && (
          <span className="ds-heat__sum" data-testid="heatmap-summary" data-mean={sum.mean}>
            example loss <strong>{sum.mean.toFixed(3)}</strong> nats (mean over {sum.scored} scored tokens) · max {sum.max!.toFixed(2)}
            {sum.correct !== null && ` · ${sum.correct} of ${sum.scored} predicted right`}
          </span>
        )}
      </div>
      {state.status === 'error' && <p className="ds-error" data-testid="heatmap-error">{state.message}</p>}
      {sum && (
        <div className="ds-heat__legend" aria-label="Colour scale">
          <span className="ds-heat__scale">
            <span className="ds-heat__gradient" style={{ background: HEAT_GRADIENT }} aria-hidden="true" />
            <span className="ds-heat__ticks">
              <span>0</span>
              <span>{(sum.scaleMax / 2).toFixed(1)}</span>
              <span>{sum.scaleMax} nats</span>
            </span>
          </span>
          <span className="ds-heat__key">colour = loss of predicting the token (−log p, nats): pale = expected, red = surprising</span>
          <span className="ds-heat__key">
            <span className="ds-heat__chip is-off ds-heat__swatch" aria-hidden="true" /> −100 / not scored
          </span>
        </div>
      )}
      {cells && sum && (
        <>
          <ol
            className="ds-heat__chips"
            data-testid="heatmap-chips"
            tabIndex={0}
            aria-label="Tokens coloured by loss. Arrow keys move between tokens; the line below describes the selected one."
            aria-activedescendant={`heat-chip-${at}`}
            onKeyDown={onKey}
          >
            {labeled.inputIds.slice(0, shown).map((id, t) => {
              const c = cells[t];
              const style = c.state === 'scored' ? heatColor(c.loss!, sum.scaleMax) : undefined;
              return (
                <li
                  key={t}
                  id={`heat-chip-${t}`}
                  className={`ds-heat__chip${c.state === 'scored' ? '' : ' is-off'}${t === at ? ' is-active' : ''}`}
                  style={style}
                  title={tip(tokenizer, id, t, c)}
                  onMouseEnter={() => setActive(t)}
                  onClick={() => setActive(t)}
                  data-testid="heat-chip"
                  data-state={c.state}
                  data-loss={c.loss ?? undefined}
                >
                  {tokenizer.tokenText(id)}
                </li>
              );
            })}
          </ol>
          <p className="ds-heat__detail" aria-live="polite" data-testid="heatmap-detail">
            {tip(tokenizer, labeled.inputIds[at], at, cells[at])}
          </p>
        </>
      )}
      {cells && shown < n && (
        <button type="button" className="ds-link" onClick={() => setAll(true)}>
          Show all {n.toLocaleString()} tokens
        </button>
      )}
    </div>
  );
}
