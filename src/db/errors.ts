/**
 * Turns storage failures into sentences a user can act on. Every repository write goes through one transaction, so
 * when any of these happens nothing was partially written: the messages say so.
 */
import type Dexie from 'dexie';

interface ErrorLike {
  name?: string;
  message?: string;
  inner?: unknown;
  failures?: unknown[];
}

function chain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let e: unknown = err;
  for (let i = 0; i < 6 && e && typeof e === 'object'; i++) {
    const el = e as ErrorLike;
    out.push(el);
    if (Array.isArray(el.failures)) out.push(...(el.failures.filter((f) => f && typeof f === 'object') as ErrorLike[]));
    e = el.inner;
  }
  return out;
}

function has(err: unknown, ...names: string[]): boolean {
  return chain(err).some((e) => e.name !== undefined && names.includes(e.name));
}

export const QUOTA_MESSAGE =
  'The browser ran out of storage space for the studio, so this change was not saved (nothing was half-written). ' +
  'Free space by deleting or exporting datasets you no longer need, or allow this site more storage, then try again.';

export const BLOCKED_MESSAGE =
  'The studio is open in another tab that uses an older version of its database. ' +
  'Close or reload the other tab(s) and this one will continue.';

export const VERSION_CHANGED_MESSAGE =
  'The studio was updated in another tab, so this tab disconnected from the database. Reload this tab to keep working.';

/** A user-facing message for anything a dexie/IndexedDB call can throw. */
export function describeDbError(err: unknown): string {
  if (has(err, 'QuotaExceededError', 'QuotaExceeded')) return QUOTA_MESSAGE;
  if (has(err, 'VersionError', 'UpgradeError'))
    return 'The saved data was written by a newer version of the studio than this tab. Reload the page.';
  if (has(err, 'DatabaseClosedError')) return VERSION_CHANGED_MESSAGE;
  if (has(err, 'MissingAPIError', 'MissingAPI'))
    return 'This browser does not offer IndexedDB storage here (some private-browsing modes disable it), so the studio cannot save datasets.';
  if (has(err, 'InvalidStateError'))
    return 'The browser refused to open the studio\u2019s storage (private browsing or a storage setting may block it).';
  if (has(err, 'ConstraintError')) return 'An item with the same id already exists; nothing was written.';
  if (has(err, 'DataCloneError', 'DataError')) return 'Some data could not be stored (it contains values IndexedDB cannot keep); nothing was written.';
  const first = chain(err)[0];
  // Our own validation errors (plain Error) already speak to the user.
  if (err instanceof Error && err.name === 'Error' && err.message) return err.message;
  const msg = first?.message ?? String(err);
  return `Saving failed: ${msg}. Nothing was partially written; try again.`;
}

/**
 * Wires the database's cross-tab version events to a notice callback: `blocked` (our upgrade waits for an older tab)
 * and `versionchange` (a newer tab wants to upgrade: we close so it is not blocked).
 */
export function watchDbEvents(db: Dexie, notify: (message: string | null) => void): () => void {
  const onBlocked = () => notify(BLOCKED_MESSAGE);
  const onVersionChange = () => {
    db.close();
    notify(VERSION_CHANGED_MESSAGE);
    return false;
  };
  const onReady = () => notify(null);
  db.on('blocked', onBlocked);
  db.on('versionchange', onVersionChange);
  db.on('ready', onReady);
  return () => {
    db.on('blocked').unsubscribe(onBlocked);
    db.on('versionchange').unsubscribe(onVersionChange);
    db.on('ready').unsubscribe(onReady);
  };
}
