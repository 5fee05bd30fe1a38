import { test, expect } from '@playwright/test';
import { openDataset, rows } from './dataset-helpers';

test('the token view shows role-coloured chips with labels and trained/masked counts that follow the mask mode', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 1000 });
  await openDataset(page);
  await page.getByTestId('add-starters').click();
  await expect(page.getByTestId('dataset-select').locator('option:checked')).toHaveText('Starter · Review sentiment');
  await rows(page).first().click();
  await page.getByTestId('load-sample-tokenizer').click();
  const counts = page.getByTestId('token-counts');
  await expect(counts).toContainText('trained');
  const chips = page.getByTestId('token-chip');
  expect(await chips.count()).toBeGreaterThan(20);
  const parse = async () => {
    const m = /(\d+) tokens · (\d+) trained · (\d+) masked/.exec((await counts.textContent()) ?? '');
    return m ? { total: +m[1], trained: +m[2], masked: +m[3] } : null;
  };
  // By default the view shows what the Train settings train: for instruction pairs, the completion only.
  await expect(page.getByLabel('Which tokens are trained').locator('option:checked')).toHaveText('As in Train settings (Completion only)');
  await expect(page.getByTestId('token-view')).toContainText('a stand-in until a model is loaded');
  await page.getByTestId('token-view').screenshot({ path: '/tmp/shots/dataset-token-view-default.png' });
  const assistantOnly = (await parse())!;
  expect(assistantOnly.trained + assistantOnly.masked).toBe(assistantOnly.total);
  expect(await page.locator('[data-testid="token-chip"][data-trained="true"]').count()).toBe(assistantOnly.trained);
  // Only the answer ("positive") and the end-of-turn token are trained; the prompt is masked with −100.
  expect(assistantOnly.trained).toBeLessThan(8);
  await expect(page.locator('[data-testid="token-chip"][data-trained="false"]').first()).toContainText('−100');
  await expect(page.locator('.ds-chip--assistant.is-trained').first()).toBeVisible();

  // Editing the response changes the trained tokens live.
  await page.getByTestId('field-output').fill('positive, because the kettle is fast and the handle stays cool');
  await expect.poll(async () => (await parse())!.trained).toBeGreaterThan(assistantOnly.trained + 5);

  await page.getByLabel('Which tokens are trained').selectOption('full');
  await expect(page.getByTestId('token-view')).toContainText('preview, not the Train setting');
  await expect.poll(async () => (await parse())!.masked).toBe(0);
  await expect(page.getByTestId('token-view')).toContainText('common gotcha');
  await page.getByTestId('token-view').screenshot({ path: '/tmp/shots/dataset-token-view.png' });
});

test('statistics count tokens with the loaded tokenizer', async ({ page }) => {
  await openDataset(page);
  await page.getByTestId('add-starters').click();
  await expect(page.getByTestId('dataset-select').locator('option:checked')).toHaveText('Starter · Review sentiment');
  await page.getByTestId('open-stats').click();
  await expect(page.getByTestId('stats-dialog')).toContainText('Load a model');
  await page.getByTestId('stats-dialog').getByRole('button', { name: 'Close' }).click();
  await page.getByTestId('load-sample-tokenizer').click();
  await expect(page.getByTestId('token-counts')).toBeVisible();
  await page.getByTestId('open-stats').click();
  await page.getByTestId('count-tokens').click();
  const stats = page.getByTestId('stats-dialog');
  await expect(stats).toContainText('tokens · mean');
  await stats.screenshot({ path: 'test-results/dataset-stats.png' });
});
