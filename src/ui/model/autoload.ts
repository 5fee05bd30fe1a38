/**
 * The studio opens on its built-in model: once per page load, when the GPU first becomes ready and no model is
 * loaded or loading, it loads Studio Base (2.5 MB, served with the app, well under a second). It does not when the
 * model used last time was another one (that is offered as "Load it again": it may be hundreds of MB), nor when the
 * user turned the preference off on the Model page.
 */
import { useEffect } from 'react';
import { useStudio } from '../../store';
import { loadModel, rememberedSource, type RememberedSource } from '../../store/slices/model';
import { builtinSource } from './sources';

const KEY = 'studio.autoloadBuiltin';

export function autoloadEnabled(): boolean {
  try {
    return localStorage.getItem(KEY) !== 'off';
  } catch {
    return true;
  }
}

export function setAutoloadEnabled(on: boolean): void {
  try {
    localStorage.setItem(KEY, on ? 'on' : 'off');
  } catch {
    /* storage disabled: the preference lasts for this page only */
  }
}

export function shouldAutoload(state: { gpuReady: boolean; hasModel: boolean; loading: boolean }, last: RememberedSource | null, enabled: boolean): boolean {
  return enabled && state.gpuReady && !state.hasModel && !state.loading && (last === null || last.kind === 'builtin');
}

let tried = false;

/** Mounted once in the shell. */
export function useAutoloadBuiltin(): void {
  const gpuReady = useStudio((s) => s.gpuStatus === 'ready');
  const hasModel = useStudio((s) => s.modelInfo !== null);
  const loading = useStudio((s) => s.modelLoading !== null);
  useEffect(() => {
    if (tried || !gpuReady) return;
    tried = true; // first readiness only: after a lost device the user reloads what they were using
    if (shouldAutoload({ gpuReady, hasModel, loading }, rememberedSource(), autoloadEnabled())) void loadModel(builtinSource());
  }, [gpuReady, hasModel, loading]);
}
