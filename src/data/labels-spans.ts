/**
 * Where does each message's text land in a rendered chat template? Transformers.js drops `{% generation %}` tags, so
 * we find out ourselves, for any template:
 *   1. render the conversation for real → S;
 *   2. render it again with every non-empty text replaced by a sentinel (U+E000 k U+E001) → the template's own text
 *      around each slot, in the order (and as often) the template emits it — templates may move the system prompt
 *      into the last user turn (Mistral), drop it, or rename roles (Gemma), the sentinels follow along;
 *   3. walk S, matching the template text literally and each slot's content (as is, or trimmed, since templates such
 *      as Llama 3 and Gemma `| trim` the content, or newline-stripped like Qwen3's reasoning) → exact character spans.
 * If the real render and the sentinel render disagree in structure (a template that branches on the content itself),
 * we refuse with a clear error instead of guessing. A template that reads flags out of the text it prints (SmolLM3's
 * `/no_think` in the system message) is rendered with sentinels in fewer slots (the caller chooses which): a slot
 * rendered with its real text is then part of the template text, matched literally, and gets no span.
 */
import type { Role } from './types.ts';

export interface Slot {
  /** The text the template receives for this slot. */
  value: string;
  role: Role;
  /** Turn the slot belongs to (see LabeledExample.turnIndex). */
  turn: number;
  /** Assistant turns: OpenAI-style weight (undefined = 1). */
  weight?: 0 | 1;
  /** The reasoning of an assistant turn (passed to the template as `reasoning_content`), not its reply. */
  reasoning?: boolean;
}

export interface SlotSpan {
  slot: number;
  start: number;
  end: number;
}

const OPEN = '\uE000';
const CLOSE = '\uE001';

export function sentinel(k: number): string {
  return `${OPEN}${k}${CLOSE}`;
}

export function hasSentinelChars(s: string): boolean {
  return s.includes(OPEN) || s.includes(CLOSE);
}

/** The value as templates may print it: as is, `| trim`med, or with newlines stripped (Qwen3's `.strip('\n')`). */
function variants(v: string): string[] {
  return [...new Set([v, v.trim(), v.trimStart(), v.trimEnd(), v.replace(/^\n+/, ''), v.replace(/\n+$/, ''), v.replace(/^\n+|\n+$/g, '')])];
}

/**
 * Match the real render `text` against the sentinel render `withSentinels`. Returns the slot spans in text order, or
 * null when they cannot be matched.
 */
export function locateSlots(text: string, withSentinels: string, slots: Slot[]): SlotSpan[] | null {
  const parts = withSentinels.split(new RegExp(`${OPEN}(\\d+)${CLOSE}`));
  // parts = [literal, slotIndex, literal, slotIndex, …, literal]
  const spans: SlotSpan[] = [];
  let cursor = 0;
  if (!text.startsWith(parts[0], cursor)) return null;
  cursor += parts[0].length;
  for (let p = 1; p < parts.length; p += 2) {
    const k = Number(parts[p]);
    const slot = slots[k];
    if (!slot) return null;
    const next = parts[p + 1];
    const last = p + 2 >= parts.length;
    const found = variants(slot.value).find(
      (v) => text.startsWith(v, cursor) && text.startsWith(next, cursor + v.length) && (!last || cursor + v.length + next.length === text.length),
    );
    if (found === undefined) return null;
    spans.push({ slot: k, start: cursor, end: cursor + found.length });
    cursor += found.length + next.length;
  }
  return cursor === text.length ? spans : null;
}
