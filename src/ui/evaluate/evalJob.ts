/**
 * Running an evaluation: every chosen model (the base model and any runs' adapters) answers every example of the
 * held-out set greedily, through the playground's generation path (the Worker's 'generate'); each model's outputs and
 * their scores (src/eval/metrics.ts) are stored as one result (src/db/evals.ts) as soon as that model is done. The
 * job lives in a module store, so it keeps going (and its progress stays visible) while the user looks elsewhere.
 */
import { create } from 'zustand';
import { saveEvalResult, type EvalRow } from '../../db/evals';
import type { EvalItem } from '../../eval/items';
import { scoreOutput } from '../../eval/metrics';
import type { GeneratePrompt, SamplingRequest } from '../../worker/protocol';
import { ensureAdapter, generateWith, stopGeneration } from '../playground/generate';

export interface EvalModel {
  key: string;
  label: string;
  /** null = the base model alone. */
  runId: string | null;
  /** Chat template (undefined: the tokenizer's). */
  template?: string;
}

export interface EvalJobInput {
  datasetId: string;
  datasetName: string;
  setKey: string;
  setLabel: string;
  modelName: string;
  items: EvalItem[];
  models: EvalModel[];
  maxNewTokens: number;
}

export interface EvalJobState {
  phase: 'idle' | 'running' | 'done' | 'stopped' | 'failed';
  datasetId: string | null;
  setKey: string | null;
  /** Generations done / to do. */
  done: number;
  total: number;
  /** The model answering now. */
  current: string | null;
  /** Problems that did not stop the job (a model whose adapter could not be loaded), and the one that did. */
  notes: string[];
  error: string | null;
  /** Bumped whenever a result was stored, so views re-read them. */
  saved: number;
}

export const useEvalJob = create<EvalJobState>(() => ({ phase: 'idle', datasetId: null, setKey: null, done: 0, total: 0, current: null, notes: [], error: null, saved: 0 }));
const set = (patch: Partial<EvalJobState> | ((s: EvalJobState) => Partial<EvalJobState>)) => useEvalJob.setState(patch);
let cancelled = false;

export function evalSampling(maxNewTokens: number): SamplingRequest {
  return { maxNewTokens, temperature: 0, topK: 0, topP: 1, seed: 0, stopStrings: [] };
}

export function generatePrompt(item: EvalItem, template: string | undefined): GeneratePrompt {
  return item.prompt.kind === 'chat' ? { kind: 'chat', messages: item.prompt.messages, ...(template ? { template } : {}) } : item.prompt;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function runEvaluation(input: EvalJobInput): Promise<void> {
  if (useEvalJob.getState().phase === 'running') return;
  cancelled = false;
  const { items, models } = input;
  set({ phase: 'running', datasetId: input.datasetId, setKey: input.setKey, done: 0, total: items.length * models.length, current: null, notes: [], error: null });
  const sampling = evalSampling(input.maxNewTokens);
  let failed: string | null = null;
  for (const model of models) {
    if (cancelled || failed) break;
    set({ current: model.label });
    if (model.runId) {
      try {
        await ensureAdapter(model.runId);
      } catch (e) {
        set((s) => ({ notes: [...s.notes, `${model.label}: ${message(e)}`], done: s.done + items.length }));
        continue;
      }
    }
    const rows: EvalRow[] = [];
    for (const item of items) {
      if (cancelled) break;
      try {
        const r = await generateWith(model.runId, generatePrompt(item, model.template), sampling, () => {});
        if (r.reason === 'stopped') break; // cut short by Cancel: not a real answer
        rows.push({
          exampleId: item.id, messages: item.prompt.kind === 'chat' ? item.prompt.messages : [], prompt: item.promptText, reference: item.reference,
          tags: item.tags, output: r.text, reason: r.reason, tokens: r.tokens, seconds: r.seconds, scores: scoreOutput(r.text, item.reference, r.reason),
        });
        set((s) => ({ done: s.done + 1 }));
      } catch (e) {
        failed = `${model.label}: ${message(e)}`;
        break;
      }
    }
    if (rows.length > 0) {
      await saveEvalResult({
        modelKey: model.key, modelLabel: model.label, modelName: input.modelName, datasetId: input.datasetId, datasetName: input.datasetName,
        setKey: input.setKey, setLabel: input.setLabel, settings: { maxNewTokens: input.maxNewTokens, template: model.template },
        total: items.length, rows, partial: rows.length < items.length,
      });
      set((s) => ({ saved: s.saved + 1 }));
    }
  }
  set({ phase: failed ? 'failed' : cancelled ? 'stopped' : 'done', current: null, error: failed });
}

export function cancelEvaluation(): void {
  cancelled = true;
  stopGeneration();
}
