import type { GenerationResult } from './generate';
import { plural } from '../shell/plural';

export interface PaneState {
  text: string;
  tokens: number;
  busy: boolean;
  result: GenerationResult | null;
  error: string | null;
}

export const EMPTY_PANE: PaneState = { text: '', tokens: 0, busy: false, result: null, error: null };

const REASONS: Record<GenerationResult['reason'], string> = {
  eos: 'ended with the end-of-text token',
  'stop-string': 'hit a stop string',
  'max-tokens': 'reached max tokens',
  stopped: 'stopped',
};

/** Leading blank lines (a template's newline after the assistant header) would push one pane's text below the other's. */
export const shown = (text: string): string => text.replace(/^(?:[ \t]*\r?\n)+/, '');

/** One model's answer, streamed token by token (rendered as text, never HTML). */
export function OutputPane({ title, pane, testId }: { title: string; pane: PaneState; testId: string }) {
  const r = pane.result;
  return (
    <section className="pg-pane" data-testid={testId} data-busy={pane.busy} data-done={!!r}>
      <header className="pg-pane__head">
        <h4>{title}</h4>
        {pane.busy && <span className="badge badge--neutral">generating…</span>}
      </header>
      <pre className="pg-pane__text" data-testid={`${testId}-text`}>
        {shown(pane.text) || (pane.busy ? '' : <span className="muted">The answer appears here.</span>)}
        {pane.busy && <span className="pg-caret" aria-hidden="true" />}
      </pre>
      {pane.error && <p className="fld__error">{pane.error}</p>}
      {r && (
        <p className="fld__hint" data-testid={`${testId}-stats`} data-tokens={r.tokens} data-reason={r.reason}>
          {plural(r.tokens, 'token')} after a {r.promptTokens}-token prompt · {(r.tokens / Math.max(r.seconds, 1e-3)).toFixed(1)} tokens/s · {REASONS[r.reason]}
        </p>
      )}
      {r?.promptText !== undefined && (
        <details className="details pg-sent" data-testid={`${testId}-sent`}>
          <summary>Prompt sent ({plural(r.promptTokens, 'token')}, after the template)</summary>
          <pre className="pg-pane__text pg-sent__text" data-testid={`${testId}-sent-text`}>{r.promptText}</pre>
        </details>
      )}
    </section>
  );
}
