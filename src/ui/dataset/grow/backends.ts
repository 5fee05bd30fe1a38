/**
 * Where "Grow data" gets its text: the loaded model through the engine Worker (the Playground's generation path), or
 * an OpenAI-compatible endpoint (src/eval/endpoint.ts). Both become a ChatFn for the runner (src/data/grow/runner.ts).
 */
import { chatComplete, type Endpoint } from '../../../eval/endpoint';
import type { ChatFn, GrowProgress } from '../../../data/grow/runner';
import { clamp } from './fields';
import { generateWith, stopGeneration } from '../../playground/generate';

export interface Backend {
  chat: ChatFn;
  /** Retries the runner adds per call (the endpoint client retries what may pass on its own by itself). */
  retries: number;
  label: string;
}


export function workerBackend(modelName: string): Backend {
  const chat: ChatFn = async (messages, opts) => {
    if (opts.signal.aborted) throw new DOMException('Cancelled', 'AbortError');
    const onAbort = () => stopGeneration();
    opts.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const r = await generateWith(null, { kind: 'chat', messages }, { maxNewTokens: opts.maxTokens, temperature: opts.temperature, topK: 50, topP: 0.95, seed: opts.seed, stopStrings: [] }, () => undefined);
      return r.text;
    } finally {
      opts.signal.removeEventListener('abort', onAbort);
    }
  };
  return { chat, retries: 1, label: `the loaded model (${modelName})` };
}

export function endpointBackend(endpoint: Endpoint, retries = 2): Backend {
  const chat: ChatFn = async (messages, opts) =>
    (await chatComplete(endpoint, messages, { temperature: opts.temperature, maxTokens: opts.maxTokens, signal: opts.signal, retries })).text;
  return { chat, retries: 0, label: `${endpoint.model} at ${endpoint.baseUrl}` };
}

/**
 * The runner options every generator shares: the backend's chat and retries, cancellation, progress, and the
 * sampling settings of the panel's form (clamped to what the runner accepts; `defaultTemperature` for a blank field).
 */
export function runnerBase(
  backend: Backend, signal: AbortSignal, onProgress: (p: GrowProgress) => void,
  form: { seed: number; temperature: number; maxTokens: number }, defaultTemperature: number,
) {
  return {
    chat: backend.chat, retries: backend.retries, signal, onProgress, seed: form.seed,
    temperature: clamp(form.temperature, 0, 2, defaultTemperature),
    maxTokens: clamp(form.maxTokens, 16, 4096, 256),
  };
}
