/**
 * Example repository. Positions are `order` numbers (fractional, so inserting between two rows touches one row;
 * renumbered when gaps run out). Every function that writes several rows does so in one transaction, and the
 * functions that change rows return the rows as they were before, so callers can offer undo (restoreExamples).
 */
import type { Example, ExampleBody, Split } from '../data/types';
import { assignSplits } from './split';
import { getDb, newId } from './schema';

export interface NewExample {
  body: ExampleBody;
  tags?: string[];
  split?: Split;
  notes?: string;
  extra?: Record<string, unknown>;
}

export type ExamplePatch = Partial<Pick<Example, 'body' | 'tags' | 'split' | 'notes' | 'extra'>>;

function range(datasetId: string) {
  return getDb().examples.where('[datasetId+order]').between([datasetId, -Infinity], [datasetId, Infinity], true, true);
}

function cleanTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    const c = t.trim().replace(/\s+/g, '-').toLowerCase();
    if (c && !out.includes(c)) out.push(c);
  }
  return out;
}

async function touch(datasetId: string): Promise<void> {
  await getDb().datasets.update(datasetId, { updatedAt: Date.now() });
}

/** All examples of a dataset in user order. */
export function listExamples(datasetId: string): Promise<Example[]> {
  return range(datasetId).toArray();
}

export function countExamples(datasetId: string): Promise<number> {
  return getDb().examples.where('datasetId').equals(datasetId).count();
}

export function getExample(id: string): Promise<Example | undefined> {
  return getDb().examples.get(id);
}

function build(datasetId: string, input: NewExample, order: number, now: number): Example {
  return {
    id: newId(),
    datasetId,
    body: input.body,
    tags: cleanTags(input.tags ?? []),
    split: input.split ?? 'train',
    notes: input.notes ?? '',
    ...(input.extra && Object.keys(input.extra).length ? { extra: input.extra } : {}),
    order,
    createdAt: now,
    updatedAt: now,
  };
}

/** The order value for a row placed right after `afterId` (or at the end). Call inside a transaction. */
async function orderAfter(datasetId: string, afterId?: string): Promise<number> {
  const last = await range(datasetId).last();
  if (!afterId) return last ? last.order + 1 : 0;
  const after = await getDb().examples.get(afterId);
  if (!after) return last ? last.order + 1 : 0;
  const next = await getDb()
    .examples.where('[datasetId+order]')
    .between([datasetId, after.order], [datasetId, Infinity], false, true)
    .first();
  if (!next) return after.order + 1;
  const mid = (after.order + next.order) / 2;
  if (mid > after.order && mid < next.order) return mid;
  await renumber(datasetId);
  return orderAfter(datasetId, afterId);
}

/** Rewrites orders to 0, 1, 2… keeping the sequence. */
async function renumber(datasetId: string): Promise<void> {
  const rows = await range(datasetId).toArray();
  await getDb().examples.bulkPut(rows.map((r, i) => ({ ...r, order: i })));
}

export async function addExample(datasetId: string, input: NewExample, afterId?: string): Promise<Example> {
  const db = getDb();
  return db.transaction('rw', db.examples, db.datasets, async () => {
    const ex = build(datasetId, input, await orderAfter(datasetId, afterId), Date.now());
    await db.examples.add(ex);
    await touch(datasetId);
    return ex;
  });
}

/** Appends many examples in one transaction (import, starters): all are written or none. */
export async function addExamples(datasetId: string, inputs: readonly NewExample[]): Promise<number> {
  const db = getDb();
  return db.transaction('rw', db.examples, db.datasets, async () => {
    if (!(await db.datasets.get(datasetId))) throw new Error('That dataset no longer exists.');
    const start = await orderAfter(datasetId);
    const now = Date.now();
    await db.examples.bulkAdd(inputs.map((input, i) => build(datasetId, input, start + i, now)));
    await touch(datasetId);
    return inputs.length;
  });
}

/** Updates one example; returns [before, after]. */
export async function updateExample(id: string, patch: ExamplePatch): Promise<[Example, Example]> {
  const db = getDb();
  return db.transaction('rw', db.examples, db.datasets, async () => {
    const before = await db.examples.get(id);
    if (!before) throw new Error('That example no longer exists.');
    const after: Example = { ...before, ...patch, updatedAt: Math.max(Date.now(), before.updatedAt + 1) };
    if (patch.tags) after.tags = cleanTags(patch.tags);
    await db.examples.put(after);
    await touch(before.datasetId);
    return [before, after];
  });
}

/**
 * Puts rows back as given (undo of edits, bulk changes and deletes), stamped with a fresh `updatedAt` newer than
 * whatever is stored, so every open tab sees the restore as the latest change. Returns the rows as written.
 */
export async function restoreExamples(rows: readonly Example[]): Promise<Example[]> {
  if (rows.length === 0) return [];
  const db = getDb();
  return db.transaction('rw', db.examples, db.datasets, async () => {
    const current = await db.examples.bulkGet(rows.map((r) => r.id));
    const now = Date.now();
    const written = rows.map((r, i) => ({ ...r, updatedAt: Math.max(now, r.updatedAt + 1, (current[i]?.updatedAt ?? 0) + 1) }));
    await db.examples.bulkPut(written);
    for (const id of new Set(rows.map((r) => r.datasetId))) await touch(id);
    return written;
  });
}

/** A copy placed right after the original. */
export async function duplicateExample(id: string): Promise<Example> {
  const db = getDb();
  return db.transaction('rw', db.examples, db.datasets, async () => {
    const src = await db.examples.get(id);
    if (!src) throw new Error('That example no longer exists.');
    const copy = build(src.datasetId, structuredClone(src), await orderAfter(src.datasetId, id), Date.now());
    await db.examples.add(copy);
    await touch(src.datasetId);
    return copy;
  });
}

/** Deletes the examples; returns the deleted rows (for undo). */
export async function deleteExamples(ids: readonly string[]): Promise<Example[]> {
  const db = getDb();
  return db.transaction('rw', db.examples, db.datasets, async () => {
    const rows = (await db.examples.bulkGet(ids.slice())).filter((r): r is Example => !!r);
    await db.examples.bulkDelete(rows.map((r) => r.id));
    for (const id of new Set(rows.map((r) => r.datasetId))) await touch(id);
    return rows;
  });
}

async function modifyMany(ids: readonly string[], change: (ex: Example) => Example | null): Promise<Example[]> {
  const db = getDb();
  return db.transaction('rw', db.examples, db.datasets, async () => {
    const rows = (await db.examples.bulkGet(ids.slice())).filter((r): r is Example => !!r);
    const now = Date.now();
    const before: Example[] = [];
    const after: Example[] = [];
    for (const r of rows) {
      const next = change(r);
      if (next) {
        before.push(r);
        after.push({ ...next, updatedAt: Math.max(now, r.updatedAt + 1) });
      }
    }
    await db.examples.bulkPut(after);
    for (const id of new Set(rows.map((r) => r.datasetId))) await touch(id);
    return before;
  });
}

/** Adds and/or removes tags on many examples; returns the changed rows as they were. */
export function bulkTag(ids: readonly string[], change: { add?: string[]; remove?: string[] }): Promise<Example[]> {
  const add = cleanTags(change.add ?? []);
  const remove = new Set(cleanTags(change.remove ?? []));
  return modifyMany(ids, (ex) => {
    const tags = cleanTags([...ex.tags.filter((t) => !remove.has(t)), ...add]);
    return tags.length === ex.tags.length && tags.every((t, i) => t === ex.tags[i]) ? null : { ...ex, tags };
  });
}

export function bulkSplit(ids: readonly string[], split: Split): Promise<Example[]> {
  return modifyMany(ids, (ex) => (ex.split === split ? null : { ...ex, split }));
}

/** Deterministic split of a whole dataset (see assignSplits); returns the changed rows as they were. */
export async function splitByRatio(datasetId: string, validationRatio: number, seed: number): Promise<Example[]> {
  const ids = await range(datasetId).primaryKeys();
  const plan = assignSplits(ids as string[], validationRatio, seed);
  return modifyMany(ids as string[], (ex) => (ex.split === plan.get(ex.id) ? null : { ...ex, split: plan.get(ex.id)! }));
}

/** Moves one example to position `toIndex` (0-based, in dataset order). Returns its row as it was. */
export async function moveExample(id: string, toIndex: number): Promise<Example> {
  const db = getDb();
  return db.transaction('rw', db.examples, db.datasets, async () => {
    const ex = await db.examples.get(id);
    if (!ex) throw new Error('That example no longer exists.');
    const rows = (await range(ex.datasetId).toArray()).filter((r) => r.id !== id);
    const i = Math.max(0, Math.min(rows.length, toIndex));
    const lo = i > 0 ? rows[i - 1].order : rows.length ? rows[0].order - 2 : -1;
    const hi = i < rows.length ? rows[i].order : lo + 2;
    const order = (lo + hi) / 2;
    if (order > lo && order < hi) await db.examples.update(id, { order });
    else {
      rows.splice(i, 0, ex);
      await db.examples.bulkPut(rows.map((r, k) => ({ ...r, order: k })));
    }
    await touch(ex.datasetId);
    return ex;
  });
}

/**
 * Imports rows into an existing dataset or a new one, all in one transaction: either every row (and the new
 * dataset) is stored, or nothing is. Returns the dataset id.
 */
export async function importExamples(
  target: { datasetId: string } | { newDataset: { name: string; description?: string } },
  inputs: readonly NewExample[],
): Promise<string> {
  const db = getDb();
  return db.transaction('rw', db.examples, db.datasets, async () => {
    let datasetId: string;
    if ('datasetId' in target) datasetId = target.datasetId;
    else {
      const now = Date.now();
      datasetId = newId();
      const name = target.newDataset.name.trim() || 'Imported dataset';
      await db.datasets.add({ id: datasetId, name, description: target.newDataset.description ?? '', systemPrompt: '', createdAt: now, updatedAt: now });
    }
    await addExamples(datasetId, inputs);
    return datasetId;
  });
}
