import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { openModelPage } from './fixtures/studio';
import { PAIRS, fastSettings, importPairs } from './fixtures/train';
import { unzipStore } from '../src/ui/export/zip';

/**
 * Merged export end to end: train a short LoRA on the built-in model, export base + adapter merged as a Hugging Face
 * folder (streamed .zip: headless Chromium cannot answer a folder picker), load that folder as a new base model in a
 * fresh browser context, and get exactly the greedy text base + adapter gave. The cluster hand-off downloads too.
 */
const STEPS = 10;

async function greedy(page: Page, side: 'left' | 'right'): Promise<string> {
  const pg = page.getByTestId('playground');
  await pg.getByTestId('pg-chat').click();
  if (!(await pg.getByTestId('pg-temperature').isVisible())) await pg.getByText('Sampling', { exact: true }).click();
  await pg.getByTestId('pg-temperature').fill('0');
  await pg.getByTestId('pg-max-tokens').fill('16');
  await pg.getByTestId('pg-prompt').fill(PAIRS[1][0]);
  await pg.getByTestId('pg-generate').click();
  await expect(pg.getByTestId(`pg-out-${side}`)).toHaveAttribute('data-done', 'true', { timeout: 60_000 });
  return (await pg.getByTestId(`pg-out-${side}-text`).textContent()) ?? '';
}

async function download(page: Page, testId: string): Promise<Map<string, Uint8Array>> {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByTestId(testId).click()]);
  return unzipStore(new Uint8Array(readFileSync((await d.path())!)));
}

test('a merged export loads as a new base model and generates exactly what base + adapter generated', async ({ page, browser }) => {
  test.setTimeout(360_000);
  await page.addInitScript(() => ((window as { __studioForceZip?: boolean }).__studioForceZip = true));
  await importPairs(page);
  await openModelPage(page);
  await expect(page.getByTestId('model-name')).toHaveText('studio-base');
  await page.getByTestId('nav-train').click();
  await fastSettings(page, { maxSteps: STEPS });
  await page.getByTestId('train-template').selectOption('model');
  await page.getByTestId('train-batchSize').fill(String(PAIRS.length));
  await page.getByTestId('train-start').click();
  const row = page.getByTestId('run-row').first();
  await expect(row).toHaveAttribute('data-status', 'finished', { timeout: 240_000 });

  await page.getByTestId('nav-playground').click();
  const tuned = await greedy(page, 'right');
  const base = (await page.getByTestId('pg-out-left-text').textContent()) ?? '';
  expect(tuned, 'the adapter changes the output').not.toBe(base);

  await page.getByTestId('nav-export').click();
  const card = page.getByTestId('model-export');
  await card.getByTestId('model-export-format').selectOption('hf');
  const files = await download(page, 'model-export-zip');
  await expect(card.getByTestId('model-export-result')).toHaveAttribute('data-ok', 'true');
  const names = [...files.keys()];
  const folder = names[0].split('/')[0];
  expect(names.map((n) => n.slice(folder.length + 1)).sort()).toEqual(['README.md', 'config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
  expect(JSON.parse(new TextDecoder().decode(files.get(`${folder}/config.json`)))).toMatchObject({ model_type: 'llama', torch_dtype: 'float32' });

  // The hand-off of the same run: data, scripts and the first-batch loss.
  const handoff = await download(page, 'handoff-zip');
  const hnames = [...handoff.keys()].map((n) => n.slice(n.indexOf('/') + 1));
  for (const f of ['train.py', 'studio_data.py', 'train_trl.py', 'axolotl.yaml', 'recipe.json', 'data/train.jsonl', 'data/train.tokenized.jsonl', 'accelerate/fsdp.yaml', 'init_adapter/adapter_config.json', 'base_model/model.safetensors'])
    expect(hnames, f).toContain(f);
  const loss = (await page.getByTestId('handoff-first-loss').textContent())!;
  const recipe = JSON.parse(new TextDecoder().decode([...handoff].find(([n]) => n.endsWith('/recipe.json'))![1])) as { first_batch: { loss: number } };
  expect(recipe.first_batch.loss.toFixed(6)).toBe(loss);

  // A fresh context (no runs, no adapters): the merged folder is the base model now.
  const dir = join(mkdtempSync(join(tmpdir(), 'merged-')), folder);
  for (const [name, bytes] of files) {
    const path = join(dirname(dir), name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
  const fresh = await (await browser.newContext()).newPage();
  await openModelPage(fresh);
  await fresh.getByTestId('tab-local').click();
  await fresh.getByTestId('local-folder').setInputFiles(dir);
  await expect(fresh.getByTestId('model-name')).toHaveText(folder);
  await expect(fresh.getByTestId('load-progress')).toHaveCount(0);
  await fresh.getByTestId('nav-playground').click();
  await expect(fresh.getByTestId('pg-left')).toHaveValue('__base__');
  const merged = await greedy(fresh, 'left');
  expect(merged, `merged ${JSON.stringify(merged)} vs base + adapter ${JSON.stringify(tuned)}`).toBe(tuned);
});
