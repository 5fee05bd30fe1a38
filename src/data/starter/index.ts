/** Starter datasets offered on first visit and from the dataset picker. Written for the studio. */
import { addExamples, createDataset, getDb, uniqueName } from '../../db';
import { chat } from './chat';
import { mix } from './mix';
import { sentiment } from './sentiment';
import { summaries } from './summaries';
import { translation } from './translation';
import type { StarterDataset } from './types';

export type { StarterDataset } from './types';
export const STARTERS: StarterDataset[] = [sentiment, translation, summaries, chat, mix];

/** Adds the given starters (all by default) as new datasets in one transaction; returns the id of the first. */
export async function addStarterDatasets(which: readonly StarterDataset[] = STARTERS): Promise<string | null> {
  const db = getDb();
  return db.transaction('rw', db.datasets, db.examples, async () => {
    let first: string | null = null;
    for (const s of which) {
      const ds = await createDataset({ name: await uniqueName(s.name), description: s.description, systemPrompt: s.systemPrompt });
      await addExamples(ds.id, s.examples);
      first ??= ds.id;
    }
    return first;
  });
}
