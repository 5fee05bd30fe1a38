/**
 * The "Grow data" review queue: generated rows waiting for a person to accept, edit or reject them. Nothing in it is
 * part of the dataset until accepted. Stored in the `meta` table (one row per item, key `grow:<datasetId>:<itemId>`),
 * so it survives a reload without a schema change; accepting writes the examples and removes the items in one
 * transaction, so a row is never both queued and in the dataset, nor lost in between.
 */
import type { PairBody } from '../data/types';
import { addExamples } from './examples';
import { getDb, newId, type MetaRow } from './schema';

export interface QueueItem {
  id: string;
  datasetId: string;
  body: PairBody;
  /** Origin tag the accepted example carries: 'self-instruct', 'evol:deepen', 'flan:qa-passage', … */
  tag: string;
  /** Evol-Instruct: the instruction this one was evolved from. */
  parent?: string;
  createdAt: number;
  /** Set when the person edited the row in the queue. */
  edited?: boolean;
}

const PREFIX = 'grow:';

function key(datasetId: string, id: string): string {
  return `${PREFIX}${datasetId}:${id}`;
}

function range(datasetId: string) {
  return getDb().meta.where('key').startsWith(`${PREFIX}${datasetId}:`);
}

/** The queue of a dataset, oldest first. */
export async function listQueue(datasetId: string): Promise<QueueItem[]> {
  const rows = await range(datasetId).toArray();
  return rows.map((r) => r.value as QueueItem).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

export async function enqueue(datasetId: string, items: readonly Omit<QueueItem, 'id' | 'datasetId' | 'createdAt'>[]): Promise<QueueItem[]> {
  const now = Date.now();
  const rows: QueueItem[] = items.map((it, i) => ({ ...it, id: newId(), datasetId, createdAt: now + i / 1000 }));
  await getDb().meta.bulkPut(rows.map((r): MetaRow => ({ key: key(datasetId, r.id), value: r })));
  return rows;
}

export async function updateQueued(item: QueueItem, body: PairBody): Promise<void> {
  const db = getDb();
  await db.transaction('rw', db.meta, async () => {
    if (!(await db.meta.get(key(item.datasetId, item.id)))) throw new Error('That row is no longer in the queue.');
    await db.meta.put({ key: key(item.datasetId, item.id), value: { ...item, body, edited: true } });
  });
}

export async function rejectQueued(items: readonly Pick<QueueItem, 'id' | 'datasetId'>[]): Promise<void> {
  await getDb().meta.bulkDelete(items.map((i) => key(i.datasetId, i.id)));
}

export async function clearQueue(datasetId: string): Promise<number> {
  return range(datasetId).delete();
}

/**
 * Adds the items to their dataset as examples (train split, tagged with their origin) and removes them from the
 * queue, all in one transaction. Items already gone from the queue (accepted in another tab) are skipped. Returns how
 * many were added.
 */
export async function acceptQueued(datasetId: string, items: readonly QueueItem[]): Promise<number> {
  const db = getDb();
  return db.transaction('rw', db.examples, db.datasets, db.meta, async () => {
    const still = await db.meta.bulkGet(items.map((i) => key(datasetId, i.id)));
    // The stored rows, not the caller's copies: an edit saved meanwhile (another tab) is what gets accepted.
    const live = still.filter((r): r is MetaRow => !!r).map((r) => r.value as QueueItem);
    if (live.length === 0) return 0;
    await addExamples(datasetId, live.map((i) => ({ body: i.body, tags: [i.tag], split: 'train' as const })));
    await db.meta.bulkDelete(live.map((i) => key(datasetId, i.id)));
    return live.length;
  });
}
