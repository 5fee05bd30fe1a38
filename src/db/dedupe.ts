/**
 * Exact and near-duplicate detection within one dataset.
 *
 * Exact: examples whose normalised text (see dedupeText) is identical. Near: Jaccard similarity of their sets of
 * character 5-grams ≥ threshold (0.9 by default). Near pairs are found with prefix filtering (Bayardo et al.'s
 * All-Pairs): tokens are ranked rarest-first, and two sets with Jaccard ≥ t must share a token among the first
 * |s| − ⌈t·|s|⌉ + 1 of each, so only such candidates — also within the length bound — are compared exactly. The result
 * is exact (no sampling), and for 20,000 examples it runs in well under a second.
 */
import type { Example } from '../data/types';
import { dedupeText } from './text';

export const SHINGLE = 5;
export const NEAR_THRESHOLD = 0.9;

export interface DuplicateGroup {
  kind: 'exact' | 'near';
  /** In dataset order. */
  ids: string[];
  /** Lowest verified pairwise similarity that joined the group (1 for exact). */
  similarity: number;
}

export interface DuplicateReport {
  groups: DuplicateGroup[];
  /** Example id → index into groups. */
  groupOf: Map<string, number>;
}

function fnv1a(s: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Sorted, de-duplicated shingle hashes of a normalised string. */
export function shingles(text: string, k = SHINGLE): Uint32Array {
  if (text.length <= k) return Uint32Array.of(fnv1a(text, 0, text.length));
  const out = new Uint32Array(text.length - k + 1);
  for (let i = 0; i + k <= text.length; i++) out[i] = fnv1a(text, i, i + k);
  out.sort();
  let n = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[i - 1]) out[n++] = out[i];
  return out.slice(0, n);
}

/** Jaccard similarity of two ascending-sorted unique arrays. */
export function jaccard(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      inter++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  const union = a.length + b.length - inter;
  return union === 0 ? 1 : inter / union;
}

/**
 * Jaccard of two sorted sets if it is at least `t`, else -1. Stops as soon as the overlap still reachable falls
 * below what t requires (most candidate pairs fail within a few dozen steps).
 */
export function jaccardAtLeast(a: ArrayLike<number>, b: ArrayLike<number>, t: number): number {
  const need = Math.ceil((t / (1 + t)) * (a.length + b.length) - 1e-9);
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    if (inter + Math.min(a.length - i, b.length - j) < need) return -1;
    if (a[i] === b[j]) {
      inter++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  const sim = inter / (a.length + b.length - inter);
  return sim >= t ? sim : -1;
}

/** Continues a merge of sorted sets from (i, j) with `inter` shared so far; the Jaccard, or -1 once `need` is out of reach. */
function overlapFrom(a: Uint32Array, b: Uint32Array, i: number, j: number, inter: number, need: number): number {
  while (i < a.length && j < b.length) {
    if (inter + Math.min(a.length - i, b.length - j) < need) return -1;
    if (a[i] === b[j]) {
      inter++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return inter >= need ? inter / (a.length + b.length - inter) : -1;
}

class UnionFind {
  parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n).map((_, i) => i);
  }
  find(x: number): number {
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]];
      x = this.parent[x];
    }
    return x;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

export function findDuplicates(
  examples: readonly Pick<Example, 'id' | 'body'>[],
  threshold = NEAR_THRESHOLD,
): DuplicateReport {
  // 1. Exact groups by normalised text; one representative each goes on to the near-duplicate join.
  const byText = new Map<string, number[]>();
  examples.forEach((ex, i) => {
    const key = dedupeText(ex.body);
    const list = byText.get(key);
    if (list) list.push(i);
    else byText.set(key, [i]);
  });
  const reps: { idx: number; text: string }[] = [];
  for (const [text, idxs] of byText) reps.push({ idx: idxs[0], text });

  // 2. Shingle sets, ranked by document frequency (rarest first); tokens get dense ids through a flat hash table.
  const sets = reps.map((r) => shingles(r.text));
  const total = sets.reduce((n, s) => n + s.length, 0);
  let cap = 1024;
  while (cap < total * 2) cap *= 2;
  const keys = new Uint32Array(cap);
  const slotId = new Int32Array(cap).fill(-1);
  const df: number[] = [];
  const idOf = (h: number): number => {
    let slot = Math.imul(h, 0x9e3779b1) & (cap - 1);
    while (slotId[slot] !== -1 && keys[slot] !== h) slot = (slot + 1) & (cap - 1);
    if (slotId[slot] === -1) {
      keys[slot] = h;
      slotId[slot] = df.length;
      df.push(0);
    }
    return slotId[slot];
  };
  const dense = sets.map((s) => {
    const d = new Uint32Array(s.length);
    for (let i = 0; i < s.length; i++) df[(d[i] = idOf(s[i]))]++;
    return d;
  });
  const byRarity = df.map((_, i) => i).sort((a, b) => df[a] - df[b] || a - b);
  const rank = new Uint32Array(df.length);
  byRarity.forEach((tok, r) => (rank[tok] = r));
  const ranked = dense.map((d) => d.map((t) => rank[t]).sort());

  // 3. Prefix-filtered self-join, shortest sets first so every indexed set is no longer than the probe. Postings
  //    hold (set, position); the first shared prefix token is the first shared token of the two sorted sets, so
  //    the overlap is at most 1 + what follows it in either set (positional filter) and verification starts there.
  const bySize = ranked.map((_, i) => i).sort((a, b) => ranked[a].length - ranked[b].length);
  // Postings are appended in size order, so entries too short for this probe are too short for every later one:
  // `start` skips them for good.
  const index = new Map<number, { start: number; items: number[] }>();
  const uf = new UnionFind(reps.length);
  const minSim = new Float64Array(reps.length).fill(1);
  const seen = new Int32Array(reps.length).fill(-1);
  for (const x of bySize) {
    const sx = ranked[x];
    const prefix = sx.length - Math.ceil(threshold * sx.length) + 1;
    const minLen = Math.ceil(threshold * sx.length - 1e-9);
    for (let p = 0; p < prefix; p++) {
      const posting = index.get(sx[p]);
      if (!posting) continue;
      const items = posting.items;
      while (posting.start < items.length && ranked[items[posting.start]].length < minLen) posting.start += 2;
      for (let k = posting.start; k < items.length; k += 2) {
        const y = items[k];
        const sy = ranked[y];
        if (seen[y] === x) continue;
        seen[y] = x;
        const q = items[k + 1];
        const need = Math.ceil((threshold / (1 + threshold)) * (sx.length + sy.length) - 1e-9);
        if (1 + Math.min(sx.length - p - 1, sy.length - q - 1) < need) continue;
        const sim = overlapFrom(sx, sy, p + 1, q + 1, 1, need);
        if (sim >= threshold) {
          const m = Math.min(sim, minSim[uf.find(x)], minSim[uf.find(y)]);
          uf.union(x, y);
          minSim[uf.find(x)] = m;
        }
      }
    }
    for (let p = 0; p < prefix; p++) {
      const posting = index.get(sx[p]);
      if (posting) posting.items.push(x, p);
      else index.set(sx[p], { start: 0, items: [x, p] });
    }
  }

  // 4. Assemble groups (a near group absorbs the exact copies of its members).
  const clusters = new Map<number, number[]>();
  reps.forEach((_, r) => {
    const root = uf.find(r);
    const list = clusters.get(root);
    if (list) list.push(r);
    else clusters.set(root, [r]);
  });
  const groups: DuplicateGroup[] = [];
  const groupOf = new Map<string, number>();
  for (const [root, members] of clusters) {
    const idxs = members.flatMap((r) => byText.get(reps[r].text)!).sort((a, b) => a - b);
    if (idxs.length < 2) continue;
    const near = members.length > 1;
    const g = groups.length;
    groups.push({ kind: near ? 'near' : 'exact', ids: idxs.map((i) => examples[i].id), similarity: near ? minSim[root] : 1 });
    for (const i of idxs) groupOf.set(examples[i].id, g);
  }
  return { groups, groupOf };
}
