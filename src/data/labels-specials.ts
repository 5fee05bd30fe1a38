/**
 * Special-token strings typed in message text. A tokenizer splits added tokens out of any text, so "<|im_end|>" in an
 * answer becomes the end-of-turn control token — the model then learns to stop mid-answer (TRL and axolotl behave the
 * same way, silently). The label builder finds such tokens inside the messages' characters (never in template markup)
 * and, per LabelOptions.specialTokensInText:
 *   keep    (default, what HF tokenizers do) — the control token stays; a warning names the turn and the token;
 *   escape  — the characters are encoded as plain text (tokenizer.encodeAsText), so no control token comes from text.
 * Either way the tokens concerned are listed (LabeledExample.specialInText) for the token view to highlight.
 */
import type { StudioTokenizer } from '../text/tokenizer.ts';

export type SpecialTokensInText = 'keep' | 'escape';
export const SPECIAL_TOKEN_POLICIES: readonly SpecialTokensInText[] = ['keep', 'escape'];

/** Characters of one message's text in the rendered template. */
export interface TextRange {
  start: number;
  end: number;
  role: string;
  turn: number;
}

export interface Encoded {
  ids: number[];
  starts: Int32Array;
  ends: Int32Array;
}

export function specialsInText(
  tokenizer: StudioTokenizer,
  text: string,
  enc: Encoded,
  ranges: TextRange[],
  policy: SpecialTokensInText,
): Encoded & { marked: number[]; warnings: string[] } {
  const { ids, starts, ends } = enc;
  const found: { t: number; range: TextRange }[] = [];
  for (let t = 0; t < ids.length; t++) {
    if (!tokenizer.isSpecial(ids[t]) || starts[t] === ends[t]) continue;
    const range = ranges.find((r) => starts[t] >= r.start && ends[t] <= r.end);
    if (range) found.push({ t, range });
  }
  if (found.length === 0) return { ...enc, marked: [], warnings: [] };
  const byTurn = new Map<string, Set<string>>();
  for (const { t, range } of found) {
    const key = `${range.role} turn ${range.turn}`;
    if (!byTurn.has(key)) byTurn.set(key, new Set());
    byTurn.get(key)!.add(text.slice(starts[t], ends[t]));
  }
  const warnings = [...byTurn].map(([where, tokens]) => {
    const list = [...tokens].map((s) => `"${s}"`).join(', ');
    return policy === 'keep'
      ? `the text of ${where} contains ${list}, which is encoded as the special token itself (a control token: the model learns to emit it there); escape special tokens in text to train the characters instead`
      : `the text of ${where} contains ${list}: escaped, encoded as plain characters rather than the special token`;
  });
  if (policy === 'keep') return { ...enc, marked: found.map((f) => f.t), warnings };

  // escape: each such token becomes the plain-text pieces of its characters (all of them inside the message).
  const outIds: number[] = [], outStarts: number[] = [], outEnds: number[] = [], marked: number[] = [];
  const escaped = new Set(found.map((f) => f.t));
  for (let t = 0; t < ids.length; t++) {
    const pieces = escaped.has(t) ? tokenizer.encodeAsText(text.slice(starts[t], ends[t])) : [ids[t]];
    for (const id of pieces) {
      if (escaped.has(t)) marked.push(outIds.length);
      outIds.push(id);
      outStarts.push(starts[t]);
      outEnds.push(ends[t]);
    }
  }
  return { ids: outIds, starts: Int32Array.from(outStarts), ends: Int32Array.from(outEnds), marked, warnings };
}
