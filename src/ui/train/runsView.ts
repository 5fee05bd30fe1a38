/** Live views of the stored runs for the Train, Export and playground sections. */
import { useEffect, useState } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import { checkpointSteps, listRuns, type Run } from '../../db/runs';
import { useStudio } from '../../store';
import { RUN_LOCK_PREFIX } from './controller';
import { edgeMean, finalLoss } from './lossStats';

export interface RunView extends Run {
  /** Marked running/paused but no tab is training it (a reload or a closed tab interrupted it). */
  interrupted: boolean;
  /** Step of its stored checkpoint, if any. */
  checkpointStep: number | null;
  /** Means of the first and of the last 5 training losses (averages: the final loss is `finalLoss`). */
  firstLoss: number | null;
  lastLoss: number | null;
  /** The final loss, as lossStats.ts defines it. */
  finalLoss: number | null;
  /** Optimizer steps done (a NaN-stopped run's marker step does not count). */
  doneSteps: number;
}


/** Runs held by some tab right now (Web Locks); null while unknown. */
function useHeldRuns(runs: Run[] | undefined): Set<string> | null {
  const [held, setHeld] = useState<Set<string> | null>(null);
  useEffect(() => {
    let live = true;
    const q = navigator.locks?.query();
    if (!q) {
      queueMicrotask(() => live && setHeld(new Set()));
      return;
    }
    void q.then((snap) => {
      if (!live) return;
      const names = [...(snap.held ?? []), ...(snap.pending ?? [])].map((l) => l.name ?? '');
      setHeld(new Set(names.filter((n) => n.startsWith(RUN_LOCK_PREFIX)).map((n) => n.slice(RUN_LOCK_PREFIX.length))));
    });
    return () => {
      live = false;
    };
  }, [runs]);
  return held;
}

/** Every stored run, newest first, with what the lists need; undefined while loading. */
export function useRuns(): RunView[] | undefined {
  const data = useLiveQuery(async () => ({ runs: await listRuns(), ckpts: await checkpointSteps() }), []);
  const held = useHeldRuns(data?.runs);
  const liveId = useStudio((s) => s.liveRun?.runId ?? null);
  if (!data || !held) return undefined;
  return data.runs.map((r) => {
    const active = r.status === 'running' || r.status === 'paused';
    return {
      ...r,
      interrupted: active && r.id !== liveId && !held.has(r.id),
      checkpointStep: data.ckpts.get(r.id) ?? null,
      firstLoss: edgeMean(r.steps, 'first'),
      lastLoss: edgeMean(r.steps, 'last'),
      finalLoss: finalLoss(r.steps),
      doneSteps: r.steps.filter((p) => Number.isFinite(p.loss)).reduce((a, p) => Math.max(a, p.step), 0),
    };
  });
}

/** Runs that have adapter files (finished, stopped, NaN-stopped with a last good state, or imported). */
export function withAdapters(runs: RunView[] | undefined): RunView[] {
  return (runs ?? []).filter((r) => !!r.adapter);
}
