/**
 * Playground generation through the engine Worker: make sure the Worker holds the adapter (it keeps the adapters of
 * runs it trained; others are loaded from IndexedDB), then stream tokens for one prompt.
 */
import { getRun } from '../../db/runs';
import { engine } from '../../worker/client';
import type { GeneratePrompt, SamplingRequest } from '../../worker/protocol';
import { markWorkerAdapter, trainState, workerHasAdapter } from '../../store/slices/train';

export async function ensureAdapter(runId: string): Promise<void> {
  if (workerHasAdapter(runId)) return;
  const run = await getRun(runId);
  if (!run?.adapter) throw new Error('This run has no adapter files (full fine-tuning, or it failed before the first step).');
  const model = trainState().modelInfo;
  if (!model) throw new Error('Load a model first.');
  if (run.modelName && run.modelName !== model.name)
    throw new Error(`This adapter was trained on ${run.modelName}, but ${model.name} is loaded. Load that model to try it.`);
  const weights = run.adapter.weights.slice();
  await engine().call({ type: 'loadAdapter', runId, configText: run.adapter.configText, weights }, ['adapterLoaded'], undefined, [weights.buffer]);
  markWorkerAdapter(runId);
}

export interface GenerationResult {
  text: string;
  reason: 'eos' | 'stop-string' | 'max-tokens' | 'stopped';
  tokens: number;
  promptTokens: number;
  /** The exact prompt sent, after the chat template. */
  promptText?: string;
  seconds: number;
}

export async function generateWith(adapter: string | null, prompt: GeneratePrompt, sampling: SamplingRequest, onText: (text: string, tokens: number) => void): Promise<GenerationResult> {
  if (adapter) await ensureAdapter(adapter);
  const started = performance.now();
  let text = '';
  let tokens = 0;
  const done = await engine().call({ type: 'generate', prompt, adapter, sampling }, ['generateDone'], (e) => {
    if (e.type !== 'token') return;
    text += e.text;
    tokens++;
    onText(text, tokens);
  });
  return { text: done.text, reason: done.reason, tokens, promptTokens: done.promptTokens, promptText: done.promptText, seconds: (performance.now() - started) / 1000 };
}

export function stopGeneration(): void {
  engine().send({ type: 'stopGenerate' });
}
