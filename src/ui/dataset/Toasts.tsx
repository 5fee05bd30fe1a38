import { useEffect } from 'react';
import { useStudio } from '../../store';
import type { Toast } from '../../store/slices/dataset';
import { UNDO_DELETE_MS } from '../../db';

function ToastItem({ t }: { t: Toast }) {
  const dismiss = useStudio((s) => s.dismissToast);
  const undo = useStudio((s) => s.undo);
  useEffect(() => {
    const timer = setTimeout(() => dismiss(t.id), t.undoId ? UNDO_DELETE_MS : t.tone === 'error' ? 15000 : 5000);
    return () => clearTimeout(timer);
  }, [t, dismiss]);
  return (
    <div className={`ds-toast ds-toast--${t.tone}`} role={t.tone === 'error' ? 'alert' : 'status'} data-testid="toast">
      <span>{t.message}</span>
      {t.undoId !== undefined && (
        <button type="button" className="ds-toast__action" onClick={() => void undo(t.undoId)}>
          Undo
        </button>
      )}
      <button type="button" className="ds-toast__close" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
        ×
      </button>
    </div>
  );
}

/** Bottom-left stack of notifications; the ones for deletes carry an Undo button. */
export function Toasts() {
  const toasts = useStudio((s) => s.toasts);
  return (
    <div className="ds-toasts" aria-live="polite">
      {toasts.map((t) => (
        <ToastItem key={t.id} t={t} />
      ))}
    </div>
  );
}
