import { useSyncExternalStore } from 'react';

/**
 * A test-only way to make the open section throw while rendering, so the e2e suite can check that the error boundary
 * catches it. Armed by window.__studio.crashSection(); disarmed once the boundary has caught the crash, so it happens once.
 */
let armed = false;
const listeners = new Set<() => void>();

function emit() {
  for (const l of listeners) l();
}

export function armCrash(): void {
  armed = true;
  emit();
}

export function disarmCrash(): void {
  armed = false;
  emit();
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Rendered inside each section's boundary; renders nothing unless armed. */
export function CrashProbe() {
  const isArmed = useSyncExternalStore(subscribe, () => armed);
  if (isArmed) throw new Error('Simulated crash from window.__studio.crashSection()');
  return null;
}
