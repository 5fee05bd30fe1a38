import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { listDatasets, listExamples } from '../../db';
import { freshDb } from '../../db/testDb';
import { addStarterDatasets, STARTERS } from './index';

describe('starter datasets', () => {
  it('are well-formed: every example has content and an answer, tags from the task list', () => {
    const total = STARTERS.reduce((n, s) => n + s.examples.length, 0);
    expect(total).toBeGreaterThanOrEqual(30);
    for (const s of STARTERS)
      for (const ex of s.examples) {
        if (ex.body.kind === 'pair') expect(ex.body.instruction && ex.body.output).toBeTruthy();
        if (ex.body.kind === 'chat') expect(ex.body.messages.at(-1)!.role).toBe('assistant');
        expect(ex.tags.length).toBeGreaterThan(0);
      }
  });

  it('install as separate datasets, twice without name clashes', async () => {
    freshDb();
    await addStarterDatasets();
    await addStarterDatasets(STARTERS.slice(0, 1));
    const names = (await listDatasets()).map((d) => d.name);
    expect(names).toHaveLength(STARTERS.length + 1);
    expect(names.at(-1)).toBe(`${STARTERS[0].name} (2)`);
    const ds = await listDatasets();
    expect(await listExamples(ds[0].id)).toHaveLength(STARTERS[0].examples.length);
  });
});
