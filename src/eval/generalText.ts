/**
 * General English text beside the user's task data (public/general/, made by scripts/make-general-text.ts):
 *   - the forgetting meter scores held-out general text under the base model and under each run's adapter; a tuned
 *     model whose loss there rose has traded general ability for the task (catastrophic forgetting);
 *   - "mix general text" adds windows of other general documents to a run, trained on every token (rehearsal), which
 *     keeps the model closer to what it was.
 * The two parts are disjoint documents, so what a run rehearsed on is never what the meter scores.
 * Pure functions (no DOM, no Worker): the UI fetches the files and runs the losses.
 */
import type { TextBody } from '../data/types';
import type { StudioTokenizer } from '../text/tokenizer';

/** A line holding only this separates documents in the general-text files. */
export const GENERAL_DOC_SEPARATOR = '<doc>';

/** Paths relative to the app's base URL. */
export const GENERAL_TEXT_FILES = { heldout: 'general/heldout.txt', mix: 'general/mix.txt' } as const;

/** The documents of a general-text file (text without separator lines, e.g. pasted by a user, is one document). */
export function splitDocuments(text: string): string[] {
  return text
    .split(new RegExp(`^${GENERAL_DOC_SEPARATOR}$`, 'm'))
    .map((d) => d.trim())
    .filter((d) => d.length > 0);
}

/** One scored window: T token ids and the UTF-8 bytes its T − 1 targets stand for. */
export interface ScoreWindow {
  inputIds: number[];
  targetBytes: number;
}

const utf8 = new TextEncoder();

/**
 * Up to `maxWindows` windows of exactly T tokens, cut from the documents without overlap (a document's tail shorter
 * than T is dropped) and picked evenly across all of them, so the score covers every document. Bytes come from the
 * tokenizer's character offsets, so bits per byte compare across tokenizers.
 */
export function scoreWindows(tokenizer: StudioTokenizer, docs: readonly string[], T: number, maxWindows: number): ScoreWindow[] {
  if (T < 2) throw new Error(`a score window needs at least 2 tokens, got ${T}`);
  const all: ScoreWindow[] = [];
  for (const doc of docs) {
    const { ids, starts, ends } = tokenizer.encodeWithOffsets(doc);
    for (let s = 0; s + T <= ids.length; s += T) {
      const text = doc.slice(starts[s + 1], ends[s + T - 1]);
      all.push({ inputIds: ids.slice(s, s + T), targetBytes: utf8.encode(text).length });
    }
  }
  if (all.length <= maxWindows) return all;
  return Array.from({ length: maxWindows }, (_, i) => all[Math.floor((i * all.length) / maxWindows)]);
}

/** Loss over general text: mean nats per scored token and bits per UTF-8 byte. */
export interface GeneralScore {
  natsPerToken: number;
  bitsPerByte: number;
  tokens: number;
  bytes: number;
}

/** `losses[w][t]` is the loss of predicting window w's token t + 1 (what the Worker's tokenLosses returns). */
export function generalScore(windows: readonly ScoreWindow[], losses: readonly ArrayLike<number>[]): GeneralScore {
  if (windows.length !== losses.length) throw new Error(`${windows.length} windows but ${losses.length} loss arrays`);
  let nats = 0, tokens = 0, bytes = 0;
  windows.forEach((w, i) => {
    const n = w.inputIds.length - 1;
    for (let t = 0; t < n; t++) nats += losses[i][t];
    tokens += n;
    bytes += w.targetBytes;
  });
  if (tokens === 0) throw new Error('no general text to score: the text is shorter than one window');
  return { natsPerToken: nats / tokens, bitsPerByte: bytes > 0 ? nats / Math.LN2 / bytes : NaN, tokens, bytes };
}

/** Relative change of a tuned model's general loss vs the base model's (0.05 = 5% higher: it forgot a little). */
export function forgetting(base: GeneralScore, tuned: GeneralScore): number {
  return tuned.natsPerToken / base.natsPerToken - 1;
}

/** How many general examples make up `share` of the training set next to `taskCount` task examples. */
export function mixCount(taskCount: number, share: number): number {
  if (!(share >= 0 && share < 1)) throw new Error(`the general-text share must be in [0, 1), got ${share}`);
  return Math.round((taskCount * share) / (1 - share));
}

/**
 * `count` text examples of at most `maxTokens` tokens each, built from whole paragraphs of the documents (a paragraph
 * longer than the budget is cut at a word), taken in order from a seeded starting paragraph and wrapping around.
 */
export function mixExamples(tokenizer: StudioTokenizer, docs: readonly string[], maxTokens: number, count: number, seed: number): TextBody[] {
  const paragraphs = docs.flatMap((d) => d.split(/\n\s*\n/)).map((p) => p.trim()).filter(Boolean);
  if (count === 0) return [];
  if (paragraphs.length === 0) throw new Error('the general text has no paragraphs to mix in');
  const out: TextBody[] = [];
  let i = Math.abs(Math.imul(seed | 0, 2654435761)) % paragraphs.length;
  for (let guard = 0; out.length < count && guard < count * 64; guard++) {
    let text = '';
    let used = 0;
    while (used < paragraphs.length) {
      const p = paragraphs[i];
      const next = text ? `${text}\n\n${p}` : p;
      if (tokenizer.encode(next).length <= maxTokens) {
        text = next;
        i = (i + 1) % paragraphs.length;
        used++;
        continue;
      }
      if (!text) {
        text = cutToTokens(tokenizer, p, maxTokens);
        i = (i + 1) % paragraphs.length;
      }
      break;
    }
    if (text) out.push({ kind: 'text', text });
  }
  return out;
}

/** The longest prefix of `text` ending at a word boundary that encodes to at most `maxTokens` tokens. */
function cutToTokens(tokenizer: StudioTokenizer, text: string, maxTokens: number): string {
  const words = text.split(/(?<=\s)/);
  let lo = 0, hi = words.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (tokenizer.encode(words.slice(0, mid).join('').trimEnd()).length <= maxTokens) lo = mid;
    else hi = mid - 1;
  }
  return words.slice(0, Math.max(1, lo)).join('').trimEnd();
}
