/** One generation job of the Grow dialog at a time: progress, Cancel (also on close), and a final error if it crashed. */
import { useEffect, useRef, useState } from 'react';
import type { GrowProgress } from '../../../data/grow/runner';

export interface GrowJob {
  progress: GrowProgress | null;
  running: boolean;
  cancelled: boolean;
  error: string | null;
  start: (work: (signal: AbortSignal, onProgress: (p: GrowProgress) => void) => Promise<GrowProgress>) => Promise<void>;
  cancel: () => void;
}

export function useGrowJob(): GrowJob {
  const [progress, setProgress] = useState<GrowProgress | null>(null);
  const [running, setRunning] = useState(false);
  const [cancelled, setCancelled] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ac = useRef<AbortController | null>(null);
  useEffect(() => () => ac.current?.abort(), []);
  return {
    progress,
    running,
    cancelled,
    error,
    start: async (work) => {
      if (ac.current && !ac.current.signal.aborted) return;
      const controller = new AbortController();
      ac.current = controller;
      setRunning(true);
      setCancelled(false);
      setError(null);
      setProgress(null);
      try {
        setProgress(await work(controller.signal, setProgress));
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
      } finally {
        setCancelled(controller.signal.aborted);
        controller.abort();
        setRunning(false);
      }
    },
    cancel: () => ac.current?.abort(),
  };
}
