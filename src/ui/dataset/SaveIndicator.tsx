import { useStudio } from '../../store';

/** Saved / saving / unsaved / failed, next to the editor title. */
export function SaveIndicator() {
  const state = useStudio((s) => s.saveState);
  const error = useStudio((s) => s.saveError);
  const flush = useStudio((s) => s.flushDraft);
  const editDraft = useStudio((s) => s.editDraft);
  const text = { idle: 'Saved', saved: 'Saved', dirty: 'Unsaved changes', saving: 'Saving…', error: 'Not saved' }[state];
  return (
    <span className={`ds-save ds-save--${state}`} data-testid="save-state" role="status" title={error ?? undefined}>
      <span className="ds-save__dot" aria-hidden="true" />
      {text}
      {state === 'error' && (
        <button
          type="button"
          className="ds-link"
          onClick={() => {
            editDraft({});
            void flush();
          }}
        >
          Retry
        </button>
      )}
    </span>
  );
}
