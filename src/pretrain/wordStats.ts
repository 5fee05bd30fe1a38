/**
 * A cheap, model-free check that generated text is made of real words: the share of its words found in the corpus
 * vocabulary, and how many distinct words it uses (a model stuck on "the the the" scores 100% known, 1 distinct).
 * The model card reports it for the samples, and the built-in model's e2e test asserts it on text generated in the
 * browser. Byte-BPE gibberish ("satruran", "newor") is what it catches.
 */

/** Words: runs of letters with inner apostrophes or hyphens, lower-cased. Numbers and punctuation are not words. */
export function wordsOf(text: string): string[] {
  return (text.toLowerCase().match(/\p{L}+(?:['’-]\p{L}+)*/gu) ?? []).map((w) => w.replace(/’/g, "'"));
}

export function vocabularyOf(texts: Iterable<string>): Set<string> {
  const vocab = new Set<string>();
  for (const t of texts) for (const w of wordsOf(t)) vocab.add(w);
  return vocab;
}

export interface WordStats {
  /** Words of two letters or more (single letters are too easy to be in any vocabulary). */
  words: number;
  known: number;
  /** known / words (0 for a text without words). */
  share: number;
  distinct: number;
  unknown: string[];
}

export function wordStats(text: string, vocab: ReadonlySet<string>): WordStats {
  const words = wordsOf(text).filter((w) => w.length >= 2);
  const unknown = words.filter((w) => !vocab.has(w));
  const known = words.length - unknown.length;
  return { words: words.length, known, share: words.length ? known / words.length : 0, distinct: new Set(words).size, unknown };
}

/** Adjacent word pairs of a corpus ("of the", "he said"), for pairShare. */
export function wordPairsOf(texts: Iterable<string>): Set<string> {
  const pairs = new Set<string>();
  for (const t of texts) {
    const w = wordsOf(t);
    for (let i = 1; i < w.length; i++) pairs.add(`${w[i - 1]} ${w[i]}`);
  }
  return pairs;
}

/**
 * Share of a text's adjacent word pairs that occur in the corpus: a crude test of local syntax that real words in a
 * random order ("the the a dining the a") fail and plausible continuations mostly pass.
 */
export function pairShare(text: string, pairs: ReadonlySet<string>): { pairs: number; known: number; share: number } {
  const w = wordsOf(text);
  let known = 0;
  for (let i = 1; i < w.length; i++) if (pairs.has(`${w[i - 1]} ${w[i]}`)) known++;
  const n = Math.max(0, w.length - 1);
  return { pairs: n, known, share: n ? known / n : 0 };
}
