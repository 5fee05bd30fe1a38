import { test, expect } from '@playwright/test';
import { createDatasetUi, dumpDb, newPair, openBlank, openDataset, rows, waitSaved } from './dataset-helpers';
import { SCHEMA_VERSION } from '../src/db/schema';

test('two tabs see each other’s changes live', async ({ context }) => {
  const a = await context.newPage();
  await openDataset(a);
  await createDatasetUi(a, 'Shared');
  await newPair(a);
  await a.getByTestId('field-instruction').fill('Written in tab A');
  await waitSaved(a);

  const b = await context.newPage();
  await openDataset(b);
  await expect(b.getByTestId('dataset-select').locator('option:checked')).toHaveText('Shared');
  await expect(rows(b)).toHaveCount(1);
  await expect(b.getByTestId('field-instruction')).toHaveValue('Written in tab A');

  // B edits the example A has open: A's list and (unedited) editor follow.
  await b.getByTestId('field-output').fill('Answer typed in tab B');
  await waitSaved(b);
  await expect(rows(a).first()).toContainText('Answer typed in tab B');
  await expect(a.getByTestId('field-output')).toHaveValue('Answer typed in tab B');

  // A adds an example and a dataset; B sees both.
  await newPair(a);
  await a.getByTestId('field-instruction').fill('Second, from A');
  await waitSaved(a);
  await expect(rows(b)).toHaveCount(2);
  await expect(rows(b).nth(1)).toContainText('Second, from A');
  await a.getByRole('button', { name: 'New dataset' }).click();
  await a.getByTestId('prompt-dialog').getByRole('textbox').fill('Made in A');
  await a.getByTestId('prompt-dialog').getByRole('button', { name: 'Create' }).click();
  await expect(b.getByTestId('dataset-select').locator('option', { hasText: 'Made in A' })).toHaveCount(1);

  // B deletes the first example; it disappears from A.
  await rows(b).first().click();
  await b.getByTestId('delete-example').click();
  await a.getByTestId('dataset-select').selectOption({ label: 'Shared' });
  await expect(rows(a)).toHaveCount(1);
  await expect(rows(a).first()).toContainText('Second, from A');
});

test('a database written by schema version 1 is upgraded on open, keeping its data', async ({ page }) => {
  await openBlank(page);
  // Exactly what version 1 of the app created (Dexie stores version × 10): its stores, indexes and a row missing
  // fields that later versions default.
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('studio', 10);
        req.onupgradeneeded = () => {
          const db = req.result;
          const ds = db.createObjectStore('datasets', { keyPath: 'id' });
          ds.createIndex('updatedAt', 'updatedAt');
          const ex = db.createObjectStore('examples', { keyPath: 'id' });
          ex.createIndex('datasetId', 'datasetId');
          ex.createIndex('[datasetId+order]', ['datasetId', 'order']);
          ex.createIndex('split', 'split');
          ex.createIndex('tags', 'tags', { multiEntry: true });
          ex.createIndex('updatedAt', 'updatedAt');
          db.createObjectStore('runs', { keyPath: 'id' }).createIndex('datasetId', 'datasetId');
          const cp = db.createObjectStore('checkpoints', { keyPath: 'id' });
          cp.createIndex('runId', 'runId');
          cp.createIndex('datasetId', 'datasetId');
          ds.add({ id: 'd1', name: 'From version 1', description: '', systemPrompt: '', createdAt: 1, updatedAt: 1 });
          ex.add({ id: 'e1', datasetId: 'd1', body: { kind: 'pair', instruction: 'Old question', input: '', output: 'Old answer' }, order: 0, createdAt: 1, updatedAt: 1 });
        };
        req.onsuccess = () => {
          req.result.close();
          resolve();
        };
        req.onerror = () => reject(req.error);
      }),
  );
  await openDataset(page);
  await expect(page.getByTestId('dataset-select').locator('option:checked')).toHaveText('From version 1');
  await expect(rows(page)).toHaveCount(1);
  await expect(page.getByTestId('field-output')).toHaveValue('Old answer');
  const info = await page.evaluate(
    () =>
      new Promise<{ version: number; stores: string[]; example: { tags: unknown; notes: unknown; split: unknown } }>((resolve) => {
        const req = indexedDB.open('studio');
        req.onsuccess = () => {
          const db = req.result;
          const get = db.transaction('examples').objectStore('examples').get('e1');
          get.onsuccess = () => {
            resolve({ version: db.version, stores: [...db.objectStoreNames], example: get.result });
            db.close();
          };
        };
      }),
  );
  expect(info.version).toBe(SCHEMA_VERSION * 10); // Dexie stores version × 10
  expect(info.stores).toEqual(expect.arrayContaining(['meta', 'evalResults', 'ratings', 'abVotes']));
  expect(info.example).toMatchObject({ tags: [], notes: '', split: 'train' });
  // The upgraded row edits and saves like any other.
  await page.getByTestId('field-notes').fill('edited after the upgrade');
  await waitSaved(page);
  expect((await dumpDb(page))['From version 1'][0].notes).toBe('edited after the upgrade');
});

test('an older tab holding the database open blocks the upgrade with a clear message, which clears when it closes', async ({ context }) => {
  const old = await context.newPage();
  await openBlank(old);
  // A version-1 connection that, like an old app version, ignores requests to close.
  await old.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const req = indexedDB.open('studio', 10);
        req.onupgradeneeded = () => {
          req.result.createObjectStore('datasets', { keyPath: 'id' });
        };
        req.onsuccess = () => {
          (window as unknown as { held: IDBDatabase }).held = req.result;
          resolve();
        };
      }),
  );
  const page = await context.newPage();
  await page.goto('/#/dataset');
  await expect(page.getByTestId('db-notice')).toContainText('open in another tab that uses an older version');
  await old.evaluate(() => (window as unknown as { held: IDBDatabase }).held.close());
  await expect(page.getByTestId('db-notice')).toHaveCount(0);
  await expect(page.getByTestId('dataset-welcome')).toBeVisible();
});
