import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { CSV_HEADER } from '../src/eval/report';
import { waitGpuReady } from './fixtures/studio';
import { createDatasetUi } from './dataset-helpers';

/**
 * The Evaluation page for real: the built-in model, the Try-it phrase dataset (its validation split is the held-out
 * set), a short LoRA run, then base vs the run scored on a few held-out questions through the Worker's greedy
 * generation. The table has numbers for both, an example opens both answers side by side with the reference and its
 * per-token loss under each model, ratings and A/B votes survive a reload, the CSV downloads, and a dataset without a
 * validation split says so instead of showing 0%.
 */

/** Held-out questions evaluated (the first N of the split) and the training steps: enough to exercise, quick on SwiftShader. */
const N = 3;
const STEPS = 40;

/**
 * A stand-in LLM judge: a real OpenAI-compatible HTTP endpoint (with CORS, as a local server must allow the page)
 * that answers "Score: 4" — except its third request, answered with text that holds no score.
 */
async function startJudge(): Promise<{ server: Server; url: string; requests: () => number }> {
  let n = 0;
  const server = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'content-type, authorization');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { model: string; messages: { role: string; content: string }[] };
      const content = ++n === 3 ? 'I would rather not say.' : 'Score: 4\nReason: close to the reference.';
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ model: parsed.model, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests: () => n };
}

async function download(page: Page, testId: string): Promise<{ name: string; text: string }> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { name: d.suggestedFilename(), text: readFileSync((await d.path())!, 'utf8') };
}

test('evaluate base vs a run: metrics per model, side-by-side answers, ratings that persist, CSV', async ({ page }) => {
  test.setTimeout(360_000);
  await page.goto('/#/train');
  await waitGpuReady(page);
  const card = page.getByTestId('try-it');
  await expect(card).toBeVisible({ timeout: 60_000 }); // the built-in model has loaded
  await card.getByTestId('try-it-setup').click();
  // With other datasets present, the Train form can re-pick one of them before the new dataset reaches its list (a
  // race on the Train page, reported); setting up again reuses the dataset, which the list then holds.
  await expect(page.getByTestId('train-dataset').locator('option', { hasText: 'Try it · Finish the phrase' })).toHaveCount(1);
  if (!(await card.getByTestId('try-it-ready').isVisible())) await card.getByTestId('try-it-setup').click();
  await expect(card.getByTestId('try-it-ready')).toBeVisible();
  await page.getByTestId('train-maxSteps').fill(String(STEPS));
  await expect(page.getByTestId('plan-steps')).toContainText(String(STEPS));
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-status', 'finished', { timeout: 180_000 });

  // A second dataset, still empty: nothing held out.
  await page.getByTestId('nav-dataset').click();
  await createDatasetUi(page, 'Nothing held out');

  await page.getByTestId('nav-evaluate').click();
  const setup = page.getByTestId('eval-setup');
  await expect(setup.getByTestId('eval-dataset').locator('option:checked')).toHaveText('Try it · Finish the phrase');

  // A dataset without held-out examples says so, and cannot be "evaluated" into a 0%.
  await setup.getByTestId('eval-dataset').selectOption({ label: 'Nothing held out' });
  await expect(setup.getByTestId('eval-empty-set')).toContainText('no held-out examples');
  await expect(setup.getByTestId('eval-run')).toBeDisabled();
  await setup.getByTestId('eval-dataset').selectOption({ label: 'Try it · Finish the phrase' });

  await expect(setup.getByTestId('eval-set')).toHaveValue('validation');
  await expect(setup.getByTestId('eval-model-base')).toBeChecked();
  await expect(setup.getByTestId('eval-model-run')).toBeChecked();
  await setup.getByTestId('eval-limit').fill(String(N));
  await setup.getByTestId('eval-max-tokens').fill('8');
  await expect(setup.getByTestId('eval-run')).toHaveText(`Evaluate ${N} examples × 2 models`);
  await setup.getByTestId('eval-run').click();
  const progress = setup.getByTestId('eval-progress');
  await expect(progress).toHaveAttribute('data-phase', 'done', { timeout: 120_000 });
  await expect(progress).toHaveAttribute('data-done', String(2 * N));

  // The table: a number for both models on every metric (the questions all have reference answers).
  const table = page.getByTestId('eval-table');
  await expect(table.locator('thead th')).toHaveCount(3);
  for (const key of ['exact', 'normalizedExact', 'rougeL', 'tokenF1']) {
    const cells = page.getByTestId(`eval-row-${key}`).getByTestId(`eval-cell-${key}`);
    await expect(cells).toHaveCount(2);
    for (const v of await cells.evaluateAll((els) => els.map((e) => e.getAttribute('data-value')))) {
      expect(v, key).not.toBe('');
      expect(Number(v)).toBeGreaterThanOrEqual(0);
      expect(Number(v)).toBeLessThanOrEqual(1);
    }
  }
  await expect(page.getByTestId('eval-row-exact')).toContainText('pts'); // the difference from the base model
  const values = async (key: string) => page.getByTestId(`eval-row-${key}`).getByTestId(`eval-cell-${key}`).evaluateAll((els) => els.map((e) => e.getAttribute('data-value')));
  console.log(`evaluate: base vs run on ${N} held-out questions after ${STEPS} steps — exact ${await values('exact')}, ROUGE-L ${await values('rougeL')}`);

  // One example: both answers, the reference, and the reference's per-token loss under each model.
  const rows = page.getByTestId('eval-example-row');
  await expect(rows).toHaveCount(N);
  await rows.first().getByTestId('eval-example-open').click();
  const detail = page.getByTestId('eval-detail');
  await expect(detail.getByTestId('eval-detail-output')).toHaveCount(2);
  await expect(detail.getByTestId('eval-detail-reference')).not.toBeEmpty();
  for (const out of await detail.getByTestId('eval-detail-text').all()) await expect(out).not.toBeEmpty();
  const losses = detail.getByTestId('eval-refloss');
  await expect(losses).toHaveCount(2);
  await expect(losses.nth(0)).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(losses.nth(1)).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  const [baseLoss, runLoss] = [Number(await losses.nth(0).getAttribute('data-mean')), Number(await losses.nth(1).getAttribute('data-mean'))];
  expect(baseLoss).toBeGreaterThan(0);
  expect(runLoss).toBeGreaterThan(0);
  expect(runLoss).toBeLessThan(baseLoss); // trained on such answers, the run expects them more
  console.log(`evaluate: reference loss of the first example — base ${baseLoss.toFixed(3)}, run ${runLoss.toFixed(3)} nats/token`);

  // Ratings: 4 for the base model's answer, 2 for the run's.
  const ratings = detail.getByTestId('eval-rating');
  await ratings.nth(0).getByTestId('eval-rate-4').check();
  await ratings.nth(1).getByTestId('eval-rate-2').check();
  await expect(ratings.nth(0)).toHaveAttribute('data-value', '4');
  await expect(page.getByTestId('eval-row-rating')).toContainText('4.00');

  // Blind A/B: one vote, then the names are revealed.
  const ab = page.getByTestId('eval-ab');
  await ab.getByTestId('eval-ab-start').click();
  await expect(ab.getByTestId('eval-ab-reveal')).toHaveCount(0);
  await ab.getByTestId('eval-ab-vote-1').click();
  await expect(ab.getByTestId('eval-ab-reveal')).toHaveCount(2);
  await expect(ab.getByTestId('eval-ab-tally')).toContainText('1 vote of 3 examples');

  // The judge sends nothing unless set up; then every answer is graded, a bad reply fails its row only, and a retry
  // fills it in.
  await expect(page.getByTestId('eval-judge-privacy')).toContainText('Nothing is sent anywhere unless you set this up');
  await expect(page.getByTestId('judge-run')).toBeDisabled();
  const judge = await startJudge();
  try {
    await page.getByTestId('judge-url').fill(judge.url);
    await page.getByTestId('judge-model').fill('stand-in-judge');
    await page.getByTestId('judge-run').click();
    await expect(page.getByTestId('judge-progress')).toHaveText(`Judged ${2 * N} of ${2 * N}.`);
    await expect(page.getByTestId('judge-failures')).toContainText('1 answer could not be judged');
    await expect(page.getByTestId('judge-failures')).toContainText('no score found');
    const judged = page.getByTestId('judge-summary').locator('tbody tr');
    await expect(judged).toHaveCount(2);
    await expect(page.getByTestId('judge-summary')).toContainText('4.00');
    await page.getByTestId('judge-retry').click();
    await expect(page.getByTestId('judge-progress')).toHaveText('Judged 1 of 1.');
    await expect(page.getByTestId('judge-failures')).toHaveCount(0);
    expect(judge.requests()).toBe(2 * N + 1);
    await expect(page.getByTestId('eval-row-judge').locator('td').first()).toHaveText(/^4\.00/);
  } finally {
    judge.server.close();
  }

  // The full page (results, an open example, a revealed pair) passes axe in both themes.
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const r = await new AxeBuilder({ page }).include('[data-testid="page-evaluate"]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    expect(bad, scheme).toEqual([]);
  }

  // CSV: a header and one line per answer.
  const csv = await download(page, 'eval-download-csv');
  expect(csv.name).toMatch(/\.csv$/);
  const lines = csv.text.trim().split(/\r\n/);
  expect(lines[0]).toBe(CSV_HEADER.join(','));
  expect(lines).toHaveLength(1 + 2 * N);
  const md = await download(page, 'eval-download-md');
  expect(md.text).toContain('| Exact match |');

  // After a reload the stored results, the ratings and the vote are back.
  await page.reload();
  await expect(page.getByTestId('eval-table')).toBeVisible();
  await expect(page.getByTestId('eval-example-row')).toHaveCount(N);
  expect(await values('rougeL')).toHaveLength(2);
  await page.getByTestId('eval-example-row').first().getByTestId('eval-example-open').click();
  await expect(page.getByTestId('eval-rating').nth(0)).toHaveAttribute('data-value', '4');
  await expect(page.getByTestId('eval-rating').nth(1)).toHaveAttribute('data-value', '2');
  await expect(page.getByTestId('eval-ab-tally')).toContainText('1 vote of 3 examples');
  await expect(page.getByTestId('eval-row-judge')).toContainText(`4.00 (${N} rated)`);
  await expect(page.getByTestId('judge-model')).toHaveValue('stand-in-judge'); // the address and model are remembered
  await expect(page.getByTestId('judge-key')).toHaveValue('');

  // Cancel part way through a longer evaluation (after more answers than before): what finished is kept, and the table
  // compares only the examples both models answered.
  const again = page.getByTestId('eval-setup');
  await again.getByTestId('eval-limit').fill('0');
  await again.getByTestId('eval-max-tokens').fill('8');
  await again.getByTestId('eval-run').click();
  await expect.poll(async () => Number(await again.getByTestId('eval-progress').getAttribute('data-done')), { timeout: 60_000 }).toBeGreaterThanOrEqual(N + 1);
  await again.getByTestId('eval-cancel').click();
  await expect(again.getByTestId('eval-progress')).toHaveAttribute('data-phase', 'stopped');
  await expect(page.getByTestId('eval-partial')).toContainText('cancelled part way');
  await expect(page.getByTestId('eval-common')).toContainText('the table compares the');
});
