import { useEffect } from 'react';
import type { Example, ExampleBody, Split } from '../../data/types';
import type { DuplicateGroup } from '../../db';
import { useStudio } from '../../store';
import { Button } from '../components/Button';
import { convertBody } from './convert';
import { ChatFields, PairFields, TextField, TextFields } from './Fields';
import { SaveIndicator } from './SaveIndicator';
import { TagInput } from './TagInput';
import { TokenView } from './TokenView';

export interface ExampleEditorProps {
  /** The stored row (live: changes from other tabs arrive here). */
  example: Example;
  position: number;
  total: number;
  systemPrompt: string;
  knownTags: string[];
  /** Kinds present in the dataset (decides the recommended mask mode). */
  kinds: ReadonlySet<ExampleBody['kind']>;
  duplicate?: { group: DuplicateGroup; others: { id: string; position: number }[] };
  onOpen: (id: string) => void;
  onDuplicate: () => void;
  onDelete: () => void;
  onMove: (delta: -1 | 1) => void;
}

/** The editing pane: fields for the example's kind, tags, split and notes, autosaved. */
export function ExampleEditor(p: ExampleEditorProps) {
  const draft = useStudio((s) => s.draft);
  const saveState = useStudio((s) => s.saveState);
  const saveError = useStudio((s) => s.saveError);
  const editDraft = useStudio((s) => s.editDraft);
  const loadDraft = useStudio((s) => s.loadDraft);

  // A change saved by another tab (or restored by undo elsewhere) replaces a draft that has no local edits.
  useEffect(() => {
    if (draft && draft.id === p.example.id && p.example.updatedAt > draft.base.updatedAt && saveState !== 'dirty' && saveState !== 'saving') loadDraft(p.example);
  }, [p.example, draft, saveState, loadDraft]);

  if (!draft || draft.id !== p.example.id) return <div className="ds-editor ds-editor--empty" />;
  const body = draft.body;
  const setBody = (b: ExampleBody) => editDraft({ body: b });

  return (
    <section className="ds-editor" aria-label="Example editor" data-testid="editor">
      <header className="ds-editor__head">
        <h3 className="ds-editor__title">
          Example {p.position + 1} <span className="ds-muted">of {p.total.toLocaleString()}</span>
        </h3>
        <select className="ds-input ds-input--sm" aria-label="Kind" data-testid="kind-select" value={body.kind} onChange={(e) => setBody(convertBody(body, e.target.value as ExampleBody['kind']))}>
          <option value="pair">Instruction pair</option>
          <option value="chat">Chat</option>
          <option value="text">Text document</option>
        </select>
        <SaveIndicator />
        <div className="ds-editor__actions">
          <button type="button" className="ds-icon-btn" aria-label="Move up" title="Move up (Alt+Shift+↑)" onClick={() => p.onMove(-1)} disabled={p.position === 0}>↑</button>
          <button type="button" className="ds-icon-btn" aria-label="Move down" title="Move down (Alt+Shift+↓)" onClick={() => p.onMove(1)} disabled={p.position === p.total - 1}>↓</button>
          <Button size="sm" onClick={p.onDuplicate} data-testid="duplicate-example">Duplicate</Button>
          <Button size="sm" variant="danger" onClick={p.onDelete} data-testid="delete-example">Delete</Button>
        </div>
      </header>
      {saveState === 'error' && saveError && (
        <p className="ds-error" role="alert">
          {saveError} Your text is still here in the editor.
        </p>
      )}
      {p.duplicate && (
        <div className="ds-notice" data-testid="dup-notice">
          {p.duplicate.group.kind === 'exact' ? 'Exact duplicate' : `Near duplicate (${Math.round(p.duplicate.group.similarity * 100)}% similar)`} of{' '}
          {p.duplicate.others.slice(0, 5).map((o, i) => (
            <span key={o.id}>
              {i > 0 && ', '}
              <button type="button" className="ds-link" onClick={() => p.onOpen(o.id)}>example {o.position + 1}</button>
            </span>
          ))}
          {p.duplicate.others.length > 5 && ` and ${p.duplicate.others.length - 5} more`}. Duplicates weigh their content more in training.
        </div>
      )}
      <div className="ds-editor__body">
        {body.kind === 'pair' && <PairFields body={body} onChange={setBody} defaultSystem={p.systemPrompt} />}
        {body.kind === 'chat' && <ChatFields body={body} onChange={setBody} />}
        {body.kind === 'text' && <TextFields body={body} onChange={setBody} />}
        <div className="ds-editor__meta">
          <TagInput tags={draft.tags} known={p.knownTags} onChange={(tags) => editDraft({ tags })} />
          <label className="ds-field ds-field--inline">
            <span className="ds-field__label">Split</span>
            <select className="ds-input ds-input--sm" data-testid="split-select" value={draft.split} onChange={(e) => editDraft({ split: e.target.value as Split })}>
              <option value="train">Train</option>
              <option value="validation">Validation</option>
            </select>
          </label>
        </div>
        <TextField label="Notes" hint="not trained" value={draft.notes} onChange={(notes) => editDraft({ notes })} testId="field-notes" rows={1} placeholder="Why this example exists, what to check…" />
        <TokenView example={body} systemPrompt={p.systemPrompt} kinds={p.kinds} />
      </div>
    </section>
  );
}
