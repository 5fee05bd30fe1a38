import { test, expect } from '@playwright/test';
import { blurFields, createDatasetUi, MOD, newPair, openDataset, rows, waitSaved } from './dataset-helpers';

test('create a dataset, edit with autosave, undo an edit and a delete, and find it all after a reload', async ({ page }) => {
  await openDataset(page);
  await expect(page.getByTestId('dataset-welcome')).toBeVisible();
  await createDatasetUi(page, 'Capitals');
  await expect(page.getByTestId('example-list')).toContainText('This dataset is empty');

  await newPair(page);
  await page.getByTestId('field-instruction').fill('What is the capital of France?');
  await page.getByTestId('field-output').fill('Paris.');
  await expect(page.getByTestId('save-state')).toHaveText(/Unsaved|Saving|Saved/);
  await waitSaved(page);
  await page.getByTestId('tag-input').fill('qa');
  await page.getByTestId('tag-input').press('Enter');
  await waitSaved(page);
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText('What is the capital of France?');
  await expect(rows(page).first()).toContainText('qa');

  // Undo an edit: the response goes back to what was saved before.
  await page.getByTestId('field-output').fill('Paris is the capital.');
  await waitSaved(page);
  await expect(rows(page).first()).toContainText('Paris is the capital.');
  await blurFields(page);
  await page.keyboard.press(`${MOD}+z`);
  await expect(page.getByTestId('field-output')).toHaveValue('Paris.');
  await expect(rows(page).first()).toContainText('Paris.');
  await expect(rows(page).first()).not.toContainText('Paris is the capital.');

  // A second example, then delete it and undo the delete from the toast.
  await blurFields(page);
  await page.keyboard.press('n');
  await expect(rows(page)).toHaveCount(2);
  await expect(page.getByTestId('field-instruction')).toHaveValue('');
  await page.getByTestId('field-instruction').fill('What is the capital of Japan?');
  await page.getByTestId('field-output').fill('Tokyo.');
  await waitSaved(page);
  await page.getByTestId('delete-example').click();
  await expect(rows(page)).toHaveCount(1);
  await expect(page.getByTestId('toast').filter({ hasText: 'Deleted the example.' })).toBeVisible();
  await page.getByTestId('toast').getByRole('button', { name: 'Undo' }).click();
  await expect(rows(page)).toHaveCount(2);
  await expect(rows(page).nth(1)).toContainText('Japan');

  // Delete again and undo with the keyboard.
  await rows(page).nth(1).click();
  await page.getByTestId('delete-example').click();
  await expect(rows(page)).toHaveCount(1);
  await blurFields(page);
  await page.keyboard.press(`${MOD}+z`);
  await expect(rows(page)).toHaveCount(2);

  await page.reload();
  await expect(page.getByTestId('dataset-select').locator('option:checked')).toHaveText('Capitals');
  await expect(rows(page)).toHaveCount(2);
  await rows(page).first().click();
  await expect(page.getByTestId('field-instruction')).toHaveValue('What is the capital of France?');
  await expect(page.getByTestId('field-output')).toHaveValue('Paris.');
  await expect(page.getByRole('button', { name: 'Remove tag qa' })).toBeVisible();
});

test('keyboard: j/k and Alt+arrows move between examples, Ctrl+S saves at once, Ctrl+Enter adds, chats edit turns', async ({ page }) => {
  await openDataset(page);
  await createDatasetUi(page, 'Keys');
  for (const q of ['one', 'two', 'three']) {
    await newPair(page);
    await page.getByTestId('field-instruction').fill(q);
    await page.keyboard.press(`${MOD}+s`);
    await waitSaved(page);
  }
  await blurFields(page);
  await page.keyboard.press('k');
  await expect(page.getByTestId('field-instruction')).toHaveValue('two');
  await page.keyboard.press('k');
  await expect(page.getByTestId('field-instruction')).toHaveValue('one');
  await page.keyboard.press('j');
  await expect(page.getByTestId('field-instruction')).toHaveValue('two');
  await page.getByTestId('field-instruction').focus();
  await page.keyboard.press('Alt+ArrowDown');
  await expect(page.getByTestId('field-instruction')).toHaveValue('three');

  // Reorder with Alt+Shift+↑, then undo the move.
  await page.keyboard.press('Alt+Shift+ArrowUp');
  await expect(rows(page).nth(1)).toContainText('three');
  await expect(rows(page).nth(2)).toContainText('two');
  await blurFields(page);
  await page.keyboard.press(`${MOD}+z`);
  await expect(rows(page).nth(2)).toContainText('three');

  await page.keyboard.press(`${MOD}+Enter`);
  await expect(rows(page)).toHaveCount(4);
  await expect(page.getByTestId('field-instruction')).toHaveValue('');
  await page.getByTestId('kind-select').selectOption('chat');
  await page.getByLabel('Turn 1 content').fill('Hello?');
  await page.getByLabel('Turn 2 content').fill('Hi! How can I help?');
  await page.getByLabel('Train on turn 2').uncheck();
  await page.getByRole('button', { name: '+ Add user turn' }).click();
  await page.getByLabel('Turn 3 content').fill('Tell me a joke.');
  await page.getByRole('button', { name: 'Move turn 3 up' }).click();
  await expect(page.getByLabel('Turn 2 content')).toHaveValue('Tell me a joke.');
  await page.getByRole('button', { name: 'Remove turn 2' }).click();
  await waitSaved(page);
  await page.reload();
  await rows(page).nth(3).click();
  await expect(page.getByTestId('chat-turn')).toHaveCount(2);
  await expect(page.getByLabel('Train on turn 2')).not.toBeChecked();

  await page.getByTestId('help-button').click();
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toContainText('Next / previous example');
});
