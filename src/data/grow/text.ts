/** Small text helpers shared by the data-growing filters: words, normalisation and degenerate-text checks. */

/** Lower-cased words (letters/digits runs, apostrophes kept inside words). */
export function words(text: string): string[] {
  return text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu) ?? [];
}

/** Case, width and whitespace folded: two texts that differ only in these are the same instruction. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Why a text looks degenerate (what small or badly sampled models produce), or null. Checks, in order:
 * - one character repeated 10+ times in a row ("!!!!!!!!!!", "aaaaaaaaaa"), except rules of - = _ . * and spaces;
 * - one word repeated 4+ times in a row ("the the the the");
 * - texts of 12+ words whose distinct word trigrams are under half of all trigrams (loops of a phrase);
 * - texts of 8+ words where one word is over 40% of all words.
 */
export function degenerateReason(text: string): string | null {
  if (/([^\s\-=_.*])\1{9,}/u.test(text)) return 'a character repeated many times';
  const w = words(text);
  for (let i = 0, run = 1; i < w.length; i++) {
    run = i > 0 && w[i] === w[i - 1] ? run + 1 : 1;
    if (run >= 4) return `the word "${w[i]}" repeated ${run} times in a row`;
  }
  if (w.length >= 12) {
    const grams = new Set<string>();
    for (let i = 0; i + 3 <= w.length; i++) grams.add(`${w[i]} ${w[i + 1]} ${w[i + 2]}`);
    if (grams.size < 0.5 * (w.length - 2)) return 'a phrase repeated over and over';
  }
  if (w.length >= 8) {
    const counts = new Map<string, number>();
    for (const x of w) counts.set(x, (counts.get(x) ?? 0) + 1);
    const [top, n] = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a));
    if (n > 0.4 * w.length) return `the word "${top}" makes up ${Math.round((100 * n) / w.length)}% of the text`;
  }
  return null;
}
