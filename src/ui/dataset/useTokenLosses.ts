/**
 * Per-token losses of the example in the token view, from the engine Worker ('tokenLosses': one forward pass of the
 * base model or a run's adapter). Debounced while the example is edited; the latest request wins.
 */
import { useEffect, useState } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import type { LabeledExample } from '../../data/labels';
import { listRuns } from '../../db/runs';
import { engine } from '../../worker/client';
import { ensureAdapter } from '../playground/generate';

export type TokenLossState =
  | { status: 'loading' }
  | { status: 'ready'; key: string; losses: Float32Array; predicted: Int32Array | null }
  | { status: 'error'; key: string; message: string };

const DEBOUNCE_MS = 250;

export function useTokenLosses(labeled: LabeledExample | null, adapter: string | null, modelEpoch: number): TokenLossState {
  const key = labeled ? `${modelEpoch}|${adapter ?? 'base'}|${labeled.inputIds.join(',')}|${labeled.labels.join(',')}` : '';
  const [state, setState] = useState<TokenLossState>({ status: 'loading' });
  useEffect(() => {
    if (!labeled || labeled.inputIds.length < 2) return;
    let live = true;
    const t = setTimeout(async () => {
      try {
        if (adapter) await ensureAdapter(adapter);
        const r = await engine().call({ type: 'tokenLosses', inputIds: labeled.inputIds, labels: labeled.labels, adapter }, ['tokenLosses']);
        if (live) setState({ status: 'ready', key, losses: r.losses, predicted: r.predicted });
      } catch (e) {
        if (live) setState({ status: 'error', key, message: e instanceof Error ? e.message : String(e) });
      }
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // `key` stands for the example's ids and labels, the adapter and the loaded model.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  // Until the answer for this very example arrives, it is loading (not the previous example's answer).
  return state.status !== 'loading' && state.key !== key ? { status: 'loading' } : state;
}

export interface AdapterChoice {
  id: string;
  name: string;
  createdAt: number;
}

/** Runs with an adapter trained on the loaded model, newest first (undefined while loading). */
export function useModelAdapters(modelName: string | null): AdapterChoice[] | undefined {
  return useLiveQuery(async () => {
    const runs = await listRuns();
    return runs.filter((r) => r.adapter && r.modelName === modelName).map((r) => ({ id: r.id, name: r.name, createdAt: r.createdAt }));
  }, [modelName]);
}
