/**
 * Presenter mode: one section per screen in large type. P toggles it; →, PageDown and Space go forward, ←, PageUp
 * back, Home/End to the ends, Esc leaves. Keys typed into a field are left alone.
 */
import { useCallback, useEffect, useState } from 'react';

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

export interface Presenter {
  on: boolean;
  index: number;
  toggle(): void;
  leave(): void;
  go(index: number): void;
}

export function usePresenter(count: number): Presenter {
  const [on, setOn] = useState(false);
  const [index, setIndex] = useState(0);
  const go = useCallback((i: number) => setIndex(Math.max(0, Math.min(count - 1, i))), [count]);
  const toggle = useCallback(() => setOn((v) => !v), []);
  const leave = useCallback(() => setOn(false), []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) return;
      if (e.key === 'p' || e.key === 'P') {
        e.preventDefault();
        return setOn((v) => !v);
      }
      if (!on) return;
      const step: Record<string, number | 'home' | 'end'> = { ArrowRight: 1, PageDown: 1, ' ': 1, ArrowLeft: -1, PageUp: -1, Home: 'home', End: 'end' };
      if (e.key === 'Escape') {
        e.preventDefault();
        return setOn(false);
      }
      const s = step[e.key];
      if (s === undefined) return;
      // Space on a focused button presses it instead.
      if (e.key === ' ' && (e.target as HTMLElement | null)?.tagName === 'BUTTON') return;
      e.preventDefault();
      setIndex((i) => Math.max(0, Math.min(count - 1, s === 'home' ? 0 : s === 'end' ? count - 1 : i + s)));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [on, count]);

  return { on, index, toggle, leave, go };
}
