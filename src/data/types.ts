/**
 * The studio's data model for training examples. Every importer produces these and every exporter consumes them;
 * fields a source format has that we do not model are kept in `extra` so a round trip loses nothing.
 */

export type Role = 'system' | 'user' | 'assistant';

export interface Turn {
  role: Role;
  content: string;
  /** Assistant turns only: 1 = trained (default), 0 = context only (OpenAI's `weight`). */
  weight?: 0 | 1;
  /**
   * Assistant turns only: the reasoning trace ("thinking") that precedes the reply, without its <think> tags. Read from
   * a message's `reasoning_content` / `reasoning` / `thinking` and written back under the same key; the label builder
   * hands it to the chat template as `reasoning_content` (Qwen3 renders it as a <think> block, and drops it for replies
   * before the last user message) and trains it with the reply (src/data/labels.ts). Undefined = none (never '').
   */
  reasoning?: string;
  /** Source-format keys of this message we do not model (OpenAI `name`, a `developer` role, …), kept for export. */
  extra?: Record<string, unknown>;
}

/** An instruction pair (Alpaca/Dolly shaped). `system` overrides the dataset's default system prompt. */
export interface PairBody {
  kind: 'pair';
  instruction: string;
  input: string;
  output: string;
  system?: string;
}

/** A multi-turn conversation. */
export interface ChatBody {
  kind: 'chat';
  messages: Turn[];
}

/** A plain document for pretraining-style (full-sequence) runs. */
export interface TextBody {
  kind: 'text';
  text: string;
}

export type ExampleBody = PairBody | ChatBody | TextBody;

export type Split = 'train' | 'validation';

export const TASK_TAGS = [
  'qa',
  'summarization',
  'classification',
  'extraction',
  'generation',
  'reasoning',
  'code',
  'translation',
  'rewriting',
  'chat',
] as const;

export interface Example {
  id: string;
  datasetId: string;
  body: ExampleBody;
  tags: string[];
  split: Split;
  notes: string;
  /** Source-format fields we do not model (e.g. Dolly `category` stays here too), kept for lossless export. */
  extra?: Record<string, unknown>;
  /** Position in the dataset (user-visible order). */
  order: number;
  createdAt: number;
  updatedAt: number;
}

export interface Dataset {
  id: string;
  name: string;
  description: string;
  /** Default system prompt applied to pairs/chats that have none. */
  systemPrompt: string;
  createdAt: number;
  updatedAt: number;
}

/** How labels are built from a formatted example. See src/data/labels.ts. */
export type MaskMode = 'assistant-only' | 'completion-only' | 'full' | 'last-turn' | 'per-turn-weights';

/**
 * The single user message an instruction pair becomes in a chat: the instruction, then the input after a blank line
 * when there is one. Used by the label builder (chat templates) and by exporters to chat formats.
 */
export function pairUserText(body: Pick<PairBody, 'instruction' | 'input'>): string {
  return body.input ? `${body.instruction}\n\n${body.input}` : body.instruction;
}
