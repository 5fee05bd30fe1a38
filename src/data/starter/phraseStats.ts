/**
 * Word-pair counts of a corpus, for the "Try it" phrases (phrases.ts): how often a word is followed directly by
 * another, within a sentence. Words are whitespace-separated tokens with surrounding quotes, brackets and
 * punctuation removed (letters, inner apostrophes and hyphens, case kept); a pair counts only when no punctuation
 * stands between the two words ("able to", but not "able. To"). Pure: the test and the selection script feed it the
 * Brown corpus (src/pretrain/prepare.ts brownTexts).
 */

export interface PhraseCounts {
  /** Occurrences of each word. */
  words: Map<string, number>;
  /** Occurrences of "w1 w2" (key with one space). */
  pairs: Map<string, number>;
}

const WORD = /^[A-Za-z][A-Za-z'-]*$/;

export function countPhrases(texts: Iterable<string>): PhraseCounts {
  const words = new Map<string, number>();
  const pairs = new Map<string, number>();
  for (const text of texts) {
    let prev: string | null = null;
    for (const raw of text.split(/\s+/)) {
      const lead = raw.replace(/^["'([]+/, '');
      const word = lead.replace(/[.,;:!?")\]]+$/, '');
      if (!WORD.test(word)) {
        prev = null;
        continue;
      }
      words.set(word, (words.get(word) ?? 0) + 1);
      if (prev !== null && lead === raw) pairs.set(`${prev} ${word}`, (pairs.get(`${prev} ${word}`) ?? 0) + 1);
      prev = word === lead ? word : null;
    }
  }
  return { words, pairs };
}

export interface Follower {
  next: string;
  /** Occurrences of "word next". */
  count: number;
  /** count / occurrences of the word. */
  share: number;
}

/** The most frequent word right after `word` (ties: the alphabetically first), or null if none. */
export function topFollower(counts: PhraseCounts, word: string): Follower | null {
  const total = counts.words.get(word) ?? 0;
  let best: Follower | null = null;
  const prefix = `${word} `;
  for (const [key, n] of counts.pairs) {
    if (!key.startsWith(prefix)) continue;
    const next = key.slice(prefix.length);
    if (!best || n > best.count || (n === best.count && next < best.next)) best = { next, count: n, share: n / total };
  }
  return best;
}

/** Every word's most frequent follower, in one pass (for selecting candidates). */
export function topFollowers(counts: PhraseCounts): Map<string, Follower> {
  const out = new Map<string, Follower>();
  for (const [key, n] of counts.pairs) {
    const [word, next] = key.split(' ');
    const cur = out.get(word);
    if (!cur || n > cur.count || (n === cur.count && next < cur.next)) out.set(word, { next, count: n, share: n / counts.words.get(word)! });
  }
  return out;
}
