/**
 * The studio's IndexedDB database ("studio"), opened with Dexie.
 *
 * Versions are declared in MIGRATIONS, oldest first, and never edited once released: a new version appends an entry
 * with the full store list it wants (Dexie diffs it against the previous one) and, when old rows need rewriting, an
 * `upgrade` function that runs inside the version-change transaction. A browser that still has version 1 on disk
 * walks every later entry in order the next time it opens the app.
 */
import Dexie, { type EntityTable, type Transaction } from 'dexie';
import type { Dataset, Example } from '../data/types';

export const DB_NAME = 'studio';

/** A dataset row. `deletedAt` is set while a delete can still be undone (see datasets.ts); such rows are hidden. */
export interface DatasetRow extends Dataset {
  deletedAt?: number;
}

/** Placeholder shapes for the training side; the train/export engineers extend them (fields are free-form). */
export interface RunRow {
  id: string;
  datasetId: string;
  createdAt: number;
  [key: string]: unknown;
}

export interface CheckpointRow {
  id: string;
  runId: string;
  datasetId: string;
  createdAt: number;
  [key: string]: unknown;
}

/** Small app-wide flags (e.g. whether the starter datasets were offered). Added in version 2. */
export interface MetaRow {
  key: string;
  value: unknown;
}

/** Row shapes of the v3 evaluation tables; evals.ts gives them their meaning. */
export interface EvalResultRow {
  id: string;
  modelKey: string;
  datasetId: string;
  setKey: string;
  createdAt: number;
  [key: string]: unknown;
}

export interface RatingRow {
  id: string;
  resultId: string;
  modelKey: string;
  [key: string]: unknown;
}

export interface AbVoteRow {
  id: string;
  datasetId: string;
  setKey: string;
  [key: string]: unknown;
}

export interface Migration {
  version: number;
  /** Dexie store specs: primary key first, then indexes (`*` multi-entry, `[a+b]` compound). null deletes a table. */
  stores: Record<string, string | null>;
  upgrade?: (tx: Transaction) => Promise<void>;
}

const V1_STORES = {
  datasets: 'id, updatedAt',
  examples: 'id, datasetId, [datasetId+order], split, *tags, updatedAt',
  runs: 'id, datasetId',
  checkpoints: 'id, runId, datasetId',
};

export const MIGRATIONS: Migration[] = [
  { version: 1, stores: V1_STORES },
  {
    // v2: a key/value `meta` table, and examples written before every field was required get their defaults
    // (tags [], notes '', split 'train') so the editor and the exporters never see undefined.
    version: 2,
    stores: { meta: 'key' },
    upgrade: async (tx) => {
      await tx
        .table<Example>('examples')
        .toCollection()
        .modify((ex) => {
          if (!Array.isArray(ex.tags)) ex.tags = [];
          if (typeof ex.notes !== 'string') ex.notes = '';
          if (ex.split !== 'train' && ex.split !== 'validation') ex.split = 'train';
        });
      await tx.table<MetaRow>('meta').put({ key: 'upgradedFromV1', value: Date.now() });
    },
  },
  {
    // v3: the Evaluation page's stored results (one row per model per evaluated set), human/judge ratings of their
    // outputs, and blind A/B votes (evals.ts). Additive: no existing row changes.
    version: 3,
    stores: {
      evalResults: 'id, modelKey, datasetId, [datasetId+setKey], createdAt',
      ratings: 'id, resultId, modelKey',
      abVotes: 'id, [datasetId+setKey]',
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export type StudioDB = Dexie & {
  datasets: EntityTable<DatasetRow, 'id'>;
  examples: EntityTable<Example, 'id'>;
  runs: EntityTable<RunRow, 'id'>;
  checkpoints: EntityTable<CheckpointRow, 'id'>;
  meta: EntityTable<MetaRow, 'key'>;
  evalResults: EntityTable<EvalResultRow, 'id'>;
  ratings: EntityTable<RatingRow, 'id'>;
  abVotes: EntityTable<AbVoteRow, 'id'>;
};

/** Opens (lazily, on first query) a database with every migration up to `upTo` applied. */
export function createDb(name = DB_NAME, upTo = SCHEMA_VERSION): StudioDB {
  const db = new Dexie(name) as StudioDB;
  for (const m of MIGRATIONS) {
    if (m.version > upTo) break;
    const v = db.version(m.version).stores(m.stores);
    if (m.upgrade) v.upgrade(m.upgrade);
  }
  return db;
}

let current: StudioDB | null = null;

/** The app's database. Tests may swap it with setDb (e.g. a fresh name per test). */
export function getDb(): StudioDB {
  current ??= createDb();
  return current;
}

export function setDb(db: StudioDB | null): void {
  current = db;
}

export function newId(): string {
  return crypto.randomUUID();
}
