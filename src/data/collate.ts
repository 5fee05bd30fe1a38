/**
 * Batching labeled examples for the trainer. Row-major (B, T) Int32Arrays.
 *
 * Padding is on the right: inputIds = padId, labels = -100, attentionMask = 0, positions = 0, segments = -1.
 * Without packing each example is one row and T is the longest example (or maxLength with `padToMaxLength`).
 * With `pack`, examples are laid end to end, in order, into rows of at most maxLength tokens; a new row starts when
 * the next example does not fit. Positions restart at 0 for every example and `segments` numbers the examples within
 * a row (0, 1, …), so attention can be limited to the same document (query i sees key j iff j ≤ i and
 * segments[j] = segments[i]; pads share segment -1, so a pad still sees itself). The label of each packed example's
 * first token is set to -100: labels are unshifted, so that label would otherwise be predicted from the end of the
 * previous document (Hugging Face's DataCollatorWithFlattening does the same).
 */
import { IGNORE_INDEX, type LabeledExample } from './labels.ts';

export interface Batch {
  B: number;
  T: number;
  inputIds: Int32Array;
  attentionMask: Int32Array;
  labels: Int32Array;
  positions: Int32Array;
  segments: Int32Array;
  /** Where each input example went: row, first column, length. */
  placement: { row: number; offset: number; length: number }[];
  /**
   * A second label row carried alongside `labels` (the answer tokens only: src/train/answerLabels.ts), padded and
   * packed the same way; present when any item has one (items without it are all −100).
   */
  answerLabels?: Int32Array;
}

export interface CollateOptions {
  padId: number;
  maxLength: number;
  pack?: boolean;
  /** Make T = maxLength even when every row is shorter (fixed shapes). */
  padToMaxLength?: boolean;
}

type Item = Pick<LabeledExample, 'inputIds' | 'labels'> & { answerLabels?: ArrayLike<number> };

export function collate(items: Item[], opts: CollateOptions): Batch {
  if (items.length === 0) throw new RangeError('collate: no examples');
  if (!(opts.maxLength >= 1)) throw new RangeError(`collate: maxLength must be at least 1, got ${opts.maxLength}`);
  items.forEach((it, i) => {
    if (it.inputIds.length !== it.labels.length) throw new RangeError(`collate: example ${i} has ${it.inputIds.length} ids but ${it.labels.length} labels`);
    if (it.inputIds.length > opts.maxLength)
      throw new RangeError(`collate: example ${i} has ${it.inputIds.length} tokens, more than maxLength ${opts.maxLength} (build labels with maxLength to truncate)`);
  });

  const placement: Batch['placement'] = [];
  const rowLength: number[] = [];
  for (const it of items) {
    const len = it.inputIds.length;
    const row = rowLength.length - 1;
    if (opts.pack && row >= 0 && rowLength[row] + len <= opts.maxLength) {
      placement.push({ row, offset: rowLength[row], length: len });
      rowLength[row] += len;
    } else {
      placement.push({ row: row + 1, offset: 0, length: len });
      rowLength.push(len);
    }
  }
  const B = rowLength.length;
  const T = opts.padToMaxLength ? opts.maxLength : Math.max(1, ...rowLength);
  const inputIds = new Int32Array(B * T).fill(opts.padId);
  const attentionMask = new Int32Array(B * T);
  const labels = new Int32Array(B * T).fill(IGNORE_INDEX);
  const positions = new Int32Array(B * T);
  const segments = new Int32Array(B * T).fill(-1);
  const segmentCount = new Array<number>(B).fill(0);
  const answerLabels = items.some((it) => it.answerLabels) ? new Int32Array(B * T).fill(IGNORE_INDEX) : undefined;

  items.forEach((it, i) => {
    const { row, offset, length } = placement[i];
    const segment = segmentCount[row]++;
    const base = row * T + offset;
    for (let t = 0; t < length; t++) {
      inputIds[base + t] = it.inputIds[t];
      labels[base + t] = it.labels[t];
      attentionMask[base + t] = 1;
      positions[base + t] = t;
      segments[base + t] = segment;
    }
    if (opts.pack && length > 0) labels[base] = IGNORE_INDEX;
    if (answerLabels && it.answerLabels) {
      for (let t = 0; t < length; t++) answerLabels[base + t] = it.answerLabels[t];
      if (opts.pack && length > 0) answerLabels[base] = IGNORE_INDEX;
    }
  });
  return { B, T, inputIds, attentionMask, labels, positions, segments, placement, ...(answerLabels ? { answerLabels } : {}) };
}
