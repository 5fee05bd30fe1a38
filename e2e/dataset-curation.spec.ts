import { test, expect } from '@playwright/test';
import { blurFields, dumpDb, MOD, openDataset, rows, waitSaved } from './dataset-helpers';

test.beforeEach(async ({ page }) => {
  await openDataset(page);
  await page.getByTestId('add-starters').click();
  await expect(page.getByTestId('dataset-select').locator('option:checked')).toHaveText('Starter · Review sentiment');
  await expect(rows(page)).toHaveCount(10);
});

test('search and filters narrow the list; multi-select with shift/ctrl-click; bulk tag, split and delete are undoable', async ({ page }) => {
  await page.getByTestId('example-search').fill('kettle');
  await expect(rows(page)).toHaveCount(1);
  await expect(page.getByTestId('shown-count')).toHaveText('1 of 10 shown');
  await page.getByTestId('example-search').fill('"support never"');
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText('Stopped charging');
  await page.getByTestId('example-search').fill('');
  await page.getByTestId('filter-split').selectOption('validation');
  await expect(rows(page)).toHaveCount(2);
  await page.getByTestId('filter-split').selectOption('all');
  await page.getByTestId('filter-kind').selectOption('chat');
  await expect(page.getByTestId('example-list')).toContainText('No examples match');
  await page.getByTestId('filter-kind').selectOption('all');

  // Click the first, shift-click the third, ctrl-click the fifth: four selected.
  await rows(page).nth(0).click();
  await rows(page).nth(2).click({ modifiers: ['Shift'] });
  await rows(page).nth(4).click({ modifiers: ['ControlOrMeta'] });
  const bar = page.getByTestId('bulk-bar');
  await expect(bar).toContainText('4 selected');
  await bar.getByTestId('bulk-tag-input').fill('Reviewed');
  await bar.getByRole('button', { name: 'Add tag' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Tagged 4 examples' })).toBeVisible();
  await page.getByTestId('filter-tag').selectOption('reviewed');
  await expect(rows(page)).toHaveCount(4);
  await expect(page.getByTestId('shown-count')).toHaveText('4 of 10 shown');
  let db = await dumpDb(page);
  expect(db['Starter · Review sentiment'].map((e) => e.tags.includes('reviewed'))).toEqual([true, true, true, false, true, false, false, false, false, false]);

  // Select all shown (the four) → validation, then undo it with the keyboard.
  await page.getByTestId('select-all').check();
  await page.getByTestId('bulk-bar').getByRole('button', { name: '→ Validation' }).click();
  await page.getByTestId('filter-tag').selectOption('*');
  await page.getByTestId('filter-split').selectOption('validation');
  await expect(rows(page)).toHaveCount(6);
  await blurFields(page);
  await page.keyboard.press(`${MOD}+z`);
  await expect(rows(page)).toHaveCount(2);
  await page.getByTestId('filter-split').selectOption('all');

  // Bulk delete and undo from the toast.
  await page.getByTestId('filter-tag').selectOption('reviewed');
  await page.getByTestId('select-all').check();
  await page.getByTestId('bulk-bar').getByRole('button', { name: 'Delete 4' }).click();
  await expect(page.getByTestId('example-list')).toContainText('No examples match');
  await page.getByTestId('toast').filter({ hasText: 'Deleted 4 examples' }).getByRole('button', { name: 'Undo' }).click();
  await expect(rows(page)).toHaveCount(4);
  db = await dumpDb(page);
  expect(db['Starter · Review sentiment']).toHaveLength(10);
});

test('duplicates: an exact copy and a near copy are flagged and can be filtered', async ({ page }) => {
  await expect(page.getByTestId('duplicate-count')).toHaveText('0');
  await rows(page).first().click();
  await page.getByTestId('duplicate-example').click();
  await expect(rows(page)).toHaveCount(11);
  await expect(page.getByTestId('duplicate-count')).toHaveText('2');
  await expect(page.getByTestId('dup-badge')).toHaveCount(2);
  await expect(page.getByTestId('dup-badge').first()).toHaveText('duplicate');
  await expect(page.getByTestId('dup-notice')).toContainText('Exact duplicate of example 1');

  // Change one word of the copy: still ≥ 90% similar → a near duplicate.
  const input = page.getByTestId('field-input');
  await input.fill((await input.inputValue()).replace('two minutes', 'three minutes'));
  await waitSaved(page);
  await expect(page.getByTestId('dup-badge').first()).toHaveText('near-dup');
  await expect(page.getByTestId('dup-notice')).toContainText(/Near duplicate \(9\d% similar\) of example 1/);
  await page.getByTestId('filter-duplicates').click();
  await expect(rows(page)).toHaveCount(2);

  // Rewrite it completely: no longer a duplicate.
  await input.fill('A different review entirely: the blender is loud but powerful.');
  await waitSaved(page);
  await expect(page.getByTestId('duplicate-count')).toHaveText('0');
  await expect(page.getByTestId('dup-badge')).toHaveCount(0);
});

test('dataset management: rename, copy, delete with undo; the statistics dialog counts and re-splits', async ({ page }) => {
  await page.getByRole('button', { name: 'Rename dataset' }).click();
  await page.getByTestId('prompt-dialog').getByRole('textbox').fill('Reviews');
  await page.getByTestId('prompt-dialog').getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByTestId('dataset-select').locator('option:checked')).toHaveText('Reviews');
  await page.getByRole('button', { name: 'Copy dataset' }).click();
  await expect(page.getByTestId('dataset-select').locator('option:checked')).toHaveText('Reviews copy');
  await expect(rows(page)).toHaveCount(10);

  await page.getByRole('button', { name: 'Delete dataset' }).click();
  await expect(page.getByTestId('confirm-dialog')).toContainText('10 examples will be deleted');
  await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Delete dataset' }).click();
  await expect(page.getByTestId('dataset-select').locator('option', { hasText: 'Reviews copy' })).toHaveCount(0);
  await page.getByTestId('toast').filter({ hasText: 'Deleted “Reviews copy”' }).getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByTestId('dataset-select').locator('option:checked')).toHaveText('Reviews copy');
  expect((await dumpDb(page))['Reviews copy']).toHaveLength(10);

  await page.getByTestId('open-stats').click();
  const stats = page.getByTestId('stats-dialog');
  await expect(stats).toContainText('8 train');
  await expect(stats).toContainText('classification 10');
  await stats.getByLabel('Validation share').fill('50');
  await stats.getByRole('button', { name: 'Apply split' }).click();
  await expect(stats).toContainText('5 validation');
  const first = (await dumpDb(page))['Reviews copy'].map((e) => e.split);
  await stats.getByLabel('Validation share').fill('20');
  await stats.getByRole('button', { name: 'Apply split' }).click();
  // Wait for the 20% split to land before going back, so "5 validation" below is the new split, not the old one.
  await expect(stats).toContainText('2 validation');
  await stats.getByLabel('Validation share').fill('50');
  await stats.getByRole('button', { name: 'Apply split' }).click();
  await expect(stats).toContainText('5 validation');
  await expect.poll(async () => (await dumpDb(page))['Reviews copy'].map((e) => e.split)).toEqual(first);
});
