import { readFile } from 'node:fs/promises';
import { test, expect, type Page } from '@playwright/test';
import { dumpDb, openDataset, rows } from './dataset-helpers';

async function importFile(page: Page, name: string, text: string, opts: { newName?: string } = {}) {
  await page.getByTestId('open-import').click();
  const dialog = page.getByTestId('import-dialog');
  await dialog.getByTestId('import-file-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(text) });
  await expect(dialog.getByTestId('import-run')).toBeEnabled();
  if (opts.newName !== undefined) {
    await dialog.getByTestId('import-target-new').check();
    await dialog.getByTestId('import-new-name').fill(opts.newName);
  }
  return dialog;
}

const strip = (xs: { body: unknown; tags: string[]; split: string; notes: string }[]) => xs.map(({ body, tags, split, notes }) => ({ body, tags, split, notes }));

test('importing a file with good and bad rows keeps the good ones and lists the bad ones by line', async ({ page }) => {
  await openDataset(page);
  const lines = [
    '{"instruction":"Say hello in Italian.","input":"","output":"Ciao!"}',
    '{"instruction":"Add the numbers.","input":"2 + 2","output":"4"}',
    'this line is not JSON',
    '{"instruction":"Name a primary colour.","input":"","output":"Red."}',
    '[1, 2, 3]',
    '{"instruction":"Reverse the word.","input":"stressed","output":"desserts"}',
    '{"instruction": 42, "output": "a number is not an instruction"}',
  ];
  const dialog = await importFile(page, 'mixed.jsonl', lines.join('\n') + '\n');
  await expect(dialog.getByTestId('import-format')).toHaveValue('alpaca');
  await expect(dialog.getByTestId('import-preview-row').first()).toContainText('Say hello in Italian.');
  await expect(dialog.getByTestId('import-preview-errors')).toContainText('3 rows');
  await dialog.getByTestId('import-run').click();
  await expect(dialog.getByTestId('import-summary')).toContainText('4 imported, 3 rejected');
  const rejected = dialog.getByTestId('rejected-rows').locator('li');
  await expect(rejected).toHaveCount(3);
  await expect(rejected.nth(0)).toContainText('line 3');
  await expect(rejected.nth(1)).toContainText('line 5');
  await expect(rejected.nth(2)).toContainText('line 7');

  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('download-rejected').click()]);
  const report = (await readFile(await download.path())).toString().trim().split('\n').map((l) => JSON.parse(l) as { line: number; reason: string });
  expect(report.map((r) => r.line)).toEqual([3, 5, 7]);
  expect(report.every((r) => r.reason.length > 0)).toBe(true);
  await dialog.getByTestId('import-close').click();

  await expect(page.getByTestId('dataset-select').locator('option:checked')).toHaveText('mixed');
  await expect(rows(page)).toHaveCount(4);
  await expect(rows(page).nth(3)).toContainText('stressed');
  const db = await dumpDb(page);
  expect(db.mixed.map((e) => (e.body as { output: string }).output)).toEqual(['Ciao!', '4', 'Red.', 'desserts']);
});

test('an unknown column layout is mapped by hand before importing', async ({ page }) => {
  await openDataset(page);
  const csv = 'question,answer,topic\n"What is H2O?",Water.,chemistry\n"Largest planet?","Jupiter, by far.",astronomy\n';
  const dialog = await importFile(page, 'quiz.csv', csv);
  await dialog.getByTestId('import-format').selectOption('columns');
  const mapping = dialog.getByTestId('column-mapping');
  await expect(mapping).toBeVisible();
  await mapping.getByLabel('Column for Instruction').selectOption('question');
  await mapping.getByLabel('Column for Response').selectOption('answer');
  await mapping.getByLabel('Column for Tags').selectOption('topic');
  await expect(dialog.getByTestId('import-preview-row').nth(1)).toContainText('Jupiter, by far.');
  await dialog.getByTestId('import-run').click();
  await expect(dialog.getByTestId('import-summary')).toContainText('2 imported, 0 rejected');
  await dialog.getByTestId('import-close').click();
  const db = await dumpDb(page);
  expect(strip(db.quiz)).toEqual([
    { body: { kind: 'pair', instruction: 'What is H2O?', input: '', output: 'Water.' }, tags: ['chemistry'], split: 'train', notes: '' },
    { body: { kind: 'pair', instruction: 'Largest planet?', input: '', output: 'Jupiter, by far.' }, tags: ['astronomy'], split: 'train', notes: '' },
  ]);
});

for (const [starter, format, container] of [
  ['Starter · Helpful conversations', 'sharegpt', 'jsonl'],
  ['Starter · Helpful conversations', 'openai', 'json'],
  ['Starter · Multi-task mix', 'columns', 'csv'],
  ['Starter · Review sentiment', 'alpaca', 'csv'],
] as const) {
  test(`export → re-import round trip keeps every field: ${starter.replace('Starter · ', '')} as ${format} ${container}`, async ({ page }) => {
    await openDataset(page);
    await page.getByTestId('add-starters').click();
    // The first starter becomes active once all are stored.
    await expect(page.getByTestId('dataset-select').locator('option:checked')).toHaveText('Starter · Review sentiment');
    await page.getByTestId('dataset-select').selectOption({ label: starter });
    await expect(rows(page).first()).toBeVisible();
    await page.getByTestId('open-export').click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.getByTestId('export-format').selectOption(format);
    await dialog.getByTestId('export-container').selectOption(container);
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('export-download').click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`\\.${format}\\.${container}$`));
    const text = (await readFile(await download.path())).toString();
    await dialog.getByRole('button', { name: 'Close' }).click();

    const imp = await importFile(page, download.suggestedFilename(), text, { newName: 'Round trip' });
    // A columns CSV with instruction/output columns is (reasonably) detected as Alpaca; the user picks "columns".
    if (format === 'columns') await imp.getByTestId('import-format').selectOption(format);
    await expect(imp.getByTestId('import-format')).toHaveValue(format);
    await imp.getByTestId('import-run').click();
    await expect(imp.getByTestId('import-summary')).toContainText('0 rejected');
    await imp.getByTestId('import-close').click();
    const db = await dumpDb(page);
    expect(db['Round trip'].length).toBe(db[starter].length);
    expect(strip(db['Round trip'])).toEqual(strip(db[starter]));
  });
}

test('user text that looks like HTML is shown as text, never interpreted', async ({ page }) => {
  await openDataset(page);
  const evil = '<img src=x onerror="window.__pwned=1"><b>bold?</b>';
  const line = JSON.stringify({ instruction: evil, input: '', output: '<script>window.__pwned=2</script>' });
  const dialog = await importFile(page, 'html.jsonl', line + '\n');
  await expect(dialog.getByTestId('import-preview-row').first()).toContainText('<b>bold?</b>');
  await dialog.getByTestId('import-run').click();
  await dialog.getByTestId('import-close').click();
  await expect(rows(page).first()).toContainText('<img src=x');
  await expect(page.getByTestId('field-instruction')).toHaveValue(evil);
  expect(await page.locator('[data-testid="example-list"] img, [data-testid="example-list"] b, [data-testid="editor"] b').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
});
