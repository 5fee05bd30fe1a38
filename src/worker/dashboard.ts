/**
 * The Worker's side of the training dashboard: validation samples during a run (RunCallbacks.onSample → 'sample'
 * events) and per-token losses of one example for the token view's heatmap ('tokenLosses').
 */
import type { RunCallbacks } from '../train/run';
import { resolveSamplePrompt, sampleGreedy, type ResolvedPrompt, type SampleOutput } from '../train/samples';
import { exampleTokenLosses, type TokenLosses } from '../train/tokenLosses';
import type { EngineRequest, SampleEvent, TokenLossesRequest } from './protocol';
import type { Session } from './session';

type TrainRequest = Extract<EngineRequest, { type: 'train' }>;

/** The onSample callback of a train request: resolves its prompts once, then posts each step's greedy samples. */
export function sampleHook(s: Session, req: TrainRequest, post: (e: Omit<SampleEvent, 'id'>) => void): RunCallbacks['onSample'] {
  const specs = req.samplePrompts ?? [];
  if (!specs.length || !(req.config.sampleEvery && req.config.sampleEvery > 0)) return undefined;
  const m = s.requireModel();
  const tok = m.tokenizer;
  const stops = { configEos: m.config.eosTokenIds, generationConfig: m.info.generationConfig };
  // A prompt that cannot be rendered (e.g. no chat template) reports why in its place instead of failing the run.
  const resolved: (ResolvedPrompt | string)[] = specs.map((p) => {
    try {
      return resolveSamplePrompt(tok, p, req.config.label, stops);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  });
  const ok = resolved.filter((r): r is ResolvedPrompt => typeof r !== 'string');
  return async (view) => {
    const got = await sampleGreedy(s.gpu, m.config, view, ok, (ids) => tok.decode(ids, { skipSpecialTokens: true }));
    let i = 0;
    const outputs: SampleOutput[] = resolved.map((r) => (typeof r === 'string' ? { text: r, tokens: 0, reason: 'error' } : got[i++]));
    post({ type: 'sample', runId: req.runId, step: view.step, outputs });
  };
}

/** Per-token losses of one example under the base model or a held adapter. */
export async function tokenLosses(s: Session, req: TokenLossesRequest): Promise<TokenLosses> {
  const m = s.requireModel();
  const held = req.adapter ? s.adapters.get(req.adapter) : null;
  if (req.adapter && !held) throw new Error(`No adapter for run ${req.adapter} is loaded.`);
  const T = req.inputIds.length;
  if (T > m.config.maxTrainLength) throw new Error(`The example has ${T} tokens, more than this model takes (${m.config.maxTrainLength}).`);
  return exampleTokenLosses(s.gpu, m.config, m.weights.weights, held ? { targets: held.targets, values: held.values } : null, req.inputIds, req.labels);
}
