import AxeBuilder from '@axe-core/playwright';
import { test, expect, type Page } from '@playwright/test';
import { createDatasetUi, dumpDb, openDataset } from './dataset-helpers';
import { importPairs } from './fixtures/train';

/**
 * "Grow data" in the real app: FLAN templates from a small CSV go through the preview into the review queue, which
 * survives a reload; only accepted rows enter the dataset, tagged with their template. Self-Instruct on the built-in
 * model runs a small round through the Worker: the built-in model writes poor text, so the test checks the mechanics
 * (a finished run, rows in the queue or per-reason filter counts, counts that add up), not the quality.
 */

const CSV = 'review,sentiment\n"Loved every minute, great cast",positive\nDull and far too long,negative\nThe soundtrack was lovely,positive\n';

async function axeSerious(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).include('[data-testid="grow-dialog"]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('FLAN templates: CSV → preview → review queue (kept over a reload) → accept 2, reject 1 → exactly those 2 in the dataset', async ({ page }) => {
  await openDataset(page);
  await createDatasetUi(page, 'Reviews');
  await page.getByTestId('open-grow').click();
  const dialog = page.getByTestId('grow-dialog');
  await expect(dialog).toBeVisible();
  // Every tab is axe-clean, including the explanations shown while generation is not possible yet.
  await expect(dialog.getByTestId('grow-problem')).toContainText('add a few examples');
  expect(await axeSerious(page)).toEqual([]);
  await dialog.getByTestId('grow-tab-evol').click();
  await dialog.getByTestId('grow-backend-endpoint').check();
  await expect(dialog.getByTestId('grow-endpoint-url')).toBeVisible();
  expect(await axeSerious(page)).toEqual([]);
  await dialog.getByTestId('grow-tab-flan').click();
  await dialog.getByTestId('flan-file').setInputFiles({ name: 'reviews.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await expect(dialog.getByTestId('flan-table')).toContainText('3 rows');
  await dialog.getByTestId('flan-kind').selectOption('classification');
  await expect(dialog.getByTestId('flan-input')).toHaveValue('review'); // guessed from the column names
  await expect(dialog.getByTestId('flan-output')).toHaveValue('sentiment');
  await dialog.getByTestId('flan-per-row').fill('1');
  const preview = dialog.getByTestId('flan-preview-row');
  await expect(preview).toHaveCount(3);
  await expect(preview.first()).toContainText('Loved every minute, great cast');
  await expect(preview.first()).toContainText('positive, negative'); // the label set is filled into the phrasing
  await expect(dialog.getByTestId('flan-summary')).toContainText('3 pairs from 3 rows');
  expect(await axeSerious(page)).toEqual([]);

  await dialog.getByTestId('flan-queue').click();
  const queue = dialog.getByTestId('review-queue');
  await expect(queue.getByTestId('queue-row')).toHaveCount(3);
  expect(await dumpDb(page)).toEqual({ Reviews: [] }); // nothing enters the dataset before it is accepted
  expect(await axeSerious(page)).toEqual([]);

  // The queue lives in IndexedDB: a reload keeps it.
  await page.reload();
  await expect(page.getByTestId('dataset-section')).toBeVisible();
  await page.getByTestId('open-grow').click();
  await dialog.getByTestId('grow-tab-queue').click();
  await expect(queue.getByTestId('queue-row')).toHaveCount(3);

  const rows = queue.getByTestId('queue-row');
  const texts = await rows.getByTestId('queue-instruction').allTextContents();
  const tags = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-tag')));
  for (const t of tags) expect(t).toMatch(/^flan:cls-/);
  // Accept the first, edit-free; accept the (new) first; reject the last one.
  await rows.first().getByTestId('queue-accept').click();
  await expect(rows).toHaveCount(2);
  await rows.first().getByTestId('queue-accept').click();
  await expect(rows).toHaveCount(1);
  await rows.first().getByTestId('queue-reject').click();
  await expect(queue.getByTestId('queue-empty')).toBeVisible();

  const db = await dumpDb(page);
  expect(db.Reviews).toHaveLength(2);
  expect(db.Reviews.map((e) => (e.body as { instruction: string }).instruction)).toEqual(texts.slice(0, 2));
  expect(db.Reviews.map((e) => e.tags)).toEqual([[tags[0]], [tags[1]]]);
  expect(db.Reviews.map((e) => (e.body as { output: string }).output)).toEqual(['positive', 'negative']);
  await dialog.getByTestId('grow-close').click();
  await expect(page.getByTestId('example-row')).toHaveCount(2);

  // The statistics dialog's health summary sees them: a tiny dataset, all of it templated, no duplicates.
  await page.getByTestId('open-stats').click();
  const health = page.getByTestId('dataset-health');
  await expect(health.getByTestId('health-size')).toHaveAttribute('data-level', 'tiny');
  await expect(health.getByTestId('health-size')).toContainText('a few hundred to a few thousand');
  await expect(health.getByTestId('health-balance')).toContainText('100% generated or templated');
  await expect(health.getByTestId('health-duplicates')).toHaveAttribute('data-rate', '0');
});

test('Self-Instruct on the built-in model: a small run finishes and its results or per-reason filter counts add up', async ({ page }) => {
  test.setTimeout(300_000);
  await importPairs(page); // six seed tasks; the built-in model loads by itself
  await page.getByTestId('open-grow').click();
  const dialog = page.getByTestId('grow-dialog');
  await expect(dialog.getByTestId('grow-backend-model')).toBeChecked();
  await expect(dialog.getByTestId('grow-backend-model').locator('..')).toContainText('studio-base', { timeout: 90_000 });
  await dialog.getByTestId('si-count').fill('2');
  await dialog.getByTestId('si-rounds').fill('2');
  await dialog.getByTestId('si-max-tokens').fill('40');
  await expect(dialog.getByTestId('grow-problem')).toHaveCount(0);
  await dialog.getByTestId('si-start').click();
  await expect(dialog.getByTestId('grow-cancel')).toBeVisible();
  const status = dialog.getByTestId('grow-status');
  await expect(status).toHaveAttribute('data-running', 'false', { timeout: 240_000 });
  expect(await axeSerious(page)).toEqual([]);

  const queued = Number(await status.getAttribute('data-queued'));
  const filtered = Number(await status.getAttribute('data-filtered'));
  const errors = Number(await status.getAttribute('data-errors'));
  console.log(`[self-instruct on studio-base] queued ${queued}, filtered ${filtered}, errors ${errors}: ${await status.innerText()}`);
  expect(errors).toBe(0); // the Worker path itself must not fail
  expect(queued + filtered).toBeGreaterThan(0);
  expect(queued).toBeLessThanOrEqual(2);
  if (filtered > 0) {
    const counts = await dialog.getByTestId('grow-filter-counts').locator('li').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(filtered);
  }
  await dialog.getByTestId('grow-tab-queue').click();
  await expect(dialog.getByTestId('review-queue')).toHaveAttribute('data-count', String(queued));
  const rows = dialog.getByTestId('queue-row');
  await expect(rows).toHaveCount(queued);
  for (const t of await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-tag')))) expect(t).toBe('self-instruct');
  console.log(`[self-instruct on studio-base] queued instructions: ${JSON.stringify(await rows.getByTestId('queue-instruction').allTextContents())}`);
  // Still nothing new in the dataset until accepted; "Accept all shown" then adds every queued row, tagged.
  expect((await dumpDb(page)).pairs).toHaveLength(6);
  if (queued > 0) {
    await dialog.getByTestId('queue-accept-shown').click();
    await expect(dialog.getByTestId('queue-empty')).toBeVisible();
    const pairs = (await dumpDb(page)).pairs;
    expect(pairs).toHaveLength(6 + queued);
    expect(pairs.slice(6).map((e) => e.tags)).toEqual(Array(queued).fill(['self-instruct']));
  }
  await dialog.getByTestId('grow-close').click();

  // Health with the model's tokenizer: lengths against the run's max length and the share of trained tokens.
  await page.getByTestId('open-stats').click();
  await page.getByTestId('count-tokens').click();
  const lengths = page.getByTestId('health-lengths');
  await expect(lengths).toContainText('of the tokens are trained');
  const share = Number(await lengths.getAttribute('data-trained-share'));
  expect(share).toBeGreaterThan(0);
  expect(share).toBeLessThan(1); // pairs train the response only, not the prompt
});
