import { useState, type CSSProperties } from 'react';
import { IGNORE_INDEX, type LabeledExample } from '../../data/labels';
import type { StudioTokenizer } from '../../text/tokenizer';
import { plural } from '../shell/plural';
import { TokenZoom, useTokenZoom } from './TokenZoom';

const LIMIT = 1500;
const ROLE_TEXT: Record<string, string> = { system: 'system', user: 'user', assistant: 'assistant', markup: 'template', text: 'text' };
export const LABEL_HELP =
  'The label stored for this token, unshifted as in Hugging Face: its own id when it is trained; −100 (PyTorch’s ignore_index) when it is masked, so no loss is computed for it.';
export const NEXT_HELP =
  'What the model’s output at this position is scored against: labels shift by one, so each position predicts the NEXT token. “·” means no loss here (the next token is masked or there is none).';

/**
 * Token chips in three rows per token: the input piece (coloured by role, and named in text where a role begins), its
 * label as Hugging Face stores it (unshifted: −100 or the token's own id), and what the loss at that position is
 * scored against after the model's one-position shift (the next token's label). No inner scroll box: every row shows
 * whole, at the zoom the reader picks.
 */
export function TokenChips({ tokenizer, labeled }: { tokenizer: StudioTokenizer; labeled: LabeledExample }) {
  const [all, setAll] = useState(false);
  const [zoom, setZoom] = useTokenZoom();
  const n = labeled.inputIds.length;
  const shown = all ? n : Math.min(n, LIMIT);
  const typed = new Set(labeled.specialInText ?? []);
  return (
    <div className="ds-chips-wrap" style={{ '--tok-zoom': zoom } as CSSProperties}>
      <div className="ds-chips-bar">
        <div className="ds-chips-legend" aria-label="Legend">
          <span className="ds-chip-role ds-chip--system">system</span>
          <span className="ds-chip-role ds-chip--user">user</span>
          <span className="ds-chip-role ds-chip--assistant">assistant</span>
          <span className="ds-chip-role ds-chip--markup">template</span>
          <span className="ds-chip-role ds-chip--text">text</span>
          <span className="ds-chip-role is-trained" title={LABEL_HELP}>trained: label = id (solid)</span>
          <span className="ds-chip-role is-masked" title={LABEL_HELP}>masked: −100 (dashed, faded)</span>
          {typed.size > 0 && <span className="ds-chip-role is-typed-special">special token typed in the text</span>}
        </div>
        <TokenZoom value={zoom} onChange={setZoom} />
      </div>
      <ol className="ds-chips" data-testid="token-chips" aria-label={`${plural(n, 'token')} with their labels`}>
        <li className="ds-chip ds-chip--head">
          <span className="ds-chip__piece">token</span>
          <span className="ds-chip__label" title={LABEL_HELP}>label</span>
          <span className="ds-chip__next" title={NEXT_HELP}>loss →</span>
        </li>
        {labeled.inputIds.slice(0, shown).map((id, t) => {
          const lab = labeled.labels[t];
          const next = t + 1 < n ? labeled.labels[t + 1] : IGNORE_INDEX;
          const trained = lab !== IGNORE_INDEX;
          const role = labeled.roles[t];
          const starts = t === 0 || labeled.roles[t - 1] !== role;
          return (
            <li
              key={t}
              className={`ds-chip ds-chip--${role}${trained ? ' is-trained' : ' is-masked'}${typed.has(t) ? ' is-typed-special' : ''}${starts ? ' is-role-start' : ''}`}
              data-testid="token-chip"
              data-trained={trained}
              data-typed-special={typed.has(t) || undefined}
              data-role-start={starts ? ROLE_TEXT[role] ?? role : undefined}
              title={`#${t} · id ${id} · ${ROLE_TEXT[role] ?? role} · ${trained ? `trained: label ${lab} (its own id)` : 'masked: label −100, no loss on it'}${next !== IGNORE_INDEX ? ` · this position is scored on predicting “${tokenizer.tokenText(next)}”, the next token (labels shift by one)` : ' · no loss at this position (the next token is masked)'}${typed.has(t) ? ' · typed in the message text' : ''}`}
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
          Show all {plural(n, 'token')}
        </button>
      )}
      <p className="ds-muted ds-tokens__explain">
        Labels are stored unshifted, as in Hugging Face: a trained token’s label is its own id, masked ones are −100 (ignored by the loss). The model
        shifts them by one, so the output at each position is scored against the <em>next</em> token’s label (bottom row): the last prompt token is
        where the first response token is predicted. Where a role begins, its name is written above the chip.
      </p>
    </div>
  );
}
