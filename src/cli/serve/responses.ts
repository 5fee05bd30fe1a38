/**
 * The OpenAI response objects `cli serve` writes: whole completions, streamed chunks, the model list. Kept apart from
 * the HTTP plumbing so the shapes are in one place (the openai client and the judge read exactly these fields).
 */
import type { FinishReason } from './models.ts';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export const usage = (prompt: number, completion: number): Usage => ({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });

/** The fields every response of one request shares. */
export interface ResponseHead {
  id: string;
  created: number;
  model: string;
}

export function chatCompletion(h: ResponseHead, text: string, finish: FinishReason, u: Usage) {
  return {
    id: h.id, object: 'chat.completion', created: h.created, model: h.model, system_fingerprint: null,
    choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: finish }],
    usage: u,
  };
}

/** A streamed chat chunk: the role first, then content deltas, then an empty delta with the finish reason. */
export function chatChunk(h: ResponseHead, delta: { role?: 'assistant'; content?: string }, finish: FinishReason | null, withUsage: boolean) {
  return {
    id: h.id, object: 'chat.completion.chunk', created: h.created, model: h.model, system_fingerprint: null,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(withUsage ? { usage: null } : {}),
  };
}

export function textCompletion(h: ResponseHead, text: string, finish: FinishReason | null, u?: Usage, withUsage = false) {
  return {
    id: h.id, object: 'text_completion', created: h.created, model: h.model, system_fingerprint: null,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finish }],
    ...(u ? { usage: u } : withUsage ? { usage: null } : {}),
  };
}

/** The last chunk of a stream with stream_options.include_usage: no choices, the token counts. */
export function usageChunk(h: ResponseHead, object: 'chat.completion.chunk' | 'text_completion', u: Usage) {
  return { id: h.id, object, created: h.created, model: h.model, system_fingerprint: null, choices: [], usage: u };
}

export function modelObject(id: string, created: number, extra: Record<string, unknown>) {
  return { id, object: 'model', created, owned_by: 'webgpu-finetune-studio', ...extra };
}
