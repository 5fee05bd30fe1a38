/**
 * Pretraining batches. Documents are tokenized, each followed by <|endoftext|>, and concatenated into one stream per
 * split. The training stream is cut into non-overlapping windows of T tokens; every epoch visits all windows in a
 * seeded random order, B windows per micro-batch. Input ids and (unshifted, HF) labels are the same window, so a
 * window trains T − 1 next-token targets, and a window may run across a document boundary — the model learns that
 * <|endoftext|> ends a document and a new one starts, as GPT-2 and SmolLM2 were trained.
 *
 * The data position is a single integer (micro-batches consumed), so a checkpoint resumes on exactly the next batch.
 */
import { hashSeed, mulberry32 } from '../engine/model/random';
import type { MicroBatch } from '../engine/train/trainer';

/** Fisher–Yates with mulberry32: the same (n, seed) always gives the same permutation. */
export function permutation(n: number, seed: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  const rand = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/** Concatenate token lists, each followed by `eos`. */
export function concatWithEos(docs: readonly ArrayLike<number>[], eos: number): Int32Array {
  const total = docs.reduce((a, d) => a + d.length + 1, 0);
  const out = new Int32Array(total);
  let o = 0;
  for (const d of docs) {
    out.set(d, o);
    o += d.length;
    out[o++] = eos;
  }
  return out;
}

function windowBatch(stream: Int32Array, starts: readonly number[], T: number): MicroBatch {
  const ids = new Int32Array(starts.length * T);
  starts.forEach((s, r) => ids.set(stream.subarray(s, s + T), r * T));
  return { batch: { inputIds: ids, labels: ids }, rows: starts.length, T };
}

export class BatchSampler {
  readonly windows: number;
  readonly batchesPerEpoch: number;
  private epoch = -1;
  private order: Int32Array = new Int32Array(0);

  constructor(
    readonly stream: Int32Array,
    readonly T: number,
    readonly rows: number,
    readonly seed: number,
  ) {
    this.windows = Math.floor(stream.length / T);
    this.batchesPerEpoch = Math.floor(this.windows / rows);
    if (this.batchesPerEpoch < 1) throw new Error(`the training stream (${stream.length} tokens) is shorter than one batch of ${rows} × ${T}`);
  }

  /** The micro-batch at data position `pos` (0-based, counting micro-batches since the start of training). */
  batch(pos: number): MicroBatch {
    const epoch = Math.floor(pos / this.batchesPerEpoch);
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      this.order = permutation(this.windows, hashSeed(this.seed, `epoch${epoch}`));
    }
    const k = pos % this.batchesPerEpoch;
    const starts = Array.from(this.order.subarray(k * this.rows, (k + 1) * this.rows), (w) => w * this.T);
    return windowBatch(this.stream, starts, this.T);
  }

  epochOf(pos: number): number {
    return pos / this.batchesPerEpoch;
  }
}

/**
 * Evaluation batches: consecutive non-overlapping windows over the held-out stream (the tail shorter than T is
 * dropped). `limit` takes that many windows spread evenly over the stream (the quick periodic evaluation).
 */
export function evalBatches(stream: Int32Array, T: number, rows: number, limit?: number): MicroBatch[] {
  const windows = Math.floor(stream.length / T);
  if (windows === 0) throw new Error(`the held-out stream (${stream.length} tokens) is shorter than one window of ${T}`);
  const n = Math.min(windows, limit ?? windows);
  const starts = Array.from({ length: n }, (_, i) => Math.floor((i * windows) / n) * T);
  const out: MicroBatch[] = [];
  for (let i = 0; i < starts.length; i += rows) out.push(windowBatch(stream, starts.slice(i, i + rows), T));
  return out;
}

/**
 * Two training streams interleaved row by row: a `share` of the rows come from the second stream (the dialogue
 * documents of dialogue.ts), spread evenly — global row k (= pos · rows + r) is a second-stream row exactly when
 * ⌊(k + 1)·share⌋ > ⌊k·share⌋ — and each stream visits its windows in its own seeded order per epoch of that stream.
 * Like BatchSampler, a micro-batch depends on its data position alone, so a checkpoint resumes on the same batch.
 */
export class MixedSampler {
  private readonly a: WindowOrder;
  private readonly b: WindowOrder;

  constructor(
    readonly main: Int32Array,
    readonly extra: Int32Array,
    readonly share: number,
    readonly T: number,
    readonly rows: number,
    readonly seed: number,
  ) {
    if (!(share > 0 && share < 1)) throw new Error(`the mixed-in share must be in (0, 1), got ${share}`);
    this.a = new WindowOrder(main, T, hashSeed(seed, 'main'));
    this.b = new WindowOrder(extra, T, hashSeed(seed, 'extra'));
  }

  /** Whether global row k comes from the extra stream, and its index within that stream's rows. */
  static route(k: number, share: number): { extra: boolean; index: number } {
    const before = Math.floor(k * share);
    return Math.floor((k + 1) * share) > before ? { extra: true, index: before } : { extra: false, index: k - before };
  }

  batch(pos: number): MicroBatch {
    const ids = new Int32Array(this.rows * this.T);
    for (let r = 0; r < this.rows; r++) {
      const { extra, index } = MixedSampler.route(pos * this.rows + r, this.share);
      ids.set((extra ? this.b : this.a).window(index), r * this.T);
    }
    return { batch: { inputIds: ids, labels: ids }, rows: this.rows, T: this.T };
  }

  /** Epochs of the main stream at data position `pos`. */
  epochOf(pos: number): number {
    return (pos * this.rows - Math.floor(pos * this.rows * this.share)) / this.a.windows;
  }
}

/** The windows of one stream in a seeded random order per epoch: window(i) is the i-th window visited. */
class WindowOrder {
  readonly windows: number;
  private epoch = -1;
  private order: Int32Array = new Int32Array(0);

  constructor(
    readonly stream: Int32Array,
    readonly T: number,
    readonly seed: number,
  ) {
    this.windows = Math.floor(stream.length / T);
    if (this.windows < 1) throw new Error(`a training stream (${stream.length} tokens) is shorter than one window of ${T}`);
  }

  window(i: number): Int32Array {
    const epoch = Math.floor(i / this.windows);
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      this.order = permutation(this.windows, hashSeed(this.seed, `epoch${epoch}`));
    }
    const w = this.order[i % this.windows];
    return this.stream.subarray(w * this.T, (w + 1) * this.T);
  }
}
