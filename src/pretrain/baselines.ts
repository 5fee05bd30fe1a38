/**
 * Count-model reference points for the held-out loss (nats per next token over the whole held-out stream), so the
 * model card says what the transformer learned beyond token frequencies:
 *   - unigram: train-split token frequencies, add-one smoothed;
 *   - bigram: P(b | a) = λ · c(a, b) / c(a) + (1 − λ) · P_unigram(b), fixed λ = 0.7 (Jelinek–Mercer), P(b | a) =
 *     P_unigram(b) for a never seen in training.
 */
export interface Baselines {
  uniform: number;
  unigram: number;
  bigram: number;
}

export function countBaselines(train: Int32Array, heldOut: Int32Array, vocabSize: number, lambda = 0.7): Baselines {
  const uni = new Float64Array(vocabSize).fill(1);
  for (const t of train) uni[t]++;
  const total = train.length + vocabSize;
  const pUni = (b: number) => uni[b] / total;
  const pairs = new Map<number, number>();
  const from = new Float64Array(vocabSize);
  for (let i = 0; i + 1 < train.length; i++) {
    const k = train[i] * vocabSize + train[i + 1];
    pairs.set(k, (pairs.get(k) ?? 0) + 1);
    from[train[i]]++;
  }
  let u = 0, b = 0;
  const n = heldOut.length - 1;
  for (let i = 0; i < n; i++) {
    const a = heldOut[i], c = heldOut[i + 1];
    u -= Math.log(pUni(c));
    const pb = from[a] > 0 ? lambda * ((pairs.get(a * vocabSize + c) ?? 0) / from[a]) + (1 - lambda) * pUni(c) : pUni(c);
    b -= Math.log(pb);
  }
  return { uniform: Math.log(vocabSize), unigram: u / n, bigram: b / n };
}
