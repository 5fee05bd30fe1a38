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
 *   per-turn-weights  every assistant turn (the same as assistant-only since weights apply in every mode; kept so
 *                     datasets and runs that name it keep working)
 *   full              every token (pretraining style; on instruction data this is "the common gotcha")
 * An assistant turn marked not trained (weight 0, the editor's unticked "train"; OpenAI's `weight: 0`, Axolotl's
 * per-message `train: false`) is never trained, in ANY mode: its response (content and end-of-turn token, with any
 * whitespace trained along with that token) is -100. In full mode that is the only thing masked besides the
 * end-of-turn tokens `trainEos: false` masks: the template markup around the turn (its role header) stays trained like
 * all markup, so the model still learns the conversation's layout, but never the reply it was told not to learn.
 * last-turn and completion-only do not fall back to an earlier turn when theirs has weight 0: they train nothing.
 * `trainEos: false` masks the end-of-turn token after each response in every mode. The end-of-turn token is the first
 * special token after the response (skipping whitespace-only tokens in between, which are trained with it), or, if the
 * template closes turns with plain text, the first token after the response.
 * Text bodies are always full-sequence: tokenized with the tokenizer's own special tokens, EOS appended if trainEos.
 *
 * Reasoning (Turn.reasoning; Qwen3-style "thinking"): the template gets it as the message's `reasoning_content`. Where
 * it renders it, the turn's think block — from its opening tag (the last <think>, <thinking>, <reasoning> or [THINK]
 * right before the reasoning, else the reasoning text itself) through the reasoning, the closing tag and whatever
 * markup separates it from the reply — is part of the response: trained exactly when the reply is (so masked for a
 * weight-0 turn, in every mode), and the end-of-turn token after the reply closes it all. Where the template leaves the
 * reasoning out (Qwen3 keeps it only for replies after the last user message), it is not in the text, so nothing is
 * trained for it. A reply whose content holds a <think>…</think> block the template splits off itself (Qwen3) is
 * labeled the same way: the block is split out into reasoning as Qwen3 splits it, and that conversation is used when
 * it renders to the very same text (otherwise the content is labeled as it is, tags and all, like any text). An empty
 * think block the template writes on its own (Qwen3's last reply without reasoning, SmolLM3's /no_think mode) is
 * template markup: not trained (generation prompts end with it). Template variables such as `enable_thinking` come
 * from LabelOptions.templateVariables; templates that read flags out of the system text (SmolLM3's /think, /no_think)
 * are matched with that text as it is rather than a sentinel, so it gets role 'markup' (see labels-spans.ts).
 *
 * turnIndex: chats → index into body.messages (-1 for a system prompt injected from LabelOptions.systemPrompt); pairs
 * → PAIR_TURN; text → 0. Template markup belongs to the turn whose text follows it, except the end-of-turn token
 * (belongs to the response before it) and markup after the last message (belongs to the last message).
 */
import type { StudioTokenizer } from '../text/tokenizer.ts';
import { TemplateLimitError } from '../text/boundedTemplate.ts';
import { specialsInText, type SpecialTokensInText } from './labels-specials.ts';
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
  /**
   * Extra chat template variables, e.g. `{ enable_thinking: false }` (Qwen3, SmolLM3). A pair's own variables
   * (instruction, input, output, system) win over these.
   */
  templateVariables?: Record<string, unknown>;
  /** Special-token strings typed in message text: kept as control tokens (default, with a warning) or escaped (labels-specials.ts). */
  specialTokensInText?: SpecialTokensInText;
}

export interface LabeledExample {
  inputIds: number[];
  labels: number[];
  roles: TokenRole[];
  turnIndex: number[];
  /** Labels that are not -100 (as the token view counts them). */
  trainedCount: number;
  maskedCount: number;
  /**
   * Loss targets after the model's one-position shift: trained labels at positions 1…n-1 (the first token's label is
   * never predicted). 0 means the example adds nothing to the loss even if trainedCount is 1.
   */
  targetCount: number;
  truncated: boolean;
  /** Token count before truncation to maxLength (= inputIds.length when not truncated). */
  untruncatedLength: number;
  warnings: string[];
  /** Tokens that come from special-token strings typed in message text (kept as control tokens, or their escaped pieces). */
  specialInText?: number[];
}

export const IGNORE_INDEX = -100;

/** turnIndex values for the three parts of an instruction pair. */
export const PAIR_TURN = { system: 0, user: 1, assistant: 2 } as const;

export const FULL_MODE_GOTCHA =
  'full mode trains the prompt too (the common gotcha): the model learns to write the user\'s questions as well as the answers; use assistant-only or completion-only for instruction data';

export const NO_TRAINED_TOKENS = 'no trained tokens: this example adds nothing to the loss';
export const ONLY_FIRST_TOKEN =
  'only the first token is trained, and nothing predicts the first token (labels shift by one): this example adds nothing to the loss';

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
  specialInText?: number[];
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
  /** Slot index of each message's reasoning (aligned with `messages`), -1 for none. */
  reasoningSlots: number[];
  fieldSlots: Record<string, number>;
}

function conversationOf(body: PairBody | ChatBody, systemPrompt: string | undefined): Conversation {
  const slots: Slot[] = [];
  const messages: Turn[] = [];
  const messageSlots: number[] = [];
  const reasoningSlots: number[] = [];
  const fieldSlots: Record<string, number> = {};
  const addMessage = (m: Turn, turn: number) => {
    messages.push(m);
    messageSlots.push(slots.length);
    slots.push({ value: m.content, role: m.role, turn, weight: m.weight });
    const reasoning = m.role === 'assistant' && m.reasoning ? m.reasoning : undefined;
    reasoningSlots.push(reasoning === undefined ? -1 : slots.length);
    if (reasoning !== undefined) slots.push({ value: reasoning, role: 'assistant', turn, weight: m.weight, reasoning: true });
  };
  if (body.kind === 'chat') {
    if (systemPrompt && !body.messages.some((m) => m.role === 'system')) addMessage({ role: 'system', content: systemPrompt }, -1);
    body.messages.forEach((m, i) => addMessage(m, i));
    return { messages, variables: undefined, slots, messageSlots, reasoningSlots, fieldSlots };
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
  return { messages, variables, slots, messageSlots, reasoningSlots: messages.map(() => -1), fieldSlots };
}

/**
 * The conversation with each `<think>…</think>` block in a reply's content (replies without reasoning) split out into
 * reasoning, exactly as Qwen3's template splits it; null when no reply has one.
 */
function splitThinkBlocks(body: ChatBody, systemPrompt: string | undefined): Conversation | null {
  let changed = false;
  const messages = body.messages.map((m): Turn => {
    if (m.role !== 'assistant' || m.reasoning || !m.content.includes('</think>')) return m;
    changed = true;
    const parts = m.content.split('</think>');
    const content = parts[parts.length - 1].replace(/^\n+/, '');
    const reasoning = parts[0].replace(/\n+$/, '').split('<think>').pop()!.replace(/^\n+/, '');
    return { ...m, content, reasoning: reasoning || undefined };
  });
  return changed ? conversationOf({ kind: 'chat', messages }, systemPrompt) : null;
}

/**
 * Render the conversation; slots for which `sentinels` is true get their sentinel instead of their text. Reasoning
 * reaches the template as each message's `reasoning_content` (the tokenizer passes Turn.reasoning through).
 */
function render(tokenizer: StudioTokenizer, conv: Conversation, template: string, sentinels: (k: number) => boolean, extra: Record<string, unknown> | undefined): string {
  const text = (k: number, v: string) => (v !== '' && sentinels(k) ? sentinel(k) : v);
  const messages: Turn[] = conv.messages.map((m, i) => {
    const k = conv.reasoningSlots[i];
    const turn: Turn = { role: m.role, content: text(conv.messageSlots[i], m.content) };
    if (k >= 0) turn.reasoning = text(k, conv.slots[k].value);
    return turn;
  });
  const variables: Record<string, unknown> = { ...extra };
  if (conv.variables) for (const [key, v] of Object.entries(conv.variables)) variables[key] = text(conv.fieldSlots[key], v);
  return tokenizer.applyTemplate(messages, { template, variables });
}

/** Which slots get sentinels, most first: all; all but system text (templates that read flags out of it); the assistant's only. */
const SENTINEL_POLICIES: ((s: Slot) => boolean)[] = [() => true, (s) => s.role !== 'system', (s) => s.role === 'assistant'];

/**
 * Locate the slots in the rendered `text`: of the conversation with the replies' <think> blocks split out when that
 * renders to the same text (checked first: cheaper for Qwen3-style data, one render for the rest), else of `conv`.
 * Returns the conversation actually used, and the spans in text order.
 */
function locate(
  tokenizer: StudioTokenizer,
  body: PairBody | ChatBody,
  conv: Conversation,
  text: string,
  template: string,
  opts: LabelOptions,
): { conv: Conversation; spans: SlotSpan[] } | null {
  const candidates = [conv];
  if (body.kind === 'chat') {
    const split = splitThinkBlocks(body, opts.systemPrompt);
    if (split) candidates.unshift(split);
  }
  for (const c of candidates) {
    try {
      if (c !== conv && render(tokenizer, c, template, () => false, opts.templateVariables) !== text) continue;
    } catch (e) {
      if (e instanceof TemplateLimitError) throw e;
      continue;
    }
    const tried = new Set<string>();
    for (const policy of SENTINEL_POLICIES) {
      const key = c.slots.map((s) => (policy(s) ? 1 : 0)).join('');
      if (tried.has(key)) continue;
      tried.add(key);
      try {
        const spans = locateSlots(text, render(tokenizer, c, template, (k) => policy(c.slots[k]), opts.templateVariables), c.slots);
        if (spans) return { conv: c, spans };
      } catch (e) {
        if (e instanceof TemplateLimitError) throw e; // a runaway template stops the whole job, not one example
        // a template that rejects the sentinels: try the next policy
      }
    }
  }
  return null;
}

const THINK_TAGS: [open: string, close: string][] = [
  ['<think>', '</think>'],
  ['<thinking>', '</thinking>'],
  ['<reasoning>', '</reasoning>'],
  ['[THINK]', '[/THINK]'],
];

/** A message span, or a think block (with the reply after it): `parts` are the message texts in it, the rest is markup. */
interface ResponseSpan extends SlotSpan {
  parts?: [number, number][];
}

/**
 * Each rendered reasoning span becomes a think block — its opening tag, the reasoning, and everything up to the end of
 * the reply that follows it (or, with no reply text, its closing tag) — labeled as one response (see the header).
 */
function thinkBlocks(text: string, spans: SlotSpan[], conv: Conversation): ResponseSpan[] {
  const out: ResponseSpan[] = [];
  for (let i = 0; i < spans.length; i++) {
    const sp = spans[i];
    const slot = conv.slots[sp.slot];
    if (!slot.reasoning) {
      out.push(sp);
      continue;
    }
    const contentSlot = conv.messageSlots[conv.reasoningSlots.indexOf(sp.slot)];
    const prevEnd = out.length ? out[out.length - 1].end : 0;
    let start = -1; // the nearest opening tag with only whitespace between it and the reasoning
    for (const [open] of THINK_TAGS) {
      const at = sp.start >= open.length ? text.lastIndexOf(open, sp.start - open.length) : -1;
      if (at >= prevEnd && at > start && text.slice(at + open.length, sp.start).trim() === '') start = at;
    }
    if (start < 0) start = sp.start;
    const next = spans[i + 1];
    if (next?.slot === contentSlot) {
      out.push({ slot: contentSlot, start, end: next.end, parts: [[sp.start, sp.end], [next.start, next.end]] });
      i++;
      continue;
    }
    if (spans.some((o) => o.slot === contentSlot))
      throw new LabelError(`the chat template does not put the reply of assistant turn ${slot.turn} right after its reasoning, so the think block cannot be delimited`);
    const after = text.slice(sp.end, next ? next.start : text.length);
    const lead = after.length - after.trimStart().length;
    const close = THINK_TAGS.find(([, c]) => after.startsWith(c, lead));
    if (!close) throw new LabelError(`could not find where the reasoning of assistant turn ${slot.turn} ends in the rendered template`);
    out.push({ slot: sp.slot, start, end: sp.end + lead + close[1].length, parts: [[sp.start, sp.end]] });
  }
  return out;
}

/** The assistant slots the mode picks, before weights (full mode picks every one; the rest of its tokens are trained too). */
function modeSlots(conv: Conversation, body: PairBody | ChatBody, mode: MaskMode): number[] {
  const assistant = conv.slots.map((s, k) => (s.role === 'assistant' ? k : -1)).filter((k) => k >= 0);
  if (body.kind === 'pair' || mode === 'assistant-only' || mode === 'per-turn-weights' || mode === 'full') return assistant;
  const lastTurn = Math.max(-1, ...assistant.map((k) => conv.slots[k].turn));
  if (mode === 'last-turn') return assistant.filter((k) => conv.slots[k].turn === lastTurn);
  // completion-only: the assistant turns after the last non-assistant message
  let firstCompletionTurn = 0;
  body.messages.forEach((m, i) => {
    if (m.role !== 'assistant') firstCompletionTurn = i + 1;
  });
  return assistant.filter((k) => conv.slots[k].turn >= firstCompletionTurn);
}

function labelTemplated(tokenizer: StudioTokenizer, body: PairBody | ChatBody, opts: LabelOptions): Draft {
  const template = opts.template ?? tokenizer.chatTemplate;
  if (!template) throw new LabelError('this tokenizer has no chat template: choose a template preset (alpaca, chatml, llama3, …)');
  const given = conversationOf(body, opts.systemPrompt);
  if (given.slots.some((s) => hasSentinelChars(s.value))) throw new LabelError('the text contains private-use characters U+E000/U+E001, which the label builder reserves');
  let text: string;
  try {
    text = render(tokenizer, given, template, () => false, opts.templateVariables);
  } catch (e) {
    if (e instanceof TemplateLimitError) throw e;
    throw new LabelError(`the chat template rejected this example: ${(e as Error).message}`);
  }
  const located = locate(tokenizer, body, given, text, template, opts);
  if (!located) throw new LabelError('could not locate the messages in the rendered template (the template changes its layout depending on the message text)');
  const { conv } = located;
  const spans = thinkBlocks(text, located.spans, conv);

  const warnings: string[] = [];
  const encoded = tokenizer.encodeWithOffsets(text);
  if (!encoded.exact) warnings.push("token boundaries are approximate: the tokenizer's normalizer rewrites the text");
  const ranges = spans.flatMap((sp) => (sp.parts ?? [[sp.start, sp.end]]).map(([start, end]) => ({ start, end, role: conv.slots[sp.slot].role, turn: conv.slots[sp.slot].turn })));
  const { ids, starts, ends, marked, warnings: typed } = specialsInText(tokenizer, text, encoded, ranges, opts.specialTokensInText ?? 'keep');
  warnings.push(...typed);
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
  // Think-block markup (the tags around the reasoning) is trained with the response but is not message text.
  const inText = (t: number, sp: ResponseSpan) => !sp.parts || sp.parts.some(([a, b]) => starts[t] < b && ends[t] > a);

  // Weight-0 turns are never trained, whatever the mode (see the header comment).
  const picked = modeSlots(conv, body, opts.mode);
  const excluded = new Set(conv.slots.flatMap((sl, k) => (sl.role === 'assistant' && sl.weight === 0 ? [k] : [])));
  const trained = new Set(picked.filter((k) => !excluded.has(k)));
  const full = opts.mode === 'full';
  const labels = new Array<number>(n).fill(IGNORE_INDEX);
  const roles: TokenRole[] = new Array(n);
  const turnIndex = new Array<number>(n);
  const eotOf = new Int32Array(n).fill(-1); // span index whose end-of-turn token this is
  for (let t = 0; t < n; t++) {
    const s = spanOf[t];
    roles[t] = s >= 0 && inText(t, spans[s]) ? conv.slots[spans[s].slot].role : 'markup';
    const slot = s >= 0 ? spans[s].slot : -1;
    if (full ? !excluded.has(slot) : trained.has(slot)) labels[t] = ids[t];
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
      if (slot.role === 'assistant' && (full || trained.has(sp.slot))) labels[t] = opts.trainEos && !excluded.has(sp.slot) ? ids[t] : IGNORE_INDEX;
    }
  });
  for (const turn of silentTurns)
    warnings.push(`the template puts no end-of-turn token after assistant turn ${turn}: the model will not learn to stop there`);
  // A pair's response is both a message and the `output` variable; the template shows one of them.
  const shownTurns = new Set(spans.map((sp) => conv.slots[sp.slot].turn));
  for (const turn of new Set([...trained].map((k) => conv.slots[k].turn)))
    if (!shownTurns.has(turn)) warnings.push(`assistant turn ${turn} does not appear in the rendered template`);
  // Reasoning the data gives that the template prints nowhere (a template without reasoning_content): say so once.
  const reasoningTurns = given.slots.filter((sl) => sl.reasoning).map((sl) => sl.turn);
  if (reasoningTurns.length && !spans.some((sp) => sp.parts))
    warnings.push(
      `the chat template leaves out the reasoning of assistant turn${reasoningTurns.length === 1 ? '' : 's'} ${reasoningTurns.join(', ')}, so it is not trained (it renders reasoning_content nowhere in this conversation)`,
    );

  // Turn attribution: content → its slot; end-of-turn → its response; other markup → the next message (or the last).
  const lastTurn = spans.length ? conv.slots[spans[spans.length - 1].slot].turn : -1;
  let nextTurn: number | null = null;
  for (let t = n - 1; t >= 0; t--) {
    if (spanOf[t] >= 0) nextTurn = turnIndex[t] = conv.slots[spans[spanOf[t]].slot].turn;
    else if (eotOf[t] >= 0) turnIndex[t] = conv.slots[spans[eotOf[t]].slot].turn;
    else turnIndex[t] = nextTurn ?? lastTurn;
  }

  if (!full && picked.length > 0 && trained.size === 0) {
    const turns = [...new Set(picked.map((k) => conv.slots[k].turn))];
    warnings.push(`${turns.length === 1 ? `assistant turn ${turns[0]}, the one` : `assistant turns ${turns.join(', ')}, the ones`} this mode trains, ${turns.length === 1 ? 'is' : 'are'} marked not trained (weight 0)`);
  }
  if (full) warnings.push(FULL_MODE_GOTCHA);
  return { inputIds: ids, labels, roles, turnIndex, warnings, ...(marked.length ? { specialInText: marked } : {}) };
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
    if (d.specialInText) d.specialInText = d.specialInText.filter((t) => t < opts.maxLength!);
    warnings.push(`${total} tokens is longer than maxLength ${opts.maxLength}: truncated from the right${cut ? `, dropping ${cut} trained tokens` : ''}`);
  }
  const trainedCount = d.labels.filter((l) => l !== IGNORE_INDEX).length;
  const targetCount = trainedCount - (d.labels.length > 0 && d.labels[0] !== IGNORE_INDEX ? 1 : 0);
  if (trainedCount === 0) warnings.push(NO_TRAINED_TOKENS);
  else if (targetCount === 0) warnings.push(ONLY_FIRST_TOKEN);
  return { ...d, trainedCount, maskedCount: d.labels.length - trainedCount, targetCount, truncated, untruncatedLength: total, warnings };
}
