/**
 * Dataset repository. Deleting is soft at first: the row gets `deletedAt` and disappears from lists, and
 * undoDeleteDataset brings it back until UNDO_DELETE_MS have passed or another dataset is deleted; then
 * purgeDeletedDatasets removes it and its examples for good. Every multi-row write is one transaction.
 */
import type { Dataset } from '../data/types';
import { getDb, newId, type DatasetRow } from './schema';

export const UNDO_DELETE_MS = 30_000;
const MAX_NAME = 120;

function cleanName(name: string): string {
  const n = name.trim().replace(/\s+/g, ' ');
  if (!n) throw new Error('A dataset needs a name.');
  if (n.length > MAX_NAME) throw new Error(`Dataset names are at most ${MAX_NAME} characters.`);
  return n;
}

function strip(row: DatasetRow): Dataset {
  const { deletedAt: _deletedAt, ...ds } = row;
  return ds;
}

/** Live (not deleted) datasets, oldest first. */
export async function listDatasets(): Promise<Dataset[]> {
  const rows = await getDb().datasets.toArray();
  return rows.filter((r) => r.deletedAt === undefined).sort((a, b) => a.createdAt - b.createdAt).map(strip);
}

export async function getDataset(id: string): Promise<Dataset | undefined> {
  const row = await getDb().datasets.get(id);
  return row && row.deletedAt === undefined ? strip(row) : undefined;
}

/** A name not yet used by a live dataset: "Name", else "Name (2)", "Name (3)"… */
export async function uniqueName(base: string): Promise<string> {
  const taken = new Set((await listDatasets()).map((d) => d.name.toLowerCase()));
  const name = cleanName(base);
  if (!taken.has(name.toLowerCase())) return name;
  for (let i = 2; ; i++) if (!taken.has(`${name} (${i})`.toLowerCase())) return `${name} (${i})`;
}

export async function createDataset(init: { name: string; description?: string; systemPrompt?: string }): Promise<Dataset> {
  const now = Date.now();
  const ds: Dataset = {
    id: newId(),
    name: cleanName(init.name),
    description: init.description ?? '',
    systemPrompt: init.systemPrompt ?? '',
    createdAt: now,
    updatedAt: now,
  };
  await getDb().datasets.add(ds);
  return ds;
}

export async function updateDataset(id: string, patch: Partial<Pick<Dataset, 'name' | 'description' | 'systemPrompt'>>): Promise<void> {
  const clean = { ...patch, ...(patch.name !== undefined ? { name: cleanName(patch.name) } : {}) };
  const n = await getDb().datasets.update(id, { ...clean, updatedAt: Date.now() });
  if (n === 0) throw new Error('That dataset no longer exists.');
}

export function renameDataset(id: string, name: string): Promise<void> {
  return updateDataset(id, { name });
}

/** A full copy (new ids, same order/fields) in one transaction. */
export async function copyDataset(id: string, name?: string): Promise<Dataset> {
  const db = getDb();
  const src = await getDataset(id);
  if (!src) throw new Error('That dataset no longer exists.');
  const copyName = await uniqueName(name ?? `${src.name} copy`);
  return db.transaction('rw', db.datasets, db.examples, async () => {
    const now = Date.now();
    const ds: Dataset = { ...src, id: newId(), name: copyName, createdAt: now, updatedAt: now };
    const examples = await db.examples.where('datasetId').equals(id).toArray();
    await db.datasets.add(ds);
    await db.examples.bulkAdd(examples.map((ex) => ({ ...ex, id: newId(), datasetId: ds.id })));
    return ds;
  });
}

/** Purges soft-deleted datasets (all of them, or those deleted more than `olderThanMs` ago) with their examples. */
export async function purgeDeletedDatasets(olderThanMs = 0): Promise<number> {
  const db = getDb();
  const cutoff = Date.now() - olderThanMs;
  return db.transaction('rw', db.datasets, db.examples, async () => {
    const doomed = (await db.datasets.toArray()).filter((r) => r.deletedAt !== undefined && r.deletedAt <= cutoff);
    for (const d of doomed) {
      await db.examples.where('datasetId').equals(d.id).delete();
      await db.datasets.delete(d.id);
    }
    return doomed.length;
  });
}

/** Hides the dataset (undoable); any dataset deleted earlier is purged now. Returns when the undo window ends. */
export async function deleteDataset(id: string): Promise<{ undoUntil: number }> {
  const db = getDb();
  return db.transaction('rw', db.datasets, db.examples, async () => {
    await purgeDeletedDatasets(0);
    const now = Date.now();
    const n = await db.datasets.update(id, { deletedAt: now });
    if (n === 0) throw new Error('That dataset no longer exists.');
    return { undoUntil: now + UNDO_DELETE_MS };
  });
}

/** Restores a soft-deleted dataset; false when it was already purged. */
export async function undoDeleteDataset(id: string): Promise<boolean> {
  const db = getDb();
  return db.transaction('rw', db.datasets, async () => {
    const row = await db.datasets.get(id);
    if (!row || row.deletedAt === undefined) return false;
    const { deletedAt: _d, ...rest } = row;
    await db.datasets.put(rest);
    return true;
  });
}

export async function getMeta<T>(key: string): Promise<T | undefined> {
  return (await getDb().meta.get(key))?.value as T | undefined;
}

export async function setMeta(key: string, value: unknown): Promise<void> {
  await getDb().meta.put({ key, value });
}
