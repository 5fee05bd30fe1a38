/**
 * Byte-level BPE training (the GPT-2 / SmolLM2 scheme). Text is split into pieces by the GPT-2 pre-tokenizer regex
 * (the one HF's ByteLevel pre-tokenizer applies with use_regex), each piece's UTF-8 bytes are written with GPT-2's
 * reversible byte → printable-character table, and merges are learned over the piece counts: repeatedly the most
 * frequent adjacent symbol pair (ties: the smaller (left id, right id)) becomes a new symbol.
 *
 * The merge loop is incremental: pair counts are kept in a map and only the piece types that contain the chosen pair
 * are rewritten, so a few thousand merges over the whole Brown corpus take seconds, not hours.
 */

/** GPT-2's pre-tokenizer pattern (contractions, letters, numbers, other symbols, whitespace). */
export const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's reversible byte → printable-character table (index = byte value). */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const table: string[] = new Array(256);
  const isPrintable = new Set(printable);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(isPrintable.has(b) ? b : 256 + extra++);
  return table;
}

/** Counts of pre-tokenized pieces (as byte-level strings) over some texts. */
export function countPieces(texts: Iterable<string>): Map<string, number> {
  const table = bytesToUnicode();
  const enc = new TextEncoder();
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const m of text.matchAll(GPT2_SPLIT)) {
      counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
    }
  }
  const out = new Map<string, number>();
  for (const [piece, n] of counts) {
    let s = '';
    for (const b of enc.encode(piece)) s += table[b];
    out.set(s, (out.get(s) ?? 0) + n);
  }
  return out;
}

export interface BpeModel {
  /** Token strings by id: the special tokens, then the 256 byte symbols (in byte order), then merged symbols. */
  tokens: string[];
  merges: [string, string][];
}

export interface BpeTrainOptions {
  /** Total vocabulary including the special tokens. */
  vocabSize: number;
  /** Special tokens, given the first ids. */
  specials: string[];
  /** Stop early when the best pair occurs fewer times than this. Default 2. */
  minFrequency?: number;
}

const KEY = 65536; // pair key = left * KEY + right; ids stay below 65536

export function trainBpe(pieceCounts: ReadonlyMap<string, number>, opts: BpeTrainOptions): BpeModel {
  const { vocabSize, specials } = opts;
  const minFrequency = opts.minFrequency ?? 2;
  const tokens = [...specials, ...bytesToUnicode()];
  if (vocabSize < tokens.length) throw new Error(`vocabSize ${vocabSize} is smaller than the ${tokens.length} special and byte tokens`);
  if (vocabSize >= KEY) throw new Error(`vocabSize must be below ${KEY}`);
  const idOf = new Map(tokens.map((t, i) => [t, i]));
  if (idOf.size !== tokens.length) throw new Error('special tokens must be distinct from each other and from the byte symbols');

  // Piece types as symbol-id arrays, in a deterministic order.
  const types = [...pieceCounts].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const words: number[][] = types.map(([w]) => [...w].map((ch) => idOf.get(ch)!));
  const freq = types.map(([, n]) => n);
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (w: number, sign: 1 | -1) => {
    const s = words[w];
    for (let i = 0; i + 1 < s.length; i++) {
      const k = s[i] * KEY + s[i + 1];
      const n = (pairCount.get(k) ?? 0) + sign * freq[w];
      if (n === 0) pairCount.delete(k);
      else pairCount.set(k, n);
      if (sign > 0) {
        let set = pairWords.get(k);
        if (!set) pairWords.set(k, (set = new Set()));
        set.add(w);
      }
    }
  };
  for (let w = 0; w < words.length; w++) addPairs(w, 1);

  const merges: [string, string][] = [];
  while (tokens.length < vocabSize) {
    let best = -1, bestN = 0;
    for (const [k, n] of pairCount) if (n > bestN || (n === bestN && k < best)) [best, bestN] = [k, n];
    if (best < 0 || bestN < minFrequency) break;
    const a = Math.floor(best / KEY), b = best % KEY;
    const merged = tokens[a] + tokens[b];
    let id = idOf.get(merged);
    if (id === undefined) {
      id = tokens.length;
      tokens.push(merged);
      idOf.set(merged, id);
    }
    merges.push([tokens[a], tokens[b]]);
    for (const w of [...(pairWords.get(best) ?? [])]) {
      const s = words[w];
      const next: number[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
          next.push(id);
          i++;
        } else next.push(s[i]);
      }
      if (next.length === s.length) continue; // stale entry: this type no longer holds the pair
      addPairs(w, -1);
      words[w] = next;
      addPairs(w, 1);
    }
    pairWords.delete(best);
    pairCount.delete(best);
  }
  return { tokens, merges };
}
