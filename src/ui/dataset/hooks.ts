/** Live data for the dataset editor: dexie liveQuery keeps every open tab in sync with IndexedDB. */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import type { Dataset, Example } from '../../data/types';
import { listDatasets, listExamples, type DuplicateGroup } from '../../db';

export function useDatasets(): Dataset[] | undefined {
  return useLiveQuery(() => listDatasets(), []);
}

const EMPTY: Example[] = [];

/** All examples of the dataset in order; undefined while the first read is pending. */
export function useExamples(datasetId: string | null): Example[] | undefined {
  return useLiveQuery(() => (datasetId ? listExamples(datasetId) : EMPTY), [datasetId]);
}

export interface Duplicates {
  groups: DuplicateGroup[];
  groupOf: Map<string, number>;
  checking: boolean;
}

/** Duplicate groups of the examples, computed in a worker a moment after the data settles. */
export function useDuplicates(examples: Example[] | undefined): Duplicates {
  const [result, setResult] = useState<{ groups: DuplicateGroup[]; seq: number }>({ groups: [], seq: 0 });
  const [pending, setPending] = useState(0);
  const worker = useRef<Worker | null>(null);
  const seq = useRef(0);

  useEffect(() => {
    const w = new Worker(new URL('./dedupe.worker.ts', import.meta.url), { type: 'module' });
    worker.current = w;
    w.onmessage = (e: MessageEvent<{ seq: number; groups: DuplicateGroup[] }>) => {
      if (e.data.seq === seq.current) setResult(e.data);
    };
    return () => {
      w.terminate();
      worker.current = null;
    };
  }, []);

  useEffect(() => {
    if (!examples) return;
    const my = ++seq.current;
    const t = setTimeout(() => {
      setPending(my);
      worker.current?.postMessage({ seq: my, examples: examples.map((e) => ({ id: e.id, body: e.body })) });
    }, 250);
    return () => clearTimeout(t);
  }, [examples]);

  const groupOf = useMemo(() => {
    const map = new Map<string, number>();
    result.groups.forEach((g, i) => g.ids.forEach((id) => map.set(id, i)));
    return map;
  }, [result]);
  return { groups: result.groups, groupOf, checking: pending > result.seq };
}
