/** The validation samples of a run: each fixed prompt with what the model answered at each sampled step, newest first. */
import { useState } from 'react';
import type { SampleSet } from '../../db/runs';

const SHOWN = 4;

function PromptSamples({ label, index, points }: { label: string; index: number; points: SampleSet['points'] }) {
  const [all, setAll] = useState(false);
  const newest = [...points].sort((a, b) => b.step - a.step);
  const shown = all ? newest : newest.slice(0, SHOWN);
  return (
    <li className="samples__prompt" data-testid="sample-prompt">
      <p className="samples__label" title={label}>
        <span className="muted">Prompt {index + 1}:</span> {label}
      </p>
      {shown.length === 0 ? (
        <p className="muted samples__none">Sampled at the first sampling step.</p>
      ) : (
        <ol className="samples__list">
          {shown.map((p) => {
            const o = p.outputs[index];
            return (
              <li key={p.step} className="samples__row" data-testid="sample" data-step={p.step}>
                <span className="samples__step">step {p.step}</span>
                <span className={`samples__text${o?.reason === 'error' ? ' fld__hint--bad' : ''}`}>{o ? o.text || '(nothing: the model ended its turn at once)' : '—'}</span>
                {o && o.reason !== 'error' && <span className="samples__why muted">{o.reason === 'eos' ? 'ended' : o.reason === 'max-tokens' ? `${o.tokens} tokens (limit)` : o.reason}</span>}
              </li>
            );
          })}
        </ol>
      )}
      {newest.length > SHOWN && (
        <button type="button" className="ds-link" onClick={() => setAll(!all)}>
          {all ? 'Show the latest only' : `Show all ${newest.length} samples`}
        </button>
      )}
    </li>
  );
}

export function SamplesPanel({ runs }: { runs: { id: string; label: string; color: string; every: number; samples: SampleSet }[] }) {
  if (runs.length === 0) return null;
  return (
    <section className="samples" data-testid="samples" aria-label="Validation samples">
      {runs.map((r) => (
        <div key={r.id} className="samples__run" data-run-id={r.id}>
          <h4 className="samples__title">
            <span className="chart__swatch" style={{ background: r.color }} aria-hidden="true" /> Validation samples{runs.length > 1 ? ` · ${r.label}` : ''}
            <span className="muted samples__meta">greedy, up to 32 tokens, every {r.every === 1 ? 'step' : `${r.every} steps`} and at the end</span>
          </h4>
          <ol className="samples__prompts">
            {r.samples.labels.map((label, i) => (
              <PromptSamples key={i} label={label} index={i} points={r.samples.points} />
            ))}
          </ol>
        </div>
      ))}
    </section>
  );
}
