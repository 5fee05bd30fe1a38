/** Search, filters and sort of the example list (pure; the list component memoises the result). */
import type { Example } from '../../data/types';
import { bodyLength, bodyText, bucketOf, CHAR_BUCKETS } from '../../db/text';
import type { DatasetFilters, SortKey } from '../../store/slices/dataset';

const searchCache = new WeakMap<Example, string>();

/** Lower-cased text searched by the query: every field, the notes and the tags. */
export function searchText(ex: Example): string {
  let s = searchCache.get(ex);
  if (s === undefined) {
    s = `${bodyText(ex.body)}\n${ex.notes}\n${ex.tags.join(' ')}`.toLowerCase();
    searchCache.set(ex, s);
  }
  return s;
}

/** Whitespace-separated terms, all of which must occur; "quoted phrases" stay together. */
export function queryTerms(query: string): string[] {
  const terms: string[] = [];
  const re = /"([^"]+)"|(\S+)/g;
  for (let m = re.exec(query); m; m = re.exec(query)) terms.push((m[1] ?? m[2]).toLowerCase());
  return terms.filter(Boolean);
}

export function isFiltered(f: DatasetFilters): boolean {
  return f.query.trim() !== '' || f.tag !== null || f.split !== 'all' || f.kind !== 'all' || f.length !== null || f.duplicatesOnly;
}

export function filterExamples(
  examples: readonly Example[],
  f: DatasetFilters,
  sort: SortKey,
  desc: boolean,
  duplicates?: ReadonlyMap<string, number>,
): Example[] {
  const terms = queryTerms(f.query);
  const out = examples.filter((ex) => {
    if (f.split !== 'all' && ex.split !== f.split) return false;
    if (f.kind !== 'all' && ex.body.kind !== f.kind) return false;
    if (f.tag === '' ? ex.tags.length > 0 : f.tag !== null && !ex.tags.includes(f.tag)) return false;
    if (f.length !== null && bucketOf(CHAR_BUCKETS, bodyLength(ex.body)).id !== f.length) return false;
    if (f.duplicatesOnly && !duplicates?.has(ex.id)) return false;
    if (terms.length) {
      const text = searchText(ex);
      for (const t of terms) if (!text.includes(t)) return false;
    }
    return true;
  });
  if (sort === 'updated') out.sort((a, b) => a.updatedAt - b.updatedAt || a.order - b.order);
  else if (sort === 'length') out.sort((a, b) => bodyLength(a.body) - bodyLength(b.body) || a.order - b.order);
  if (desc) out.reverse();
  return out;
}

/** The ids between two ids (inclusive) in the visible order — shift-click selection. */
export function rangeBetween(visible: readonly Example[], fromId: string | null, toId: string): string[] {
  const to = visible.findIndex((e) => e.id === toId);
  const from = fromId === null ? -1 : visible.findIndex((e) => e.id === fromId);
  if (to < 0) return [];
  if (from < 0) return [toId];
  const [lo, hi] = from <= to ? [from, to] : [to, from];
  return visible.slice(lo, hi + 1).map((e) => e.id);
}
