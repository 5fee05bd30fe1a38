import { test, expect, type Locator, type Page } from '@playwright/test';
import { startTinyHub, type TinyHub } from './fixtures/tinyModel';
import { fastSettings, openTrainOnTinyModel } from './fixtures/train';

/**
 * Continuing an adapter in the browser: a first run trains a tiny Llama; a second run picks it under "Start from"
 * and begins where the first ended — its first losses are the first run's last ones, not the base model's — with the
 * adapter's rank and targets whatever the form says.
 */

let hub: TinyHub;
test.beforeAll(async () => {
  hub = await startTinyHub();
});
test.afterAll(async () => {
  await hub?.close();
});

const setup = (page: Page) => openTrainOnTinyModel(page, hub.hub.url);

const loss = async (row: Locator, edge: 'first' | 'last') => Number(await row.getAttribute(`data-${edge}-loss`));

test('a new run started from a finished run\'s adapter starts at that run\'s last loss, not the base model\'s', async ({ page }) => {
  test.setTimeout(240_000);
  await setup(page);
  await fastSettings(page, { maxSteps: 30 });
  await expect(page.getByTestId('train-init-adapter')).toHaveValue('');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-message')).toContainText('Finished 30 steps', { timeout: 180_000 });
  const first = page.getByTestId('run-row').first();
  await expect(first).toHaveAttribute('data-status', 'finished');
  const firstId = (await first.getAttribute('data-run-id'))!;
  const [start, end] = [await loss(first, 'first'), await loss(first, 'last')];
  expect(end, `first run ${start} → ${end}`).toBeLessThan(start - 1.5);

  // Continue it: a different rank and targets in the form are replaced by the adapter's; a tiny lr keeps it in place.
  await page.getByTestId('train-init-adapter').selectOption(firstId);
  await page.getByTestId('train-r').fill('2');
  await page.getByTestId('train-targets').selectOption('attention');
  await page.getByTestId('train-lr').fill('0.00001');
  await page.getByTestId('train-maxSteps').fill('5');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-message')).toContainText('Finished 5 steps', { timeout: 120_000 });
  const second = page.getByTestId('run-row').first();
  expect(await second.getAttribute('data-run-id')).not.toBe(firstId);
  await expect(second).toHaveAttribute('data-status', 'finished');
  const resumed = await loss(second, 'first');
  expect(Math.abs(resumed - end), `continued run starts at ${resumed}; the first ended at ${end}, began at ${start}`).toBeLessThan(0.35);
  expect(resumed).toBeLessThan(start - 1.5);
});
