import { test, expect, type Page } from '@playwright/test';
import { dumpDb, openDataset, rows } from './dataset-helpers';
import { startTinyHub, TINY_REPO, type TinyHub } from './fixtures/tinyModel';
import { loadFromHub, openModelPage } from './fixtures/studio';

/**
 * The per-turn "train" box keeps its promise: unticking it on an assistant reply masks that reply in the token view
 * (and its trained-token count) in the default "Assistant turns" mode, and the Train page plans exactly that. The Train
 * page also preselects a dataset without showing errors first, refuses data with nothing to train on before it
 * starts, counts examples over the max length (truncated or skipped), and names an empty held-out split.
 */

/** Imports JSONL rows through the Dataset section's import dialog, into a new dataset named after the file. */
async function importJsonl(page: Page, name: string, lines: unknown[]): Promise<void> {
  await page.goto('/#/dataset');
  await expect(page.getByTestId('dataset-section')).toBeVisible();
  await page.getByTestId('open-import').click();
  const dialog = page.getByTestId('import-dialog');
  const body = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
  await dialog.getByTestId('import-file-input').setInputFiles({ name: `${name}.jsonl`, mimeType: 'application/octet-stream', buffer: Buffer.from(body) });
  await dialog.getByTestId('import-target-new').check(); // a new dataset named after the file, not the open one
  await dialog.getByTestId('import-run').click();
  await expect(dialog.getByTestId('import-summary')).toContainText(`${lines.length} imported`);
  await dialog.getByTestId('import-close').click();
}

const chat = (...turns: [string, string, 0?][]) => ({
  messages: turns.flatMap(([q, a, w]) => [{ role: 'user', content: q }, { role: 'assistant', content: a, ...(w === 0 ? { weight: 0 } : {}) }]),
});

interface Chip {
  piece: string;
  trained: boolean;
  assistant: boolean;
}

async function chips(page: Page): Promise<Chip[]> {
  return page.getByTestId('token-chip').evaluateAll((els) =>
    els.map((el) => ({
      piece: el.querySelector('.ds-chip__piece')?.textContent ?? '',
      trained: el.getAttribute('data-trained') === 'true',
      assistant: el.classList.contains('ds-chip--assistant'),
    })),
  );
}

async function counts(page: Page): Promise<{ total: number; trained: number; masked: number }> {
  const m = /(\d+) tokens · (\d+) trained · (\d+) masked/.exec((await page.getByTestId('token-counts').textContent()) ?? '');
  if (!m) throw new Error('no token counts');
  return { total: +m[1], trained: +m[2], masked: +m[3] };
}

test('unticking "train" on an assistant reply masks it in the token view and its trained count, in "Assistant turns" mode', async ({ page }) => {
  await openDataset(page);
  await importJsonl(page, 'chats', [chat(['Hi', 'Nope.'], ['Capital of Italy?', 'Rome.'])]);
  await rows(page).first().click();
  await page.getByTestId('load-sample-tokenizer').click();
  await expect(page.getByTestId('token-counts')).toBeVisible();
  // The default mode for chats: every assistant turn.
  await expect(page.getByLabel('Which tokens are trained').locator('option:checked')).toHaveText('As in Train settings (Assistant turns)');

  const before = await counts(page);
  const chipsBefore = await chips(page);
  const assistantBefore = chipsBefore.filter((c) => c.assistant);
  expect(assistantBefore.length).toBeGreaterThan(2);
  expect(assistantBefore.every((c) => c.trained)).toBe(true);
  expect(assistantBefore.map((c) => c.piece).join('')).toBe('Nope.Rome.');
  await expect(page.getByTestId('token-unticked')).toHaveCount(0);

  const box = page.getByLabel('Train on turn 2');
  await expect(box).toBeChecked();
  await box.uncheck();

  // The first reply's tokens are now −100, the second's still trained; the count drops by the reply + its end-of-turn token.
  await expect(page.getByTestId('token-unticked')).toHaveText('· 1 unticked reply not trained');
  await expect.poll(async () => (await counts(page)).trained).toBeLessThan(before.trained);
  const after = await counts(page);
  const chipsAfter = await chips(page);
  expect(chipsAfter.filter((c) => c.assistant && c.trained).map((c) => c.piece).join('')).toBe('Rome.');
  expect(chipsAfter.filter((c) => c.assistant && !c.trained).map((c) => c.piece).join('')).toBe('Nope.');
  const firstReply = chipsAfter.filter((c) => c.assistant && !c.trained).length;
  expect(after.total).toBe(before.total);
  expect(after.trained).toBe(before.trained - firstReply - 1);
  expect(after.masked).toBe(before.masked + firstReply + 1);
  expect(await page.locator('[data-testid="token-chip"][data-trained="true"]').count()).toBe(after.trained);
  await page.getByTestId('token-view').screenshot({ path: 'test-results/token-view-unticked.png' });

  // Full sequence trains everything else, but not the unticked reply either.
  await page.getByLabel('Which tokens are trained').selectOption('full');
  await expect.poll(async () => (await chips(page)).filter((c) => c.assistant && !c.trained).map((c) => c.piece).join('')).toBe('Nope.');
  await page.getByRole('button', { name: 'back to Train settings' }).click();

  // Stored as OpenAI's weight 0; ticking it again restores the count.
  await expect.poll(async () => ((await dumpDb(page)).chats[0].body as { messages: { weight?: number }[] }).messages[1].weight).toBe(0);
  await box.check();
  await expect.poll(async () => (await counts(page)).trained).toBe(before.trained);
  await expect(page.getByTestId('token-unticked')).toHaveCount(0);
});

test('the Train page shows no error on a first visit and preselects the only, then the last edited, dataset', async ({ page }) => {
  await openDataset(page);
  await page.goto('/#/train');
  await expect(page.getByTestId('train-settings')).toBeVisible();
  const settings = page.getByTestId('train-settings');
  await expect(settings).toContainText('No dataset yet');
  const problems = '.fld__hint--bad, [aria-invalid="true"], .fld__error, [role="alert"]';
  await expect(settings.locator(problems)).toHaveCount(0);
  await expect(page.getByTestId('plan-card').locator(problems)).toHaveCount(0);
  await expect(page.getByTestId('train-message')).toHaveCount(0);
  await page.getByTestId('train-section').screenshot({ path: 'test-results/train-first-visit.png' });

  await importJsonl(page, 'first', [chat(['Q', 'A'])]);
  await page.goto('/#/train');
  await expect(page.getByTestId('train-dataset').locator('option:checked')).toHaveText('first');
  await expect(settings.locator(problems)).toHaveCount(0);

  // A second dataset is imported (the last edited), then the first is edited again: the Train page follows.
  await importJsonl(page, 'second', [chat(['Q2', 'A2'])]);
  await page.goto('/#/train');
  await expect(page.getByTestId('train-dataset').locator('option:checked')).toHaveText('first'); // the remembered choice stays
  await page.evaluate(() => localStorage.removeItem('studio.trainForm'));
  await page.reload();
  await expect(page.getByTestId('train-dataset').locator('option:checked')).toHaveText('second');
  await page.goto('/#/dataset');
  await page.getByTestId('dataset-select').selectOption({ label: 'first' });
  await rows(page).first().click();
  await page.getByLabel('Turn 2 content').fill('A, edited');
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  await page.goto('/#/train');
  await page.evaluate(() => localStorage.removeItem('studio.trainForm'));
  await page.reload();
  await expect(page.getByTestId('train-dataset').locator('option:checked')).toHaveText('first');
});

let hub: TinyHub;
test.describe('with a model loaded', () => {
  test.beforeAll(async () => {
    hub = await startTinyHub();
  });
  test.afterAll(async () => {
    await hub?.close();
  });

  test('the plan refuses fully masked data before starting, counts overlong examples, and names an empty held-out split', async ({ page }) => {
    test.setTimeout(180_000);
    await importJsonl(page, 'unticked', [chat(['Hi', 'Hello!', 0]), chat(['2+2?', '4', 0], ['3+3?', '6', 0])]);
    const long = 'word '.repeat(30).trim();
    await importJsonl(page, 'long', [
      { instruction: 'Repeat.', input: '', output: long },
      { instruction: 'Say hi.', input: '', output: 'Hello!' },
      { instruction: 'Again.', input: '', output: long },
    ]);
    await openModelPage(page);
    await loadFromHub(page, hub.hub.url, TINY_REPO);
    await page.getByTestId('nav-train').click();
    await expect(page.getByTestId('train-section')).toBeVisible();

    await page.getByTestId('train-dataset').selectOption({ label: 'unticked' });
    await page.getByTestId('train-template').selectOption('chatml');
    await expect(page.getByTestId('plan-error')).toContainText('Nothing to train on: every training example (2) is fully masked (all labels are -100 after the shift) with the mask mode "assistant-only"');
    await expect(page.getByTestId('train-start')).toBeDisabled();
    await expect(page.getByTestId('train-compare')).toBeDisabled();
    await page.getByTestId('plan-card').screenshot({ path: 'test-results/train-plan-refused.png' });
    // Full sequence trains the prompts (never the unticked replies), so it can run.
    await page.getByTestId('train-mode').selectOption('full');
    await expect(page.getByTestId('plan-train')).toHaveText('2');
    await page.getByTestId('train-mode').selectOption('recommended');

    await page.getByTestId('train-dataset').selectOption({ label: 'long' });
    await page.getByTestId('train-template').selectOption('instruction-input-output');
    await page.getByTestId('train-max-length').fill('24');
    await expect(page.getByTestId('plan-overlong')).toHaveText('2 examples exceed 24 tokens: truncated');
    await expect(page.getByTestId('plan-train')).toHaveText('3');
    await expect(page.getByTestId('plan-eval-note')).toContainText('no evaluation: the held-out (validation) split is empty');
    await page.getByTestId('train-overlong').selectOption('skip');
    await expect(page.getByTestId('plan-overlong')).toHaveText('2 examples exceed 24 tokens: skipped');
    await expect(page.getByTestId('plan-train')).toHaveText('1');
    await expect(page.getByTestId('plan-skipped')).toHaveText('2');
    await expect(page.getByTestId('train-start')).toBeEnabled();
    await page.getByTestId('plan-card').screenshot({ path: 'test-results/train-plan-overlong.png' });

    // The run trains what the plan says, and its result names the missing evaluation instead of a 0 or NaN loss.
    await page.getByTestId('train-maxSteps').fill('2');
    await expect(page.getByTestId('plan-steps')).toContainText('2 (1 per epoch)');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-message')).toContainText('Finished 2 steps', { timeout: 120_000 });
    await expect(page.getByTestId('train-message')).toContainText('(no evaluation: the held-out (validation) split is empty)');
    await expect(page.getByTestId('train-message')).not.toContainText(/NaN|validation loss/);
  });
});
