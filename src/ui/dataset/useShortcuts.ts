import { useEffect, useRef } from 'react';

export interface ShortcutHandlers {
  next: () => void;
  prev: () => void;
  moveDown: () => void;
  moveUp: () => void;
  newExample: () => void;
  save: () => void;
  undo: () => void;
  duplicate: () => void;
  search: () => void;
  selectAll: () => void;
  deleteSelected: () => void;
  clearSelection: () => void;
  help: () => void;
}

function isTyping(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return t.isContentEditable || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || (t.tagName === 'INPUT' && !['checkbox', 'radio', 'button'].includes((t as HTMLInputElement).type));
}

/** The dataset editor's keyboard shortcuts (listed in HelpPopover). Inactive while a modal dialog is open. */
export function useShortcuts(h: ShortcutHandlers): void {
  const ref = useRef(h);
  useEffect(() => {
    ref.current = h;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (document.querySelector('dialog[open]')) return;
      const a = ref.current;
      const mod = e.ctrlKey || e.metaKey;
      const typing = isTyping(e.target);
      const key = e.key.toLowerCase();
      let handled = true;
      if (mod && key === 's') a.save();
      else if (mod && e.key === 'Enter') a.newExample();
      else if (mod && key === 'd') a.duplicate();
      else if (mod && !e.shiftKey && key === 'z' && !typing) a.undo();
      else if (mod && key === 'a' && !typing) a.selectAll();
      else if (e.altKey && e.shiftKey && e.key === 'ArrowDown') a.moveDown();
      else if (e.altKey && e.shiftKey && e.key === 'ArrowUp') a.moveUp();
      else if (e.altKey && e.key === 'ArrowDown') a.next();
      else if (e.altKey && e.key === 'ArrowUp') a.prev();
      else if (typing || mod || e.altKey) handled = false;
      else if (key === 'j') a.next();
      else if (key === 'k') a.prev();
      else if (key === 'n') a.newExample();
      else if (e.key === '/') a.search();
      else if (e.key === '?') a.help();
      else if (e.key === 'Delete') a.deleteSelected();
      else if (e.key === 'Escape') a.clearSelection();
      else handled = false;
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
