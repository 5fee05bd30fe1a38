/**
 * Validation samples during training: a few fixed prompts generated greedily (short) from the model as of a step
 * (RunCallbacks.onSample), so the dashboard can show what the model answers as it learns. Generation runs on its own
 * small decoding model that shares the weights read-only and carries that step's LoRA values; training state and
 * training randomness are untouched.
 */
import type { Gpu } from '../engine/gpu/device';
import type { ModelConfig } from '../engine/model/config';
import { GpuTransformer } from '../engine/transformer/model';
import { generate } from '../engine/generate';
import { buildLabels, IGNORE_INDEX } from '../data/labels';
import type { ExampleBody } from '../data/types';
import { promptIds, stopTokenIds, type Prompt } from '../text/prompt';
import type { StudioTokenizer } from '../text/tokenizer';
import type { LabelConfig } from './data';
import type { TrainedModelView } from './run';

/** A sample prompt: an example (what precedes its first trained token, rendered as training renders it) or a prompt. */
export type SamplePrompt = { kind: 'example'; body: ExampleBody } | Prompt;

export const SAMPLE_MAX_TOKENS = 32;

export interface SampleOutput {
  text: string;
  tokens: number;
  reason: 'eos' | 'stop-string' | 'max-tokens' | 'error';
}

export interface ResolvedPrompt {
  ids: number[];
  eos: number[];
}

/** Where generation stops besides max tokens (as the playground stops): generation_config / config EOS. */
export interface StopSources {
  configEos?: number[];
  generationConfig?: unknown;
}

/**
 * Token ids and stop ids of a sample prompt. An example is labelled exactly as the run labels it; its prompt is
 * everything before the first trained token (for text trained from the start: its first few tokens).
 */
export function resolveSamplePrompt(tokenizer: StudioTokenizer, p: SamplePrompt, label: LabelConfig, stops: StopSources = {}): ResolvedPrompt {
  if (p.kind !== 'example') return { ids: promptIds(tokenizer, p), eos: stopTokenIds(tokenizer, p, stops) };
  const l = buildLabels(tokenizer, p.body, { mode: label.mode, trainEos: label.trainEos, template: label.template, systemPrompt: label.systemPrompt, maxLength: label.maxLength, specialTokensInText: label.specialTokensInText });
  const first = l.labels.findIndex((x) => x !== IGNORE_INDEX);
  const cut = first > 1 ? first : Math.max(1, Math.min(16, Math.ceil(l.inputIds.length / 2)));
  const ids = l.inputIds.slice(0, cut);
  let eos: number[];
  try {
    eos = stopTokenIds(tokenizer, p.body.kind === 'text' ? { kind: 'text', text: '' } : { kind: 'chat', messages: [], template: label.template }, stops);
  } catch {
    eos = stopTokenIds(tokenizer, { kind: 'text', text: '' }, stops);
  }
  return { ids, eos };
}

/**
 * Greedy continuations of `prompts` (at most `maxNewTokens` each) from the model as of `view.step`. A prompt too long
 * for the model's context keeps its last tokens.
 */
export async function sampleGreedy(
  gpu: Gpu,
  cfg: ModelConfig,
  view: TrainedModelView,
  prompts: ResolvedPrompt[],
  decode: (ids: number[]) => string,
  maxNewTokens = SAMPLE_MAX_TOKENS,
): Promise<SampleOutput[]> {
  if (prompts.length === 0) return [];
  const room = Math.max(1, cfg.maxTrainLength - maxNewTokens);
  const fitted = prompts.map((p) => ({ ...p, ids: p.ids.slice(-room) }));
  const kvCap = Math.min(cfg.maxTrainLength, Math.max(...fitted.map((p) => p.ids.length)) + maxNewTokens);
  const net = new GpuTransformer(gpu, cfg, view.weights, {
    B: 1, T: Math.min(32, kvCap), kvCap,
    lora: view.lora ? { targets: view.lora.targets, values: view.lora.values, dropout: 0 } : null,
  });
  const out: SampleOutput[] = [];
  try {
    for (const p of fitted) {
      const ids: number[] = [];
      let reason: SampleOutput['reason'] = 'max-tokens';
      try {
        for await (const t of generate(net, p.ids, { maxNewTokens, eosIds: p.eos, temperature: 0, topK: 0, topP: 1, seed: 0 })) {
          if (t.stop === 'eos') reason = 'eos';
          else ids.push(t.id);
        }
        out.push({ text: decode(ids), tokens: ids.length, reason });
      } catch (e) {
        out.push({ text: e instanceof Error ? e.message : String(e), tokens: 0, reason: 'error' });
      }
    }
  } finally {
    net.release();
  }
  return out;
}
