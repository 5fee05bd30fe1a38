import { test, expect } from '@playwright/test';
import { openDataset, rows } from './dataset-helpers';

const N = 20_000;

/** Varied, realistic-length rows (no accidental near-duplicates): words drawn from a seeded generator. */
function bigJsonl(): string {
  let seed = 12345;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const syl = ['ka', 'lo', 'mi', 'ren', 'tas', 'vo', 'quen', 'dri', 'sul', 'pe', 'nor', 'thi', 'ga', 'bel', 'zu', 'or', 'an', 'ist', 'el', 'mon'];
  const word = () => Array.from({ length: 1 + Math.floor(rand() * 3) }, () => syl[Math.floor(rand() * syl.length)]).join('');
  const sentence = (n: number) => Array.from({ length: n }, word).join(' ');
  const lines: string[] = [];
  for (let i = 0; i < N; i++)
    lines.push(JSON.stringify({ instruction: 'Rewrite the note politely.', input: `Note ${i + 1}: ${sentence(20 + Math.floor(rand() * 30))}`, output: sentence(10 + Math.floor(rand() * 20)) }));
  return lines.join('\n') + '\n';
}

test(`a ${N.toLocaleString()}-example JSONL import (timed) leaves a list that scrolls to the last example`, async ({ page }) => {
  test.setTimeout(300_000);
  const text = bigJsonl();
  await openDataset(page);
  await page.getByTestId('open-import').click();
  const dialog = page.getByTestId('import-dialog');
  await dialog.getByTestId('import-file-input').setInputFiles({ name: 'big.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(text) });
  await expect(dialog.getByTestId('import-preview-row').first()).toContainText('Note 1:');
  const t0 = Date.now();
  await dialog.getByTestId('import-run').click();
  const summary = dialog.getByTestId('import-summary');
  await expect(summary).toContainText(`${N.toLocaleString('en-US')} imported, 0 rejected`, { timeout: 240_000 });
  const importMs = Date.now() - t0;
  const inAppMs = Number(await summary.getAttribute('data-ms'));
  await dialog.getByTestId('import-close').click();

  await expect(page.getByTestId('dataset-count')).toHaveText(`${N.toLocaleString('en-US')} examples`, { timeout: 120_000 });
  const listed = Date.now() - t0;
  // Virtualised: only a screenful of rows is in the DOM.
  expect(await rows(page).count()).toBeLessThan(60);

  const t1 = Date.now();
  const list = page.getByTestId('example-list');
  await list.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  const last = page.locator(`[data-testid="example-row"][data-index="${N - 1}"]`);
  await expect(last).toBeVisible();
  await expect(last).toContainText(`Note ${N}:`);
  const scrollMs = Date.now() - t1;

  // Scroll through the middle in steps; every step renders rows at once.
  const t2 = Date.now();
  for (let i = 1; i <= 10; i++) {
    await list.evaluate((el, f) => el.scrollTo({ top: el.scrollHeight * f }), i / 11);
    await expect(rows(page).first()).toBeVisible();
  }
  const stepsMs = Date.now() - t2;

  // The search still answers over all 20,000.
  await page.getByTestId('example-search').fill(`"Note ${N - 1}:"`);
  await expect(rows(page)).toHaveCount(1);

  const result = { examples: N, bytes: text.length, importClickToSummaryMs: importMs, inAppParseAndCommitMs: inAppMs, clickToListedMs: listed, scrollToLastMs: scrollMs, tenScrollStepsMs: stepsMs };
  console.log(`DATASET_IMPORT_BENCH ${JSON.stringify(result)}`);
  test.info().annotations.push({ type: 'benchmark', description: JSON.stringify(result) });
});
