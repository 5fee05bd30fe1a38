import { test, expect, type Page } from '@playwright/test';
import { waitGpuReady } from './fixtures/studio';
import { PAIRS } from './fixtures/train';
import { rows } from './dataset-helpers';

/**
 * The training dashboard on the built-in model (it loads when the studio opens): a short LoRA run with evaluation and
 * validation samples draws the uPlot charts (loss raw/smoothed/validation, learning rate, gradient norm, tokens/s),
 * lists the samples by step, and reports one "final loss" everywhere; the batch view shows the trainer's padded
 * batch; the token view's heatmap shows the trained run's per-token losses with −100 positions greyed.
 */

const STEPS = 12;
/** Two more pairs, held out as the validation split (studio.split). */
const HELD_OUT: [string, string][] = [
  ['Say hello.', 'Hello!'],
  ['Colour of grass?', 'Green.'],
];

async function importWithValidation(page: Page): Promise<void> {
  await page.goto('/#/dataset');
  await expect(page.getByTestId('dataset-section')).toBeVisible();
  const line = ([instruction, output]: [string, string], split?: string) => JSON.stringify({ instruction, input: '', output, ...(split ? { studio: { split } } : {}) });
  const jsonl = [...PAIRS.map((p) => line(p)), ...HELD_OUT.map((p) => line(p, 'validation'))].join('\n') + '\n';
  await page.getByTestId('open-import').click();
  const dialog = page.getByTestId('import-dialog');
  await dialog.getByTestId('import-file-input').setInputFiles({ name: 'dash.jsonl', mimeType: 'application/octet-stream', buffer: Buffer.from(jsonl) });
  await dialog.getByTestId('import-target-new').check(); // a new dataset named after the file, not the open one
  await dialog.getByTestId('import-run').click();
  await expect(dialog.getByTestId('import-summary')).toContainText(`${PAIRS.length + HELD_OUT.length} imported`);
  await dialog.getByTestId('import-close').click();
}

async function settings(page: Page): Promise<void> {
  await page.getByTestId('train-dataset').selectOption({ label: 'dash' });
  await page.getByTestId('train-template').selectOption('model'); // the built-in model's ChatML template
  await page.getByTestId('train-max-length').fill('48');
  await page.getByTestId('train-targets').selectOption('all-linear');
  await page.getByTestId('train-dropout').fill('0');
  await page.getByTestId('train-lr').fill('0.01');
  await page.getByTestId('train-schedule').selectOption('cosine');
  await page.getByTestId('train-warmupRatio').fill('0.2');
  await page.getByTestId('train-batchSize').fill('4');
  await page.getByTestId('train-epochs').fill('100');
  await page.getByTestId('train-maxSteps').fill(String(STEPS));
  await page.getByTestId('train-evalEvery').fill('4');
  await page.getByTestId('train-checkpointEvery').fill('0');
  await page.getByTestId('train-sampleEvery').fill('4');
  await expect(page.getByTestId('plan-validation')).toHaveText(String(HELD_OUT.length));
}

test('a trained run: dashboard charts and samples, the batch view, and the per-token loss heatmap', async ({ page }) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1400, height: 1000 });
  await importWithValidation(page);
  await waitGpuReady(page);
  await page.getByTestId('nav-train').click();
  await expect(page.getByTestId('train-section')).toBeVisible();
  await expect(page.locator('[data-testid="plan-train"]')).toBeVisible({ timeout: 60_000 }); // the built-in model is loaded
  await settings(page);

  // The batch view: the first micro-batch as the trainer builds it, padded to the max length.
  await page.getByTestId('batch-toggle').click();
  const batch = page.getByTestId('batch-view');
  await expect(batch).toHaveAttribute('data-b', '4');
  await expect(batch).toHaveAttribute('data-t', '48');
  expect(Number(await batch.getAttribute('data-padding'))).toBeGreaterThan(0);
  await expect(page.getByTestId('batch-input_ids').locator('td[data-pad]').first()).toBeVisible();
  await expect(page.getByTestId('batch-attention_mask').locator('td[data-pad]').first()).toHaveText('0');
  await expect(page.getByTestId('batch-labels').locator('td[data-pad]').first()).toHaveText('−100');
  await expect(page.getByTestId('batch-labels').locator('td.batch__cell--label').first()).toBeVisible();
  await page.getByTestId('batch-card').screenshot({ path: 'test-results/dashboard-batch.png' });

  await page.getByTestId('train-start').click();
  const row = page.getByTestId('run-row').first();
  await expect(row).toHaveAttribute('data-status', 'finished', { timeout: 240_000 });
  const runId = (await row.getAttribute('data-run-id'))!;

  // Charts: uPlot canvases with every step; the loss chart has raw, smoothed and validation series.
  const loss = page.getByTestId('loss-chart');
  await expect(loss.locator('canvas')).toHaveCount(1);
  await expect(loss).toHaveAttribute('data-points', String(STEPS));
  await expect(loss).toHaveAttribute('data-kinds', 'raw,ema,val');
  await expect(loss.locator(`[data-series="${runId}"]`)).toHaveCount(1);
  for (const id of ['chart-lr', 'chart-grad-norm', 'chart-tokens-per-sec']) {
    await expect(page.getByTestId(id).locator('canvas')).toHaveCount(1);
    await expect(page.getByTestId(id)).toHaveAttribute('data-points', String(STEPS));
  }
  // One "final loss": the runs list and the dashboard summary print the same number.
  const final = await row.getAttribute('data-final-loss');
  expect(Number(final)).toBeGreaterThan(0);
  await expect(page.getByTestId('loss-summary')).toHaveAttribute('data-final-loss', final!);
  await expect(page.getByTestId('loss-summary')).toContainText('Final loss');
  await expect(page.getByTestId('loss-summary')).toContainText('Smoothed loss (EMA 0.9)');
  await expect(page.getByTestId('loss-summary')).toContainText('Validation loss');
  // Validation samples: each held-out prompt at steps 4, 8 and 12.
  const samples = page.getByTestId('samples');
  await expect(samples.getByTestId('sample-prompt')).toHaveCount(HELD_OUT.length);
  await expect(samples.getByTestId('sample-prompt').first()).toContainText(HELD_OUT[0][0]);
  for (const step of [4, 8, 12]) await expect(samples.locator(`[data-testid="sample"][data-step="${step}"]`)).toHaveCount(HELD_OUT.length);
  await page.getByTestId('live-card').screenshot({ path: 'test-results/dashboard.png' });

  // The heatmap of a trained example under the run's adapter: trained tokens coloured by loss, −100 greyed.
  await page.getByTestId('nav-dataset').click();
  await rows(page).first().click();
  await page.getByTestId('heatmap-toggle').check();
  const heat = page.getByTestId('loss-heatmap');
  await expect(heat).toHaveAttribute('data-adapter', runId);
  await expect(heat).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  const scored = heat.locator('[data-testid="heat-chip"][data-state="scored"]');
  expect(await scored.count()).toBeGreaterThan(0);
  expect(await heat.locator('[data-testid="heat-chip"][data-state="masked"]').count()).toBeGreaterThan(5);
  expect(await scored.first().evaluate((el) => getComputedStyle(el).backgroundColor)).toMatch(/^rgb/);
  const tuned = Number(await heat.getByTestId('heatmap-summary').getAttribute('data-mean'));
  await heat.screenshot({ path: 'test-results/dashboard-heatmap.png' });
  // The base model is more surprised by the trained answer than the adapter trained on it.
  await heat.getByTestId('heatmap-model').selectOption('__base__');
  await expect(heat).toHaveAttribute('data-adapter', 'base');
  await expect(heat).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  const base = Number(await heat.getByTestId('heatmap-summary').getAttribute('data-mean'));
  expect(base, `base ${base} vs tuned ${tuned}`).toBeGreaterThan(tuned);
});
