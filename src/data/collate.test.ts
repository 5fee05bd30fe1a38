import { describe, expect, it } from 'vitest';
import { collate } from './collate.ts';

const X = -100;
const item = (ids: number[], labels?: number[]) => ({ inputIds: ids, labels: labels ?? ids.map((id) => id) });
const rows = (a: Int32Array, T: number) => Array.from({ length: a.length / T }, (_, r) => [...a.slice(r * T, (r + 1) * T)]);

describe('collate without packing', () => {
  it('right-pads every example to the longest one', () => {
    const b = collate([item([1, 2, 3], [X, 2, 3]), item([4, 5])], { padId: 0, maxLength: 8 });
    expect([b.B, b.T]).toEqual([2, 3]);
    expect(rows(b.inputIds, b.T)).toEqual([
      [1, 2, 3],
      [4, 5, 0],
    ]);
    expect(rows(b.labels, b.T)).toEqual([
      [X, 2, 3],
      [4, 5, X],
    ]);
    expect(rows(b.attentionMask, b.T)).toEqual([
      [1, 1, 1],
      [1, 1, 0],
    ]);
    expect(rows(b.positions, b.T)).toEqual([
      [0, 1, 2],
      [0, 1, 0],
    ]);
    expect(rows(b.segments, b.T)).toEqual([
      [0, 0, 0],
      [0, 0, -1],
    ]);
    expect(b.placement).toEqual([
      { row: 0, offset: 0, length: 3 },
      { row: 1, offset: 0, length: 2 },
    ]);
  });

  it('pads to maxLength on request, with the given pad id', () => {
    const b = collate([item([7])], { padId: 99, maxLength: 4, padToMaxLength: true });
    expect(b.T).toBe(4);
    expect([...b.inputIds]).toEqual([7, 99, 99, 99]);
    expect([...b.labels]).toEqual([7, X, X, X]);
  });

  it('refuses examples longer than maxLength and mismatched labels', () => {
    expect(() => collate([item([1, 2, 3])], { padId: 0, maxLength: 2 })).toThrow(/more than maxLength 2/);
    expect(() => collate([{ inputIds: [1, 2], labels: [1] }], { padId: 0, maxLength: 8 })).toThrow(/2 ids but 1 labels/);
    expect(() => collate([], { padId: 0, maxLength: 8 })).toThrow(/no examples/);
  });
});

describe('collate with packing', () => {
  it('fills rows in order up to maxLength, restarting positions and numbering segments', () => {
    const b = collate([item([1, 2, 3]), item([4, 5]), item([6, 7, 8, 9]), item([10])], { padId: 0, maxLength: 5, pack: true });
    expect([b.B, b.T]).toEqual([2, 5]);
    expect(rows(b.inputIds, b.T)).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
    ]);
    expect(rows(b.positions, b.T)).toEqual([
      [0, 1, 2, 0, 1],
      [0, 1, 2, 3, 0],
    ]);
    expect(rows(b.segments, b.T)).toEqual([
      [0, 0, 0, 1, 1],
      [0, 0, 0, 0, 1],
    ]);
    // The first token of every packed example is never a target (it would be predicted across the boundary).
    expect(rows(b.labels, b.T)).toEqual([
      [X, 2, 3, X, 5],
      [X, 7, 8, 9, X],
    ]);
    expect(b.placement.map((p) => [p.row, p.offset])).toEqual([
      [0, 0],
      [0, 3],
      [1, 0],
      [1, 4],
    ]);
  });

  it('starts a new row when the next example does not fit, and pads the short rows', () => {
    const b = collate([item([1, 2]), item([3, 4, 5, 6]), item([7])], { padId: 0, maxLength: 5, pack: true });
    expect(b.B).toBe(2);
    expect(rows(b.inputIds, b.T)).toEqual([
      [1, 2, 0, 0, 0],
      [3, 4, 5, 6, 7],
    ]);
    expect(rows(b.attentionMask, b.T)[0]).toEqual([1, 1, 0, 0, 0]);
    expect(rows(b.segments, b.T)[0]).toEqual([0, 0, -1, -1, -1]);
    const total = b.attentionMask.reduce((s, v) => s + v, 0);
    expect(total).toBe(7);
  });
});
