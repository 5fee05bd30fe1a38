import { useEffect, useRef, useState } from 'react';

const MOD = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';

export const SHORTCUTS: [string, string][] = [
  ['j / k', 'Next / previous example (when not typing)'],
  ['Alt+↓ / Alt+↑', 'Next / previous example (also while typing)'],
  ['Alt+Shift+↓ / ↑', 'Move the example down / up'],
  ['n  or  ' + MOD + '+Enter', 'New example after the current one'],
  [MOD + '+S', 'Save now (edits also save automatically)'],
  [MOD + '+Z', 'Undo the last edit, bulk change or delete (outside text fields; inside a field it undoes typing)'],
  [MOD + '+D', 'Duplicate the example'],
  ['/', 'Search'],
  ['Click · Shift+click · ' + MOD + '+click', 'Select one · a range · add or remove one'],
  [MOD + '+A', 'Select every example shown (outside text fields)'],
  ['Delete', 'Delete the selected examples (undoable)'],
  ['Esc', 'Clear the selection'],
  ['?', 'Show this help'],
];

/** The keyboard-shortcut reference, opened with the ? button or the ? key. */
export function HelpPopover({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const [id] = useState('ds-help');
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  // Esc, a click outside, or focus moving elsewhere (another dialog opening) closes it: it never stacks.
  useEffect(() => {
    if (!open) return;
    const outside = (t: EventTarget | null) => !(t instanceof Node && root.current?.contains(t));
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      onOpenChange(false);
      button.current?.focus();
    };
    const onPointer = (e: PointerEvent) => outside(e.target) && onOpenChange(false);
    const onFocus = (e: FocusEvent) => outside(e.target) && onOpenChange(false);
    document.addEventListener('keydown', onKey, true);
    document.addEventListener('pointerdown', onPointer, true);
    document.addEventListener('focusin', onFocus);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      document.removeEventListener('pointerdown', onPointer, true);
      document.removeEventListener('focusin', onFocus);
    };
  }, [open, onOpenChange]);
  return (
    <div className="ds-help" ref={root}>
      <button ref={button} type="button" className="btn btn--ghost btn--sm" aria-expanded={open} aria-controls={id} onClick={() => onOpenChange(!open)} data-testid="help-button">
        Shortcuts ?
      </button>
      {open && (
        <div className="ds-help__pop" id={id} role="dialog" aria-label="Keyboard shortcuts" data-testid="help-popover">
          <div className="ds-help__head">
            <strong>Keyboard shortcuts</strong>
            <button type="button" className="ds-icon-btn" aria-label="Close" onClick={() => onOpenChange(false)}>×</button>
          </div>
          <dl>
            {SHORTCUTS.map(([k, v]) => (
              <div key={k}>
                <dt><kbd>{k}</kbd></dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
    </div>
  );
}
