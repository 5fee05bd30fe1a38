/**
 * THE label builder: the UI's token view and the trainer both call `buildLabels`, so what you see is what is trained.
 *
 * Labels are UNSHIFTED, as Hugging Face expects: labels[t] = inputIds[t] where the loss applies, -100 elsewhere (the
 * model shifts them by one). Chats and pairs go through a Jinja chat template; the characters of each message are
 * located in the rendered text (labels-spans.ts) and mapped to tokens through their character offsets, so masks are
 * exact for any template: a token is part of a message when it overlaps the message's characters.
 *
 * What is trained, per mode (the "response" = an assistant turn's content plus its end-of-turn token):
 *   assistant-only    every assistant turn
 *   completion-only   pairs: the output; chats: the trailing assistant turn(s) after the last user/system message
 *   last-turn         only the final assistant turn
 *   per-turn-weights  assistant turns whose weight is not 0
 *   full              every token (pretraining style; on instruction data this is "the common gotcha")
 * `trainEos: false` masks the end-of-turn token after each response in every mode. The end-of-turn token is the first
 * special token after the response (skipping whitespace-only tokens in between, which are trained with it), or, if the
 * template closes turns with plain text, the first token after the response.
 * Text bodies are always full-sequence: tokenized with the tokenizer's own special tokens, EOS appended if trainEos.
 *
 * turnIndex: chats → index into body.messages (-1 for a system prompt injected from LabelOptions.systemPrompt); pairs
 * → PAIR_TURN; text → 0. Template markup belongs to the turn whose text follows it, except the end-of-turn token
 * (belongs to the response before it) and markup after the last message (belongs to the last message).
 */
import type { StudioTokenizer } from '../text/tokenizer.ts';
import { hasSentinelChars, locateSlots, sentinel, type Slot, type SlotSpan } from './labels-spans.ts';
import { pairUserText, type ChatBody, type ExampleBody, type MaskMode, type PairBody, type TextBody, type Turn } from './types.ts';

export { pairUserText };

export type TokenRole = 'system' | 'user' | 'assistant' | 'markup' | 'text';

export interface LabelOptions {
  mode: MaskMode;
  trainEos: boolean;
  /** Jinja; default = the tokenizer's chat template, else an error for chats and pairs. */
  template?: string;
  /** Dataset default system prompt for pairs/chats without one (a pair's `system: ''` means "none"). */
  systemPrompt?: string;
  maxLength?: number;
}

export interface LabeledExample {
  inputIds: number[];
  labels: number[];
  roles: TokenRole[];
  turnIndex: number[];
  trainedCount: number;
  maskedCount: number;
  truncated: boolean;
  warnings: string[];
}

export const IGNORE_INDEX = -100;

/** turnIndex values for the three parts of an instruction pair. */
export const PAIR_TURN = { system: 0, user: 1, assistant: 2 } as const;

export const FULL_MODE_GOTCHA =
  'full mode trains the prompt too (the common gotcha): the model learns to write the user\'s questions as well as the answers; use assistant-only or completion-only for instruction data';

/** The example cannot be labeled (no template, the template rejected the conversation, …). */
export class LabelError extends Error {
  override name = 'LabelError';
}

export function buildLabels(tokenizer: StudioTokenizer, body: ExampleBody, opts: LabelOptions): LabeledExample {
  const ex = body.kind === 'text' ? labelText(tokenizer, body, opts) : labelTemplated(tokenizer, body, opts);
  return finish(ex, opts);
}

interface Draft {
  inputIds: number[];
  labels: number[];
  roles: TokenRole[];
  turnIndex: number[];
  warnings: string[];
}

function labelText(tokenizer: StudioTokenizer, body: TextBody, opts: LabelOptions): Draft {
  const ids = tokenizer.encode(body.text, { addSpecialTokens: true });
  const warnings: string[] = [];
  if (opts.trainEos) {
    if (tokenizer.eosId === null) warnings.push('the tokenizer has no EOS token, so none was appended');
    else ids.push(tokenizer.eosId);
  }
  return { inputIds: ids, labels: [...ids], roles: ids.map(() => 'text'), turnIndex: ids.map(() => 0), warnings };
}

interface Conversation {
  messages: Turn[];
  variables: Record<string, string> | undefined;
  slots: Slot[];
  /** Slot indexes of the messages (aligned with `messages`), and of the pair fields. */
  messageSlots: number[];
  fieldSlots: Record<string, number>;
}

function conversationOf(body: PairBody | ChatBody, systemPrompt: string | undefined): Conversation {
  const slots: Slot[] = [];
  const messages: Turn[] = [];
  const messageSlots: number[] = [];
  const fieldSlots: Record<string, number> = {};
  const addMessage = (m: Turn, turn: number) => {
    messages.push(m);
    messageSlots.push(slots.length);
    slots.push({ value: m.content, role: m.role, turn, weight: m.weight });
  };
  if (body.kind === 'chat') {
    if (systemPrompt && !body.messages.some((m) => m.role === 'system')) addMessage({ role: 'system', content: systemPrompt }, -1);
    body.messages.forEach((m, i) => addMessage(m, i));
    return { messages, variables: undefined, slots, messageSlots, fieldSlots };
  }
  const system = body.system ?? systemPrompt ?? '';
  if (system) addMessage({ role: 'system', content: system }, PAIR_TURN.system);
  addMessage({ role: 'user', content: pairUserText(body) }, PAIR_TURN.user);
  addMessage({ role: 'assistant', content: body.output }, PAIR_TURN.assistant);
  const variables = { instruction: body.instruction, input: body.input, output: body.output, system };
  const fieldRole = { instruction: 'user', input: 'user', output: 'assistant', system: 'system' } as const;
  for (const key of Object.keys(variables) as (keyof typeof variables)[]) {
    fieldSlots[key] = slots.length;
    slots.push({ value: variables[key], role: fieldRole[key], turn: PAIR_TURN[fieldRole[key]] });
  }
  return { messages, variables, slots, messageSlots, fieldSlots };
}

function render(tokenizer: StudioTokenizer, conv: Conversation, template: string, sentinels: boolean): string {
  const text = (k: number, v: string) => (sentinels && v !== '' ? sentinel(k) : v);
  const messages = conv.messages.map((m, i) => ({ ...m, content: text(conv.messageSlots[i], m.content) }));
  let variables: Record<string, string> | undefined;
  if (conv.variables) {
    variables = {};
    for (const [key, v] of Object.entries(conv.variables)) variables[key] = text(conv.fieldSlots[key], v);
  }
  return tokenizer.applyTemplate(messages, { template, variables });
}

/** Which assistant slots the mode trains (full mode is handled separately: everything). */
function trainedSlots(conv: Conversation, body: PairBody | ChatBody, mode: MaskMode): Set<number> {
  const assistant = conv.slots.map((s, k) => (s.role === 'assistant' ? k : -1)).filter((k) => k >= 0);
  if (body.kind === 'pair' || mode === 'assistant-only' || mode === 'full') return new Set(assistant);
  if (mode === 'per-turn-weights') return new Set(assistant.filter((k) => conv.slots[k].weight !== 0));
  const lastTurn = Math.max(-1, ...assistant.map((k) => conv.slots[k].turn));
  if (mode === 'last-turn') return new Set(assistant.filter((k) => conv.slots[k].turn === lastTurn));
  // completion-only: the assistant turns after the last non-assistant message
  let firstCompletionTurn = 0;
  body.messages.forEach((m, i) => {
    if (m.role !== 'assistant') firstCompletionTurn = i + 1;
  });
  return new Set(assistant.filter((k) => conv.slots[k].turn >= firstCompletionTurn));
}

function labelTemplated(tokenizer: StudioTokenizer, body: PairBody | ChatBody, opts: LabelOptions): Draft {
  const template = opts.template ?? tokenizer.chatTemplate;
  if (!template) throw new LabelError('this tokenizer has no chat template: choose a template preset (alpaca, chatml, llama3, …)');
  const conv = conversationOf(body, opts.systemPrompt);
  if (conv.slots.some((s) => hasSentinelChars(s.value))) throw new LabelError('the text contains private-use characters U+E000/U+E001, which the label builder reserves');
  let text: string;
  try {
    text = render(tokenizer, conv, template, false);
  } catch (e) {
    throw new LabelError(`the chat template rejected this example: ${(e as Error).message}`);
  }
  let spans: SlotSpan[] | null;
  try {
    spans = locateSlots(text, render(tokenizer, conv, template, true), conv.slots);
  } catch {
    spans = null;
  }
  if (!spans) throw new LabelError('could not locate the messages in the rendered template (the template changes its layout depending on the message text)');

  const warnings: string[] = [];
  const { ids, starts, ends, exact } = tokenizer.encodeWithOffsets(text);
  if (!exact) warnings.push("token boundaries are approximate: the tokenizer's normalizer rewrites the text");
  const n = ids.length;
  // Which span (index into `spans`) each token belongs to, or -1 for template markup. A token belongs to a span when
  // it overlaps its characters; a zero-width token (a '▁' the normalizer prepended) only when strictly inside it.
  const spanOf = new Int32Array(n).fill(-1);
  for (let t = 0, s = 0; t < n; t++) {
    while (s < spans.length && (spans[s].end <= starts[t] || spans[s].start === spans[s].end)) s++;
    if (s >= spans.length) break;
    const sp = spans[s];
    const inside = starts[t] === ends[t] ? sp.start < starts[t] : starts[t] < sp.end && ends[t] > sp.start;
    if (inside) spanOf[t] = s;
  }

  const trained = trainedSlots(conv, body, opts.mode);
  const full = opts.mode === 'full';
  const labels = new Array<number>(n).fill(IGNORE_INDEX);
  const roles: TokenRole[] = new Array(n);
  const turnIndex = new Array<number>(n);
  const eotOf = new Int32Array(n).fill(-1); // span index whose end-of-turn token this is
  for (let t = 0; t < n; t++) {
    const s = spanOf[t];
    roles[t] = s >= 0 ? conv.slots[spans[s].slot].role : 'markup';
    if (full || (s >= 0 && trained.has(spans[s].slot))) labels[t] = ids[t];
  }

  // The closing marker after each message (its end-of-turn token); for assistant turns this is what trainEos decides.
  const silentTurns = new Set<number>();
  spans.forEach((sp, s) => {
    const slot = conv.slots[sp.slot];
    const gapEnd = s + 1 < spans.length ? spans[s + 1].start : text.length;
    const closer = closingTokens(tokenizer, text, ids, starts, ends, spanOf, s, sp.end, gapEnd);
    if (!closer) {
      if (slot.role === 'assistant' && opts.trainEos && trained.has(sp.slot)) silentTurns.add(slot.turn);
      return;
    }
    for (let t = closer[0]; t <= closer[1]; t++) {
      eotOf[t] = s;
      if (slot.role === 'assistant' && (full || trained.has(sp.slot))) labels[t] = opts.trainEos ? ids[t] : IGNORE_INDEX;
    }
  });
  for (const turn of silentTurns)
    warnings.push(`the template puts no end-of-turn token after assistant turn ${turn}: the model will not learn to stop there`);
  // A pair's response is both a message and the `output` variable; the template shows one of them.
  const shownTurns = new Set(spans.map((sp) => conv.slots[sp.slot].turn));
  for (const turn of new Set([...trained].map((k) => conv.slots[k].turn)))
    if (!shownTurns.has(turn)) warnings.push(`assistant turn ${turn} does not appear in the rendered template`);

  // Turn attribution: content → its slot; end-of-turn → its response; other markup → the next message (or the last).
  const lastTurn = spans.length ? conv.slots[spans[spans.length - 1].slot].turn : -1;
  let nextTurn: number | null = null;
  for (let t = n - 1; t >= 0; t--) {
    if (spanOf[t] >= 0) nextTurn = turnIndex[t] = conv.slots[spans[spanOf[t]].slot].turn;
    else if (eotOf[t] >= 0) turnIndex[t] = conv.slots[spans[eotOf[t]].slot].turn;
    else turnIndex[t] = nextTurn ?? lastTurn;
  }

  if (full) warnings.push(FULL_MODE_GOTCHA);
  return { inputIds: ids, labels, roles, turnIndex, warnings };
}

/**
 * Token range [first, last] that closes span s: the first special token after the span's text (with any
 * whitespace-only tokens before it), else the first token after it. Null when another message follows immediately or
 * the text ends.
 */
function closingTokens(
  tokenizer: StudioTokenizer,
  text: string,
  ids: number[],
  starts: Int32Array,
  ends: Int32Array,
  spanOf: Int32Array,
  s: number,
  spanEnd: number,
  gapEnd: number,
): [number, number] | null {
  const n = ids.length;
  let t0 = spanOf.lastIndexOf(s) + 1;
  if (t0 === 0) while (t0 < n && starts[t0] < spanEnd) t0++; // a span that got no tokens (content trimmed away)
  if (t0 >= n || spanOf[t0] !== -1 || starts[t0] >= gapEnd) return null;
  for (let t = t0; t < n && spanOf[t] === -1 && starts[t] < gapEnd; t++) {
    if (tokenizer.isSpecial(ids[t])) return [t0, t];
    if (text.slice(starts[t], ends[t]).trim() !== '') break;
  }
  return [t0, t0];
}

function finish(d: Draft, opts: LabelOptions): LabeledExample {
  let truncated = false;
  const warnings = [...d.warnings];
  const total = d.inputIds.length;
  if (opts.maxLength !== undefined && total > opts.maxLength) {
    truncated = true;
    const cut = d.labels.slice(opts.maxLength).filter((l) => l !== IGNORE_INDEX).length;
    for (const a of [d.inputIds, d.labels, d.roles, d.turnIndex]) a.length = opts.maxLength;
    warnings.push(`${total} tokens is longer than maxLength ${opts.maxLength}: truncated from the right${cut ? `, dropping ${cut} trained tokens` : ''}`);
  }
  const trainedCount = d.labels.filter((l) => l !== IGNORE_INDEX).length;
  if (trainedCount === 0) warnings.push('no trained tokens: this example adds nothing to the loss');
  return { ...d, trainedCount, maskedCount: d.labels.length - trainedCount, truncated, warnings };
}
