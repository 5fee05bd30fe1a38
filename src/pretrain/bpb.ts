/**
 * Bits per byte: held-out loss that does not depend on the tokenizer, so models with different vocabularies are
 * compared on the same held-out documents (issue: built-in model v2 vs v1 vs count models).
 *
 *   bpb = Σ_targets nll (nats) / (ln 2 · Σ_targets bytes(target token))
 *
 * over exactly the targets that were scored. A byte-level BPE token stands for as many UTF-8 bytes as its vocabulary
 * string has characters (each byte maps to one character); special tokens (<|endoftext|> between documents) stand
 * for no text: their loss counts, their bytes are 0 — the same rule for every model and baseline.
 */
import type { MicroBatch } from '../engine/train/trainer';

type Json = Record<string, unknown>;

/** UTF-8 bytes each token id stands for (specials 0), from a byte-level BPE tokenizer.json. */
export function tokenByteLengths(tokenizerJson: Json, vocabSize: number): Int32Array {
  const model = tokenizerJson.model as Json | undefined;
  const vocab = model?.vocab as Record<string, number> | undefined;
  if (model?.type !== 'BPE' || !vocab) throw new Error('bits per byte needs a BPE tokenizer.json with a model.vocab');
  const byteLevel = JSON.stringify(tokenizerJson.pre_tokenizer ?? tokenizerJson.decoder ?? {}).includes('ByteLevel');
  if (!byteLevel) throw new Error('bits per byte is defined here for byte-level BPE tokenizers only');
  const out = new Int32Array(vocabSize);
  for (const [piece, id] of Object.entries(vocab)) if (id >= 0 && id < vocabSize) out[id] = [...piece].length;
  for (const t of (tokenizerJson.added_tokens as { id: number; special?: boolean }[] | undefined) ?? []) {
    if (t.id >= 0 && t.id < vocabSize) out[t.id] = 0;
  }
  return out;
}

/** Bytes of the targets a set of micro-batches scores (labels[t+1] for t < T−1, not −100, same segment). */
export function targetBytes(batches: readonly MicroBatch[], byteLen: Int32Array): number {
  let bytes = 0;
  for (const { batch, rows, T } of batches)
    for (let b = 0; b < rows; b++)
      for (let t = 0; t + 1 < T; t++) {
        const i = b * T + t;
        const y = batch.labels[i + 1];
        if (y !== -100 && (!batch.segments || batch.segments[i + 1] === batch.segments[i])) bytes += byteLen[y];
      }
  return bytes;
}

/** Bytes of every next-token target of a stream (what the count baselines score: tokens 1 … n−1). */
export function streamTargetBytes(stream: Int32Array, byteLen: Int32Array): number {
  let bytes = 0;
  for (let i = 1; i < stream.length; i++) bytes += byteLen[stream[i]];
  return bytes;
}

/** Mean nats per target over `targets` targets that stand for `bytes` bytes → bits per byte. */
export function bitsPerByte(natsPerTarget: number, targets: number, bytes: number): number {
  if (!(bytes > 0)) throw new Error('bits per byte: the scored targets stand for no bytes');
  return (natsPerTarget * targets) / (Math.LN2 * bytes);
}
