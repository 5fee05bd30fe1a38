import { useState } from 'react';
import type { ChatBody, PairBody, Role, TextBody, Turn } from '../../data/types';

/** A labelled, auto-growing textarea. */
export function TextField(props: { label: string; value: string; onChange: (v: string) => void; hint?: string; rows?: number; placeholder?: string; testId?: string; mono?: boolean }) {
  return (
    <label className="ds-field">
      <span className="ds-field__label">
        {props.label}
        {props.hint && <span className="ds-field__hint"> · {props.hint}</span>}
      </span>
      <textarea
        className={`ds-textarea${props.mono ? ' ds-textarea--mono' : ''}`}
        rows={props.rows ?? 2}
        value={props.value}
        placeholder={props.placeholder}
        data-testid={props.testId}
        spellCheck
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}

export function PairFields({ body, onChange, defaultSystem }: { body: PairBody; onChange: (b: PairBody) => void; defaultSystem: string }) {
  const [showSystem, setShowSystem] = useState(false);
  const systemOpen = showSystem || !!body.system;
  return (
    <div className="ds-fields">
      {systemOpen ? (
        <TextField
          label="System prompt override"
          hint={defaultSystem ? 'replaces the dataset default' : 'used instead of the dataset default'}
          value={body.system ?? ''}
          onChange={(v) => onChange({ ...body, system: v || undefined })}
          testId="field-system"
        />
      ) : (
        <button type="button" className="ds-link ds-fields__add" onClick={() => setShowSystem(true)}>
          + System prompt override{defaultSystem ? ` (default: “${defaultSystem.slice(0, 60)}${defaultSystem.length > 60 ? '…' : ''}”)` : ''}
        </button>
      )}
      <TextField label="Instruction" value={body.instruction} onChange={(v) => onChange({ ...body, instruction: v })} testId="field-instruction" placeholder="What should the model do?" />
      <TextField label="Input" hint="optional context" value={body.input} onChange={(v) => onChange({ ...body, input: v })} testId="field-input" placeholder="Text the instruction refers to (optional)" />
      <TextField label="Response" hint="trained" value={body.output} onChange={(v) => onChange({ ...body, output: v })} testId="field-output" rows={3} placeholder="The answer you want the model to give" />
    </div>
  );
}

export function TextFields({ body, onChange }: { body: TextBody; onChange: (b: TextBody) => void }) {
  return (
    <div className="ds-fields">
      <TextField label="Text" hint="every token is trained" value={body.text} rows={10} onChange={(text) => onChange({ ...body, text })} testId="field-text" />
    </div>
  );
}

const ROLES: Role[] = ['system', 'user', 'assistant'];

/** The promise of the "train" box (src/data/labels.ts keeps it: a weight-0 reply is masked in every mode). */
export const TRAIN_TURN_TOOLTIP =
  'Unticked: context only (weight 0). This reply and its end-of-turn token are never trained, in any mode — in “full sequence” too, where everything else is.';

/** An assistant turn's reasoning (Turn.reasoning): a button until there is some, then a textarea ('' = none). */
function ReasoningField({ turn, value, onChange }: { turn: number; value: string | undefined; onChange: (v: string | undefined) => void }) {
  const [open, setOpen] = useState(value !== undefined);
  if (!open && value === undefined)
    return (
      <button type="button" className="btn btn--ghost btn--sm ds-turn__reasoning-add" onClick={() => setOpen(true)} title={REASONING_TOOLTIP}>
        + reasoning
      </button>
    );
  return (
    <textarea
      className="ds-textarea ds-textarea--reasoning"
      rows={2}
      aria-label={`Turn ${turn} reasoning`}
      title={REASONING_TOOLTIP}
      placeholder="Reasoning (thinking) before the reply, without <think> tags"
      value={value ?? ''}
      onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
    />
  );
}

const REASONING_TOOLTIP =
  "Reasoning before the reply (exported as reasoning_content). Chat templates that render it (Qwen3: the reply after the last user message) show it as a <think> block, trained with the reply; others leave it out.";

export function ChatFields({ body, onChange }: { body: ChatBody; onChange: (b: ChatBody) => void }) {
  const set = (messages: Turn[]) => onChange({ ...body, messages });
  const update = (i: number, t: Turn) => set(body.messages.map((m, k) => (k === i ? t : m)));
  const move = (i: number, d: -1 | 1) => {
    const m = body.messages.slice();
    [m[i], m[i + d]] = [m[i + d], m[i]];
    set(m);
  };
  const last = body.messages.at(-1)?.role;
  return (
    <div className="ds-fields">
      <ol className="ds-turns">
        {body.messages.map((m, i) => (
          <li key={i} className={`ds-turn ds-turn--${m.role}${m.role === 'assistant' && m.weight === 0 ? ' is-context' : ''}`} data-testid="chat-turn">
            <div className="ds-turn__head">
              <select className="ds-input ds-input--sm" aria-label={`Turn ${i + 1} role`} value={m.role} onChange={(e) => update(i, { role: e.target.value as Role, content: m.content })}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>{r}</option>
                ))}
              </select>
              {m.role === 'assistant' && (
                <label className="ds-check" title={TRAIN_TURN_TOOLTIP}>
                  <input type="checkbox" checked={m.weight !== 0} onChange={(e) => update(i, { ...m, weight: e.target.checked ? 1 : 0 })} aria-label={`Train on turn ${i + 1}`} />
                  train
                </label>
              )}
              <span className="ds-spacer" />
              <button type="button" className="ds-icon-btn" aria-label={`Move turn ${i + 1} up`} disabled={i === 0} onClick={() => move(i, -1)}>↑</button>
              <button type="button" className="ds-icon-btn" aria-label={`Move turn ${i + 1} down`} disabled={i === body.messages.length - 1} onClick={() => move(i, 1)}>↓</button>
              <button type="button" className="ds-icon-btn" aria-label={`Remove turn ${i + 1}`} onClick={() => set(body.messages.filter((_, k) => k !== i))}>×</button>
            </div>
            {m.role === 'assistant' && (
              <ReasoningField
                turn={i + 1}
                value={m.reasoning}
                onChange={(reasoning) => {
                  const { reasoning: _old, ...rest } = m;
                  update(i, reasoning === undefined ? rest : { ...rest, reasoning });
                }}
              />
            )}
            <textarea
              className="ds-textarea"
              rows={2}
              aria-label={`Turn ${i + 1} content`}
              value={m.content}
              onChange={(e) => update(i, { ...m, content: e.target.value })}
            />
          </li>
        ))}
      </ol>
      <div className="ds-turns__add">
        <button type="button" className="btn btn--secondary btn--sm" onClick={() => set([...body.messages, { role: last === 'user' ? 'assistant' : 'user', content: '' }])}>
          + Add {last === 'user' ? 'assistant' : 'user'} turn
        </button>
      </div>
    </div>
  );
}
