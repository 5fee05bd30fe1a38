/** "1 example", "2 examples", "1,024 rows": a count and its noun, one helper for every page. */
const IRREGULAR: Record<string, string> = { entry: 'entries', batch: 'batches', index: 'indexes', match: 'matches', this: 'these', child: 'children' };

export function pluralNoun(n: number, noun: string, many?: string): string {
  if (n === 1) return noun;
  return many ?? IRREGULAR[noun] ?? (/(s|x|z|ch|sh)$/.test(noun) ? `${noun}es` : /[^aeiou]y$/.test(noun) ? `${noun.slice(0, -1)}ies` : `${noun}s`);
}

export function plural(n: number, noun: string, many?: string): string {
  return `${n.toLocaleString('en-US')} ${pluralNoun(n, noun, many)}`;
}
