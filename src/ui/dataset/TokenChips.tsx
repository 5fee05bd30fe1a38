import { useState } from 'react';
import { IGNORE_INDEX, type LabeledExample } from '../../data/labels';
import type { StudioTokenizer } from '../../text/tokenizer';

const LIMIT = 1500;

/**
 * Token chips in three rows per token: the input piece (coloured by role), its label as Hugging Face stores it
 * (unshifted: −100 or the token's own id), and what the loss at that position is scored against after the model's
 * one-position shift (the next token's label).
 */
export function TokenChips({ tokenizer, labeled }: { tokenizer: StudioTokenizer; labeled: LabeledExample }) {
  const [all, setAll] = useState(false);
  const n = labeled.inputIds.length;
  const shown = all ? n : Math.min(n, LIMIT);
  return (
    <div className="ds-chips-wrap">
      <div className="ds-chips-legend" aria-hidden="true">
        <span className="ds-chip-role ds-chip--system">system</span>
        <span className="ds-chip-role ds-chip--user">user</span>
        <span className="ds-chip-role ds-chip--assistant">assistant</span>
        <span className="ds-chip-role ds-chip--markup">template</span>
        <span className="ds-chip-role ds-chip--text">text</span>
        <span className="ds-chip-role is-masked">masked (−100)</span>
      </div>
      <ol className="ds-chips" data-testid="token-chips">
        <li className="ds-chip ds-chip--head" aria-hidden="true">
          <span className="ds-chip__piece">token</span>
          <span className="ds-chip__label">label</span>
          <span className="ds-chip__next">loss →</span>
        </li>
        {labeled.inputIds.slice(0, shown).map((id, t) => {
          const lab = labeled.labels[t];
          const next = t + 1 < n ? labeled.labels[t + 1] : IGNORE_INDEX;
          const trained = lab !== IGNORE_INDEX;
          return (
            <li
              key={t}
              className={`ds-chip ds-chip--${labeled.roles[t]}${trained ? ' is-trained' : ' is-masked'}`}
              data-testid="token-chip"
              data-trained={trained}
              title={`#${t} · id ${id} · ${labeled.roles[t]} · label ${lab}${next !== IGNORE_INDEX ? ` · predicts “${tokenizer.tokenText(next)}” (next token)` : ''}`}
            >
              <span className="ds-chip__piece">{tokenizer.tokenText(id)}</span>
              <span className="ds-chip__label">{trained ? lab : '−100'}</span>
              <span className="ds-chip__next">{next !== IGNORE_INDEX ? tokenizer.tokenText(next) : '·'}</span>
            </li>
          );
        })}
      </ol>
      {shown < n && (
        <button type="button" className="ds-link" onClick={() => setAll(true)}>
          Show all {n.toLocaleString()} tokens
        </button>
      )}
      <p className="ds-muted ds-tokens__explain">
        Labels are stored unshifted, as in Hugging Face: a trained token’s label is its own id, masked ones are −100. The model shifts them by one, so
        the output at each position is scored against the <em>next</em> token’s label (bottom row): the last prompt token is where the first
        response token is predicted.
      </p>
    </div>
  );
}
