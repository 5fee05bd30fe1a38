import { readFileSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import { startTinyHub, TINY_REPO, type TinyHub } from './fixtures/tinyModel';
import { openModelPage } from './fixtures/studio';
import { PAIRS, fastSettings, openTrainOnTinyModel } from './fixtures/train';
import { openDataset, rows } from './dataset-helpers';
import { unzipStore } from '../src/ui/export/zip';

/** The polish pass: run names, the reload banner, the import preview, the Playground page, popovers, small screens. */

let hub: TinyHub;
test.beforeAll(async () => {
  hub = await startTinyHub();
});
test.afterAll(async () => {
  await hub?.close();
});

const setup = (page: Page) => openTrainOnTinyModel(page, hub.hub.url);

async function zipOf(page: Page, runId: string): Promise<{ file: string; names: string[]; readme: string }> {
  await page.getByTestId('export-run').selectOption(runId);
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-zip').click()]);
  const zip = unzipStore(new Uint8Array(readFileSync((await d.path())!)));
  const names = [...zip.keys()];
  const readme = new TextDecoder().decode(zip.get(names.find((n) => n.endsWith('README.md'))!)!);
  return { file: d.suggestedFilename(), names, readme };
}

test('a plain run and a masking comparison get unique names, shown in the playground and used by the export files', async ({ page }) => {
  test.setTimeout(240_000);
  await setup(page);
  await fastSettings(page, { maxSteps: 3 });
  await page.getByTestId('train-mode').selectOption('completion-only');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-status', 'finished', { timeout: 90_000 });
  await page.getByTestId('train-mode').selectOption('recommended');
  await page.getByTestId('train-compare').click();
  await expect(page.getByTestId('train-message')).toContainText('Comparison ready', { timeout: 180_000 });

  const names = await page.getByTestId('run-name').allTextContents();
  expect(names).toHaveLength(3);
  expect(new Set(names).size, names.join(' | ')).toBe(3);
  // Defaults name the dataset and the mode (and the date).
  for (const n of names) expect(n).toMatch(/^pairs · (Completion only|Full sequence)/);

  // Rename one: the new name is unique, and follows the run everywhere.
  const first = page.getByTestId('run-row').first();
  const id = (await first.getAttribute('data-run-id'))!;
  await first.getByTestId('run-rename').click();
  await first.getByTestId('run-name-input').fill(names[1]);
  await first.getByTestId('run-name-save').click();
  await expect(first.getByTestId('run-name')).toHaveText(`${names[1]} (2)`);
  await first.getByTestId('run-rename').click();
  await first.getByTestId('run-name-input').fill('Tutor v2');
  await first.getByTestId('run-name-input').press('Enter');
  await expect(first.getByTestId('run-name')).toHaveText('Tutor v2');

  // The Playground is its own page; its pickers tell the runs apart (name, steps, date).
  await page.getByTestId('open-playground').click();
  await expect(page).toHaveURL(/#\/playground$/);
  const pg = page.getByTestId('playground');
  const labels = await pg.getByTestId('pg-left').locator('option').allTextContents();
  expect(labels).toHaveLength(4);
  expect(new Set(labels).size).toBe(4);
  expect(labels.some((l) => /^Tutor v2 — \d+ steps, /.test(l))).toBe(true);
  await pg.getByTestId('pg-right').selectOption(id);
  await pg.getByTestId('pg-prompt').fill(PAIRS[1][0]);
  await pg.getByTestId('pg-generate').click();
  const right = pg.getByTestId('pg-out-right');
  await expect(right).toHaveAttribute('data-done', 'true', { timeout: 60_000 });
  await expect(right.locator('h4')).toHaveText('Tutor v2');
  // The exact prompt sent, after the template, can be shown.
  const sent = pg.getByTestId('pg-out-right-sent');
  await expect(sent.getByTestId('pg-out-right-sent-text')).toBeHidden();
  await sent.locator('summary').click();
  await expect(sent.getByTestId('pg-out-right-sent-text')).toContainText(PAIRS[1][0]);
  // No leading blank line in either pane.
  for (const side of ['left', 'right']) expect((await pg.getByTestId(`pg-out-${side}-text`).textContent())!).not.toMatch(/^\s*\n/);

  // Export: each run's zip has its own file name, named after the run; the README names it too.
  await page.getByTestId('nav-export').click();
  const ids = await page.getByTestId('export-run').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  const files = [];
  for (const rid of ids) files.push(await zipOf(page, rid));
  expect(new Set(files.map((f) => f.file)).size, files.map((f) => f.file).join(' | ')).toBe(3);
  const renamed = files[ids.indexOf(id)];
  expect(renamed.file).toBe('tutor-v2.zip');
  expect(renamed.names.every((n) => n.startsWith('tutor-v2/'))).toBe(true);
  expect(renamed.readme).toContain('Run: **Tutor v2**');
});

test('after a reload mid-training a banner at the top of Train says so, with Resume', async ({ page }) => {
  test.setTimeout(180_000);
  await setup(page);
  await fastSettings(page, { maxSteps: 120, checkpointEvery: 5 });
  await page.getByTestId('train-start').click();
  const step = page.getByTestId('live-step');
  await expect.poll(async () => Number(await step.getAttribute('data-step')), { timeout: 90_000 }).toBeGreaterThanOrEqual(12);
  await page.reload();
  const banner = page.getByTestId('train-interrupted');
  await expect(banner).toBeInViewport();
  await expect(banner).toContainText('was interrupted at step');
  const resume = banner.getByTestId('interrupted-resume');
  await expect(resume).toHaveText(/^Resume from step \d+$/);
  const k = Number((await resume.textContent())!.match(/\d+/)![0]);
  // The model went with the page: load it again, then resume from the banner.
  await page.getByTestId('nav-model').click();
  await page.getByTestId('load-again-button').click();
  await expect(page.getByTestId('model-name')).toHaveText(TINY_REPO);
  await page.getByTestId('nav-train').click();
  await page.getByTestId('interrupted-resume').click();
  await expect(page.getByTestId('resumed-note')).toHaveText(`Resumed from step ${k}.`);
  await expect(page.getByTestId('train-interrupted')).toHaveCount(0);
  await page.getByTestId('train-stop').click();
});

test('the import preview shows the rejected rows first, and imports into the open dataset by default', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await openDataset(page);
  const good = Array.from({ length: 12 }, (_, i) => JSON.stringify({ instruction: `Question ${i} ${'x '.repeat(60)}`, input: '', output: `Answer ${i}` }));
  const open = async (lines: string[]) => {
    await page.getByTestId('open-import').click();
    const dialog = page.getByTestId('import-dialog');
    await dialog.getByTestId('import-file-input').setInputFiles({ name: 'capitals.jsonl', mimeType: 'application/octet-stream', buffer: Buffer.from(lines.join('\n') + '\n') });
    await expect(dialog.getByTestId('import-run')).toBeEnabled();
    return dialog;
  };
  let dialog = await open(good);
  await dialog.getByTestId('import-run').click();
  await dialog.getByTestId('import-close').click();

  dialog = await open([...good.slice(0, 10), 'not json', '[1, 2]', ...good.slice(10)]);
  const errors = dialog.getByTestId('import-preview-errors');
  await expect(errors).toContainText('2 rows in the file will be rejected');
  await expect(errors).toBeInViewport({ ratio: 1 });
  await expect(dialog.getByTestId('import-target-current')).toBeChecked();
  await dialog.getByTestId('import-run').click();
  await expect(dialog.getByTestId('import-summary')).toContainText('12 imported, 2 rejected');
  await dialog.getByTestId('import-close').click();
  await expect(page.getByTestId('dataset-select').locator('option')).toHaveCount(1);
});

test('the workflow lists the Playground after Train, and #/playground opens it', async ({ page }) => {
  await page.goto('/#/playground');
  await expect(page.getByTestId('playground-section')).toBeVisible();
  const nav = await page.locator('[data-testid^="nav-"]').evaluateAll((as) => as.map((a) => a.getAttribute('data-testid')));
  expect(nav.filter((n) => n !== 'nav-device')).toEqual(['nav-model', 'nav-dataset', 'nav-train', 'nav-playground', 'nav-classroom', 'nav-evaluate', 'nav-export']);
  await expect(page).toHaveTitle(/^Playground/);
});

test('the Shortcuts popover closes on Esc and on a click outside, and never stacks with a dialog', async ({ page }) => {
  await openDataset(page);
  const help = page.getByTestId('help-button');
  const pop = page.getByTestId('help-popover');
  await help.click();
  await expect(pop).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(pop).toHaveCount(0);
  await expect(help).toBeFocused();
  await help.click();
  await expect(pop).toBeVisible();
  await page.locator('main h2').first().click();
  await expect(pop).toHaveCount(0);
  await help.click();
  await page.getByTestId('open-import').click();
  await expect(page.getByTestId('import-dialog')).toBeVisible();
  await expect(pop).toHaveCount(0);
});

test('at 390 px nothing scrolls sideways and the title and device chip are whole', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const route of ['model', 'dataset', 'train', 'playground', 'classroom', 'export', 'device']) {
    await page.goto(`/#/${route}`);
    await expect(page.getByTestId(`page-${route}`)).toBeVisible();
    await expect(page.getByTestId('device-chip')).toHaveAttribute('data-status', /ready|unavailable/);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `#/${route} is ${width} px wide`).toBeLessThanOrEqual(390);
    for (const sel of ['.brand__name', '[data-testid="device-chip"]']) {
      const box = (await page.locator(sel).boundingBox())!;
      expect(box.x, `${sel} on #/${route}`).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, `${sel} on #/${route}`).toBeLessThanOrEqual(390);
    }
    const cut = await page.locator('.brand__name').evaluate((el) => el.scrollWidth > el.clientWidth + 1);
    expect(cut, `the title is cut on #/${route}`).toBe(false);
  }
});

test('a hub that keeps failing shows each retry with its attempt, and Cancel stops it', async ({ page }) => {
  await openModelPage(page);
  await page.getByTestId('tab-hub').click();
  await page.getByTestId('hub-repo').fill(TINY_REPO);
  const endpoint = page.getByTestId('hub-endpoint');
  if (!(await endpoint.isVisible())) await page.getByText('Endpoint, revision and access token').click();
  await endpoint.fill(`${hub.hub.url}/__fault/503`);
  await page.getByTestId('hub-load').click();
  const retry = page.getByTestId('load-retry');
  await expect(retry).toContainText('attempt 2 of 6');
  await expect(retry).toContainText('Trying again in');
  await expect(retry).toHaveAttribute('data-attempt', /^[3-6]$/, { timeout: 15_000 });
  await page.getByTestId('load-cancel').click();
  await expect(page.getByTestId('load-progress')).toHaveCount(0);
});

test('the token view has no inner scroll box or clipped row at 1440×900, explains −100 and the shift, and zooms', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await openDataset(page);
  await page.getByTestId('add-starters').click();
  await expect(page.getByTestId('dataset-select').locator('option:checked')).toHaveText('Starter · Review sentiment');
  await rows(page).first().click();
  await page.getByTestId('load-sample-tokenizer').click();
  const box = page.getByTestId('token-chips');
  await expect(page.getByTestId('token-chip').first()).toBeVisible();
  const clipped = async () =>
    box.evaluate((ol) => {
      const r = ol.getBoundingClientRect();
      const below = ol.nextElementSibling?.getBoundingClientRect().top ?? Infinity;
      const chips = [...ol.querySelectorAll('li')].map((li) => li.getBoundingClientRect());
      return {
        scrolls: ol.scrollHeight > ol.clientHeight + 1,
        cut: chips.filter((c) => c.bottom > r.bottom + 0.5 || c.bottom > below + 0.5).length,
        labelPx: parseFloat(getComputedStyle(ol.querySelector('[data-testid="token-chip"] .ds-chip__label')!).fontSize),
      };
    });
  const at100 = await clipped();
  expect(at100.scrolls).toBe(false);
  expect(at100.cut).toBe(0);
  expect(at100.labelPx, 'labels are readable at normal size').toBeGreaterThanOrEqual(12);
  // The headers explain −100 and the one-token shift.
  await expect(box.locator('.ds-chip--head .ds-chip__label')).toHaveAttribute('title', /−100.*ignore_index/);
  await expect(box.locator('.ds-chip--head .ds-chip__next')).toHaveAttribute('title', /NEXT token/);
  await expect(page.getByTestId('token-chip').first()).toHaveAttribute('title', /no loss|scored on predicting/);
  // Roles are written in text where they begin, not only coloured.
  expect(await box.locator('[data-role-start="assistant"]').count()).toBeGreaterThan(0);
  // A projector: 200 %, still nothing clipped.
  await page.getByTestId('token-zoom').selectOption('2');
  const at200 = await clipped();
  expect(at200.labelPx).toBeGreaterThanOrEqual(2 * at100.labelPx - 0.5);
  expect(at200.scrolls).toBe(false);
  expect(at200.cut).toBe(0);
});

test('the editor header does not reflow when "Unsaved changes" shows, and Delete stays on one line', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openDataset(page);
  await page.getByTestId('add-starters').click();
  await rows(page).first().click();
  const head = page.locator('.ds-editor__head');
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  const before = (await head.boundingBox())!.height;
  const del = (await page.getByTestId('delete-example').boundingBox())!;
  await page.getByTestId('field-instruction').pressSequentially(' more');
  await expect(page.getByTestId('save-state')).toHaveText('Unsaved changes');
  expect((await head.boundingBox())!.height).toBe(before);
  const delDirty = (await page.getByTestId('delete-example').boundingBox())!;
  expect(delDirty.height).toBeLessThan(36);
  expect(delDirty.y).toBe(del.y);
});
