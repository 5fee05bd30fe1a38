import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExampleBody } from '../data/types';
import {
  addExample,
  addExamples,
  bulkSplit,
  bulkTag,
  copyDataset,
  createDataset,
  deleteDataset,
  deleteExamples,
  duplicateExample,
  importExamples,
  listDatasets,
  listExamples,
  moveExample,
  purgeDeletedDatasets,
  renameDataset,
  restoreExamples,
  splitByRatio,
  undoDeleteDataset,
  updateExample,
} from './index';
import { createDb, MIGRATIONS, type StudioDB } from './schema';
import { freshDb } from './testDb';

const pair = (instruction: string, output = 'ok'): ExampleBody => ({ kind: 'pair', instruction, input: '', output });
let db: StudioDB;
beforeEach(() => {
  db = freshDb();
});

describe('datasets', () => {
  it('creates, renames, rejects empty names and copies with examples', async () => {
    const ds = await createDataset({ name: '  My   data ' });
    expect(ds.name).toBe('My data');
    await expect(createDataset({ name: '   ' })).rejects.toThrow(/needs a name/);
    await renameDataset(ds.id, 'Renamed');
    await addExamples(ds.id, [{ body: pair('a') }, { body: pair('b'), tags: ['QA '] }]);
    const copy = await copyDataset(ds.id);
    expect(copy.name).toBe('Renamed copy');
    const copied = await listExamples(copy.id);
    expect(copied.map((e) => (e.body.kind === 'pair' ? e.body.instruction : ''))).toEqual(['a', 'b']);
    expect(copied[1].tags).toEqual(['qa']);
    expect(new Set(copied.map((e) => e.id)).size).toBe(2);
    expect((await listExamples(ds.id)).map((e) => e.id)).not.toContain(copied[0].id);
  });

  it('soft-deletes, undoes, and purges the previous delete on the next one', async () => {
    const a = await createDataset({ name: 'A' });
    const b = await createDataset({ name: 'B' });
    await addExamples(a.id, [{ body: pair('x') }]);
    await deleteDataset(a.id);
    expect((await listDatasets()).map((d) => d.name)).toEqual(['B']);
    expect(await undoDeleteDataset(a.id)).toBe(true);
    expect((await listDatasets()).map((d) => d.name)).toEqual(['A', 'B']);
    await deleteDataset(a.id);
    await deleteDataset(b.id); // purges A for good
    expect(await undoDeleteDataset(a.id)).toBe(false);
    expect(await db.examples.where('datasetId').equals(a.id).count()).toBe(0);
    expect(await undoDeleteDataset(b.id)).toBe(true);
  });

  it('purges only deletes older than the window', async () => {
    const a = await createDataset({ name: 'A' });
    await deleteDataset(a.id);
    expect(await purgeDeletedDatasets(60_000)).toBe(0);
    expect(await purgeDeletedDatasets(0)).toBe(1);
  });
});

describe('examples', () => {
  it('adds, inserts after, duplicates next to the original, moves and restores', async () => {
    const ds = await createDataset({ name: 'D' });
    const a = await addExample(ds.id, { body: pair('a') });
    const c = await addExample(ds.id, { body: pair('c') });
    await addExample(ds.id, { body: pair('b') }, a.id);
    const names = async () => (await listExamples(ds.id)).map((e) => (e.body.kind === 'pair' ? e.body.instruction : ''));
    expect(await names()).toEqual(['a', 'b', 'c']);
    const dup = await duplicateExample(a.id);
    expect(dup.id).not.toBe(a.id);
    expect(await names()).toEqual(['a', 'a', 'b', 'c']);
    await moveExample(c.id, 0);
    expect(await names()).toEqual(['c', 'a', 'a', 'b']);
    const [before] = await updateExample(a.id, { body: pair('a2'), tags: ['X', 'x', ' y '] });
    expect((await db.examples.get(a.id))!.tags).toEqual(['x', 'y']);
    await restoreExamples([before]);
    expect((await db.examples.get(a.id))!.body).toEqual(pair('a'));
    const deleted = await deleteExamples([a.id, c.id]);
    expect(await names()).toEqual(['a', 'b']);
    await restoreExamples(deleted);
    expect(await names()).toEqual(['c', 'a', 'a', 'b']);
  });

  it('keeps inserting between neighbours after the gap is exhausted', async () => {
    const ds = await createDataset({ name: 'D' });
    const a = await addExample(ds.id, { body: pair('first') });
    await addExample(ds.id, { body: pair('last') });
    for (let i = 0; i < 70; i++) await addExample(ds.id, { body: pair(`n${i}`) }, a.id);
    const rows = await listExamples(ds.id);
    expect(rows).toHaveLength(72);
    expect((rows[0].body as { instruction: string }).instruction).toBe('first');
    expect((rows[1].body as { instruction: string }).instruction).toBe('n69');
    expect((rows[71].body as { instruction: string }).instruction).toBe('last');
  });

  it('bulk tags and splits return undo rows; a failing bulk write leaves nothing behind', async () => {
    const ds = await createDataset({ name: 'D' });
    await addExamples(ds.id, [{ body: pair('a') }, { body: pair('b'), tags: ['qa'] }]);
    const ids = (await listExamples(ds.id)).map((e) => e.id);
    const before = await bulkTag(ids, { add: ['qa', 'code'] });
    expect(before).toHaveLength(2);
    expect((await listExamples(ds.id)).map((e) => e.tags)).toEqual([['qa', 'code'], ['qa', 'code']]);
    await restoreExamples(before);
    expect((await listExamples(ds.id)).map((e) => e.tags)).toEqual([[], ['qa']]);
    expect(await bulkSplit(ids, 'validation')).toHaveLength(2);
    // A row that cannot be stored (a function is not cloneable) aborts the whole batch.
    const bad = { body: pair('bad'), extra: { f: () => 1 } } as never;
    await expect(addExamples(ds.id, [{ body: pair('good') }, bad])).rejects.toThrow();
    expect(await listExamples(ds.id)).toHaveLength(2);
  });

  it('splits by ratio deterministically for a seed', async () => {
    const ds = await createDataset({ name: 'D' });
    await addExamples(ds.id, Array.from({ length: 50 }, (_, i) => ({ body: pair(`q${i}`) })));
    await splitByRatio(ds.id, 0.2, 7);
    const first = (await listExamples(ds.id)).map((e) => e.split);
    expect(first.filter((s) => s === 'validation')).toHaveLength(10);
    await bulkSplit((await listExamples(ds.id)).map((e) => e.id), 'train');
    await splitByRatio(ds.id, 0.2, 7);
    expect((await listExamples(ds.id)).map((e) => e.split)).toEqual(first);
    await splitByRatio(ds.id, 0.2, 8);
    expect((await listExamples(ds.id)).map((e) => e.split)).not.toEqual(first);
  });
});

describe('schema migrations', () => {
  it('upgrades a version-1 database: rows kept, missing fields defaulted, meta table added', async () => {
    const name = `studio-upgrade-${Date.now()}`;
    const v1 = createDb(name, 1);
    await v1.open();
    expect(v1.tables.map((t) => t.name).sort()).toEqual(['checkpoints', 'datasets', 'examples', 'runs']);
    await v1.datasets.add({ id: 'd', name: 'Old', description: '', systemPrompt: '', createdAt: 1, updatedAt: 1 });
    await v1.examples.add({ id: 'e', datasetId: 'd', body: pair('old'), order: 0, createdAt: 1, updatedAt: 1 } as never);
    v1.close();
    const v2 = createDb(name);
    await v2.open();
    expect(v2.verno).toBe(MIGRATIONS[MIGRATIONS.length - 1].version);
    const ex = await v2.examples.get('e');
    expect(ex).toMatchObject({ tags: [], notes: '', split: 'train' });
    expect(await v2.meta.get('upgradedFromV1')).toBeDefined();
    v2.close();
    await Dexie.delete(name);
  });
});

describe('import', () => {
  it('creates the dataset and its rows together, or nothing at all', async () => {
    const id = await importExamples({ newDataset: { name: 'Imported' } }, [{ body: pair('a') }, { body: pair('b') }]);
    expect((await listDatasets()).map((d) => d.name)).toEqual(['Imported']);
    expect(await listExamples(id)).toHaveLength(2);
    const bad = { body: pair('bad'), extra: { f: () => 1 } } as never;
    await expect(importExamples({ newDataset: { name: 'Broken' } }, [{ body: pair('ok') }, bad])).rejects.toThrow();
    expect((await listDatasets()).map((d) => d.name)).toEqual(['Imported']);
    expect(await db.examples.count()).toBe(2);
  });
});
