import { expect, type Page } from '@playwright/test';

/** Opens the Dataset section on a fresh origin profile (each Playwright test gets its own, empty IndexedDB). */
export async function openDataset(page: Page): Promise<void> {
  // These tests are about data without a model (the token view then offers the sample tokenizer): the studio's
  // "load the built-in model when it opens" preference is turned off for them.
  await page.addInitScript(() => localStorage.setItem('studio.autoloadBuiltin', 'off'));
  await page.goto('/#/dataset');
  await expect(page.getByTestId('dataset-section')).toBeVisible();
}

/** Creates a dataset through the UI from the first-visit screen or the picker. */
export async function createDatasetUi(page: Page, name: string): Promise<void> {
  const first = page.getByTestId('create-first');
  await expect(first.or(page.getByTestId('dataset-select'))).toBeVisible();
  if (await first.isVisible()) await first.click();
  else await page.getByRole('button', { name: 'New dataset' }).click();
  const dialog = page.getByTestId('prompt-dialog');
  await dialog.getByRole('textbox').fill(name);
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByTestId('dataset-select').locator('option:checked')).toHaveText(name);
}

export async function waitSaved(page: Page): Promise<void> {
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
}

/** Playwright's "ControlOrMeta" presses Ctrl on Linux/Windows and ⌘ on macOS. */
export const MOD = 'ControlOrMeta';

/** A blank page on the app's origin (no app code runs), for preparing IndexedDB by hand. */
export async function openBlank(page: Page): Promise<void> {
  await page.route('**/__blank', (route) => route.fulfill({ body: '<!doctype html><title>blank</title>', contentType: 'text/html' }));
  await page.goto('/__blank');
}

/** The example rows currently rendered (the list is virtualised: only rows in view exist). */
export function rows(page: Page) {
  return page.getByTestId('example-row');
}

/** Moves focus out of text fields so single-key shortcuts and Ctrl+Z reach the app. */
export async function blurFields(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
}

export interface StoredExample {
  body: unknown;
  tags: string[];
  split: string;
  notes: string;
  order: number;
}

/** Reads every live dataset and its examples straight from IndexedDB (raw API, no app code), keyed by name. */
export async function dumpDb(page: Page): Promise<Record<string, StoredExample[]>> {
  return page.evaluate(
    () =>
      new Promise<Record<string, StoredExample[]>>((resolve, reject) => {
        const req = indexedDB.open('studio');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const tx = db.transaction(['datasets', 'examples'], 'readonly');
          const ds = tx.objectStore('datasets').getAll();
          const ex = tx.objectStore('examples').getAll();
          tx.oncomplete = () => {
            const out: Record<string, StoredExample[]> = {};
            for (const d of ds.result as { id: string; name: string; deletedAt?: number }[]) {
              if (d.deletedAt !== undefined) continue;
              out[d.name] = (ex.result as (StoredExample & { datasetId: string })[])
                .filter((e) => e.datasetId === d.id)
                .sort((a, b) => a.order - b.order)
                .map((e) => ({ body: e.body, tags: e.tags, split: e.split, notes: e.notes, order: e.order }));
            }
            db.close();
            resolve(out);
          };
        };
      }),
  );
}

/** Clicks "New: Pair" and waits until the editor shows the new, empty example (so typing lands in it). */
export async function newPair(page: Page): Promise<void> {
  const title = page.getByTestId('editor').locator('.ds-editor__title');
  const before = (await title.count()) ? await title.textContent() : null;
  await page.getByTestId('new-pair').click();
  if (before) await expect(title).not.toHaveText(before);
  await expect(page.getByTestId('field-instruction')).toHaveValue('');
}
