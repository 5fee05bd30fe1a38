import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Button } from '../components/Button';

/** A modal built on <dialog>: focus is trapped by the browser, Escape closes it. */
export function Dialog({ title, onClose, children, wide, testId }: { title: string; onClose: () => void; children: ReactNode; wide?: boolean; testId?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className={`ds-dialog${wide ? ' ds-dialog--wide' : ''}`}
      aria-labelledby="ds-dialog-title"
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h3 id="ds-dialog-title" className="ds-dialog__title">{title}</h3>
      {children}
    </dialog>
  );
}

/** Asks for one line of text (new name, rename). Errors from onSubmit are shown under the field. */
export function PromptDialog(props: { title: string; label: string; initial: string; submitLabel: string; onSubmit: (value: string) => Promise<void>; onClose: () => void }) {
  const [value, setValue] = useState(props.initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={props.title} onClose={props.onClose} testId="prompt-dialog">
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          try {
            await props.onSubmit(value);
            props.onClose();
          } catch (err) {
            setError(err instanceof Error ? err.message : String(err));
            setBusy(false);
          }
        }}
      >
        <label className="ds-field">
          <span className="ds-field__label">{props.label}</span>
          <input className="ds-input" autoFocus value={value} onChange={(e) => setValue(e.target.value)} aria-invalid={!!error} />
        </label>
        {error && <p className="ds-error" role="alert">{error}</p>}
        <div className="ds-dialog__actions">
          <Button onClick={props.onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>{props.submitLabel}</Button>
        </div>
      </form>
    </Dialog>
  );
}

export function ConfirmDialog(props: { title: string; message: ReactNode; confirmLabel: string; onConfirm: () => void; onClose: () => void }) {
  return (
    <Dialog title={props.title} onClose={props.onClose} testId="confirm-dialog">
      <div className="ds-dialog__body">{props.message}</div>
      <div className="ds-dialog__actions">
        <Button onClick={props.onClose} autoFocus>Cancel</Button>
        <Button
          variant="danger"
          onClick={() => {
            props.onConfirm();
            props.onClose();
          }}
        >
          {props.confirmLabel}
        </Button>
      </div>
    </Dialog>
  );
}
