/** Test helper: a fresh, uniquely named database installed as the app database (fake-indexeddb in unit tests). */
import { createDb, setDb, type StudioDB } from './schema';

let n = 0;
export function freshDb(upTo?: number): StudioDB {
  const db = createDb(`studio-test-${Date.now()}-${n++}`, upTo);
  setDb(db);
  return db;
}
