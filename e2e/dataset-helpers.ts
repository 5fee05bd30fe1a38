import { expect, type Page } from '@playwright/test';

/** Opens the Dataset section on a fresh origin profile (each Playwright test gets its own, empty IndexedDB). */
export async function openDataset(page: Page): Promise<void> {
  await page.goto('/#/dataset');
  await expect(page.getByTestId('dataset-section')).toBeVisible();
}

/** Creates a dataset through the UI from the first-visit screen or the picker. */
export async function createDatasetUi(page: Page, name: string): Promise<void> {
  const first = page.getByTestId('create-first');
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
