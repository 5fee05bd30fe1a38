import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDataset, listExamples } from './index';
import { acceptQueued, clearQueue, enqueue, listQueue, rejectQueued, updateQueued } from './growQueue';
import { freshDb } from './testDb';

const pair = (instruction: string, output = 'ok') => ({ kind: 'pair' as const, instruction, input: '', output });

describe('grow review queue', () => {
  let dsId: string;
  let otherId: string;
  beforeEach(async () => {
    freshDb();
    dsId = (await createDataset({ name: 'A' })).id;
    otherId = (await createDataset({ name: 'B' })).id;
  });

  it('keeps items per dataset, in order, and out of the dataset until accepted', async () => {
    await enqueue(dsId, [{ body: pair('one'), tag: 'self-instruct' }, { body: pair('two'), tag: 'flan:qa-plain' }, { body: pair('three'), tag: 'evol:deepen', parent: 'x' }]);
    await enqueue(otherId, [{ body: pair('elsewhere'), tag: 'self-instruct' }]);
    const q = await listQueue(dsId);
    expect(q.map((i) => i.body.instruction)).toEqual(['one', 'two', 'three']);
    expect(await listExamples(dsId)).toEqual([]);

    await updateQueued(q[1], pair('two, edited', 'better'));
    await rejectQueued([q[2]]);
    expect(await acceptQueued(dsId, (await listQueue(dsId)).slice(0, 2))).toBe(2);
    const ex = await listExamples(dsId);
    expect(ex.map((e) => [e.body, e.tags, e.split])).toEqual([
      [pair('one'), ['self-instruct'], 'train'],
      [pair('two, edited', 'better'), ['flan:qa-plain'], 'train'],
    ]);
    expect(await listQueue(dsId)).toEqual([]);
    expect(await listQueue(otherId)).toHaveLength(1);
  });

  it('accepting twice (two tabs) adds the rows once; edits of a gone row fail clearly', async () => {
    const [a] = await enqueue(dsId, [{ body: pair('one'), tag: 'self-instruct' }]);
    expect(await acceptQueued(dsId, [a])).toBe(1);
    expect(await acceptQueued(dsId, [a])).toBe(0);
    expect(await listExamples(dsId)).toHaveLength(1);
    await expect(updateQueued(a, pair('x'))).rejects.toThrow(/no longer in the queue/);
  });

  it('clears one dataset only', async () => {
    await enqueue(dsId, [{ body: pair('one'), tag: 't' }, { body: pair('two'), tag: 't' }]);
    await enqueue(otherId, [{ body: pair('three'), tag: 't' }]);
    expect(await clearQueue(dsId)).toBe(2);
    expect(await listQueue(otherId)).toHaveLength(1);
  });
});
