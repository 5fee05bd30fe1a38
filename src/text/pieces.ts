/**
 * Turning vocabulary strings back into the bytes they stand for, and lining those bytes up with the original text.
 * `@huggingface/transformers` gives us ids but no character offsets, and the label builder needs to know which
 * characters every token covers. We recover that from the vocabulary pieces:
 *   - byte-level BPE (GPT-2, SmolLM, Qwen, Llama 3): each vocab character is one byte via GPT-2's byte↔unicode table;
 *   - SentencePiece-style BPE (Llama 2, Mistral, Gemma): '▁' is a space and '<0xNN>' a raw byte;
 *   - added tokens: their literal content.
 * `alignPieces` then walks the UTF-8 bytes of the text. It tolerates the two ways a tokenizer's pieces legitimately
 * differ from the input: a '▁' the normalizer prepended (a space in the piece that is not in the text) and whitespace an
 * added token swallowed (lstrip/rstrip). Anything else means a normalizer rewrote the text (lowercasing, NFKC) and
 * we report failure rather than guess.
 */

/** GPT-2's reversible table mapping each byte to a printable character (so BPE never sees raw control bytes). */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const direct: number[] = [];
  for (let b = 33; b <= 126; b++) direct.push(b);
  for (let b = 161; b <= 172; b++) direct.push(b);
  for (let b = 174; b <= 255; b++) direct.push(b);
  const table: string[] = new Array(256);
  for (const b of direct) table[b] = String.fromCodePoint(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (table[b] === undefined) table[b] = String.fromCodePoint(256 + n++);
  return table;
})();

export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((ch, b) => [ch, b]));

const utf8 = new TextEncoder();

/** Bytes of one byte-level BPE vocabulary string ('Ġthe' → ' the'). Unknown characters fall back to their UTF-8. */
export function byteLevelPieceBytes(piece: string): Uint8Array {
  const out: number[] = [];
  for (const ch of piece) {
    const b = CHAR_TO_BYTE.get(ch);
    if (b !== undefined) out.push(b);
    else out.push(...utf8.encode(ch));
  }
  return Uint8Array.from(out);
}

/** Bytes of one SentencePiece-style vocabulary string ('▁the' → ' the', '<0x0A>' → '\n'). */
export function metaspacePieceBytes(piece: string): Uint8Array {
  const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(piece);
  if (m) return Uint8Array.of(parseInt(m[1], 16));
  return utf8.encode(piece.replaceAll('▁', ' '));
}

function isAsciiSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * Align token pieces with the UTF-8 bytes of `text`. Returns per-token [start, end) *character* (UTF-16) offsets, or
 * null when the pieces do not spell the text. A token that ends or starts inside a multi-byte character covers that
 * whole character; a token that stands for nothing in the text (a prepended '▁') gets an empty span.
 */
export function alignPieces(text: string, pieces: Uint8Array[]): { starts: Int32Array; ends: Int32Array } | null {
  const bytes = utf8.encode(text);
  const n = bytes.length;
  // charAt[b] = UTF-16 index of the character that byte b belongs to; charAt[n] = text.length.
  const charAt = new Int32Array(n + 1);
  const charEnd = new Int32Array(n + 1);
  {
    let b = 0;
    let u = 0;
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      const len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      for (let k = 0; k < len; k++) {
        charAt[b + k] = u;
        charEnd[b + k] = u + ch.length;
      }
      b += len;
      u += ch.length;
    }
    charAt[n] = charEnd[n] = u;
  }
  const starts = new Int32Array(pieces.length);
  const ends = new Int32Array(pieces.length);
  let c = 0;
  for (let t = 0; t < pieces.length; t++) {
    const p = pieces[t];
    const start = c;
    let matched = false;
    for (let i = 0; i < p.length; i++) {
      if (c < n && bytes[c] === p[i]) {
        c++;
        matched = true;
      } else if (p[i] === 0x20) {
        continue; // a '▁' the normalizer prepended: not in the text
      } else if (c < n && isAsciiSpace(bytes[c])) {
        c++; // whitespace an added token swallowed (lstrip/rstrip)
        i--;
      } else return null;
    }
    starts[t] = charAt[start];
    ends[t] = matched ? (c > start ? charEnd[c - 1] : charAt[c]) : charAt[start];
    if (!matched) starts[t] = ends[t] = charAt[c];
  }
  for (; c < n; c++) if (!isAsciiSpace(bytes[c])) return null;
  if (pieces.length > 0 && c > 0) ends[pieces.length - 1] = Math.max(ends[pieces.length - 1], charAt[n]);
  return { starts, ends };
}

/** Make a piece readable for the token view: spaces, newlines and tabs become visible markers. */
export function visiblePiece(bytes: Uint8Array): string {
  let s: string;
  try {
    s = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // A fragment of a multi-byte character: show the raw bytes.
    return [...bytes].map((b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`).join('');
  }
  return s.replaceAll(' ', '␣').replaceAll('\n', '↵').replaceAll('\t', '⇥').replaceAll('\r', '␍');
}
