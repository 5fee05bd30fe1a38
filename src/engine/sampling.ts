/**
 * Next-token sampling on the host from one row of logits: greedy (temperature 0), temperature, top-k, top-p
 * (nucleus), in the order HF applies its logits warpers (temperature → top-k → top-p). Seeded, so a generation is
 * reproducible.
 */
export interface SamplingOptions {
  /** 0 → greedy. */
  temperature: number;
  /** 0 → off. */
  topK: number;
  /** 1 → off. */
  topP: number;
}

export { mulberry32 as mulberry } from './model/random';

export function sampleToken(logits: Float32Array, opts: SamplingOptions, rand: () => number): number {
  if (opts.temperature <= 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
  // Candidates sorted by logit, cut by top-k.
  let idx = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]);
  if (opts.topK > 0) idx = idx.slice(0, opts.topK);
  const max = logits[idx[0]];
  let probs = idx.map((i) => Math.exp((logits[i] - max) / opts.temperature));
  let sum = probs.reduce((a, b) => a + b, 0);
  probs = probs.map((p) => p / sum);
  if (opts.topP < 1) {
    // Keep the smallest prefix whose mass reaches topP (always at least one token).
    let acc = 0, keep = 0;
    while (keep < probs.length && (keep === 0 || acc < opts.topP)) acc += probs[keep++];
    idx = idx.slice(0, keep);
    probs = probs.slice(0, keep);
    sum = acc;
    probs = probs.map((p) => p / sum);
  }
  let r = rand();
  for (let i = 0; i < idx.length; i++) {
    r -= probs[i];
    if (r <= 0) return idx[i];
  }
  return idx[idx.length - 1];
}
