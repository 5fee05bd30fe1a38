/** Deterministic train/validation assignment: the same ids, ratio and seed always give the same split. */
import type { Split } from '../data/types';

/** mulberry32: a tiny, well-mixed 32-bit PRNG. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Shuffles `ids` (given in dataset order) with the seed and sends the first round(n × ratio) to validation.
 * At least one example stays in train when n > 0 and the ratio is below 1.
 */
export function assignSplits(ids: readonly string[], validationRatio: number, seed: number): Map<string, Split> {
  if (!(validationRatio >= 0 && validationRatio <= 1)) throw new Error('The validation share must be between 0 and 1.');
  const order = ids.slice();
  const rand = seededRandom(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  let k = Math.round(order.length * validationRatio);
  if (validationRatio < 1 && k >= order.length && order.length > 0) k = order.length - 1;
  const out = new Map<string, Split>();
  order.forEach((id, i) => out.set(id, i < k ? 'validation' : 'train'));
  return out;
}
