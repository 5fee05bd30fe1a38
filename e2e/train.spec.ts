import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, type Locator, type Page } from '@playwright/test';
import { startTinyHub, writeTinyModel, TINY_REPO, type TinyHub } from './fixtures/tinyModel';
import { loadFromHub, openModelPage } from './fixtures/studio';
import { PAIRS, fastSettings, importPairs, runRow } from './fixtures/train';
import { unzipStore } from '../src/ui/export/zip';

/**
 * Training in the browser for real: the engine Worker on SwiftShader trains a tiny Llama on a dataset imported through
 * the UI, stored in IndexedDB; the playground generates with and without the adapters; the export is a PEFT folder.
 */

/** Steps of the runs that are paused, reloaded, stopped or lose the GPU part way. */
const LONG_RUN = 120;

let hub: TinyHub;
const NAN_REPO = 'studio-e2e/tiny-nan';
test.beforeAll(async () => {
  hub = await startTinyHub();
  writeTinyModel(join(hub.root, NAN_REPO), 7, {}, { poison: true });
});
test.afterAll(async () => {
  await hub?.close();
});

async function setup(page: Page, repo = TINY_REPO) {
  await importPairs(page);
  await openModelPage(page);
  await loadFromHub(page, hub.hub.url, repo);
  await page.getByTestId('nav-train').click();
  await expect(page.getByTestId('train-section')).toBeVisible();
}

async function losses(row: Locator): Promise<[number, number]> {
  return [Number(await row.getAttribute('data-first-loss')), Number(await row.getAttribute('data-last-loss'))];
}

async function download(page: Page, testId: string): Promise<Buffer> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return readFileSync((await d.path())!);
}

function safetensorsHeader(bytes: Buffer): Record<string, { dtype: string; shape: number[] }> {
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[] }>;
  delete header.__metadata__;
  return header;
}

test('compare masking trains twice, the loss falls, both adapters answer side by side, and the export is a PEFT adapter', async ({ page }) => {
  test.setTimeout(240_000);
  await setup(page);
  await fastSettings(page, { maxSteps: 24 });
  await expect(page.getByTestId('plan-train')).toHaveText(String(PAIRS.length));
  await expect(page.getByTestId('plan-skipped')).toHaveText('0');
  await page.getByTestId('train-mode').selectOption('full');
  await expect(page.getByTestId('full-mode-warning')).toContainText('the common gotcha');
  await page.getByTestId('train-mode').selectOption('recommended');
  await expect(page.getByTestId('full-mode-warning')).toHaveCount(0);

  await page.getByTestId('train-compare').click();
  await expect(page.getByTestId('live-status')).toHaveText('Training');
  await expect(page.getByTestId('train-message')).toContainText('Comparison ready', { timeout: 180_000 });

  const masked = runRow(page, 'Completion only');
  const full = runRow(page, 'Full sequence');
  await expect(masked).toHaveAttribute('data-status', 'finished');
  await expect(full).toHaveAttribute('data-status', 'finished');
  await expect(masked).toHaveAttribute('data-steps', '24');
  const [m0, m1] = await losses(masked);
  const [f0, f1] = await losses(full);
  expect(m0, 'a random model starts near ln(493) ≈ 6.2').toBeGreaterThan(4.5);
  expect(m1, `masked loss ${m0} → ${m1}`).toBeLessThan(m0 - 1.5);
  expect(f1, `full loss ${f0} → ${f1}`).toBeLessThan(f0 - 1);
  // Both curves on the chart (the comparison shows both runs).
  await masked.getByTestId('run-chart').check();
  await full.getByTestId('run-chart').check();
  await expect(page.getByTestId('loss-chart').locator('[data-series]')).toHaveCount(2);

  // Playground: the two adapters of the comparison side by side, then the base model against the masked adapter.
  const maskedId = (await masked.getAttribute('data-run-id'))!;
  await page.getByTestId('nav-playground').click();
  const pg = page.getByTestId('playground');
  await pg.getByTestId('pg-prompt').fill(PAIRS[1][0]);
  await pg.getByTestId('pg-generate').click();
  await expect(pg.getByTestId('pg-out-right')).toHaveAttribute('data-done', 'true', { timeout: 60_000 });
  await expect(pg.getByTestId('pg-out-left')).toHaveAttribute('data-done', 'true');
  await expect(pg.getByTestId('pg-left')).toHaveValue(maskedId);
  const adapterText = (await pg.getByTestId('pg-out-left-text').textContent())!;
  expect(adapterText.trim().length).toBeGreaterThan(0);
  await pg.getByTestId('pg-left').selectOption('__base__');
  await pg.getByTestId('pg-generate').click();
  await expect(pg.getByTestId('pg-out-right')).toHaveAttribute('data-done', 'true', { timeout: 60_000 });
  const baseText = (await pg.getByTestId('pg-out-left-text').textContent())!;
  expect(baseText).not.toBe(adapterText);
  await expect(pg.getByTestId('pg-out-left-stats')).toHaveAttribute('data-tokens', /\d+/);

  // Export the masked run: PEFT key names and shapes, the config, the README, and the same three in one zip.
  await page.getByTestId('nav-export').click();
  await page.getByTestId('export-run').selectOption(maskedId);
  const weights = await download(page, 'download-adapter_model.safetensors');
  const header = safetensorsHeader(weights);
  const keys = Object.keys(header);
  expect(keys).toContain('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight');
  expect(keys).toContain('base_model.model.model.layers.1.mlp.down_proj.lora_B.weight');
  expect(keys.every((k) => /^base_model\.model\.model\.layers\.\d+\.(self_attn|mlp)\.\w+_proj\.lora_[AB]\.weight$/.test(k))).toBe(true);
  expect(keys).toHaveLength(2 * 2 * 7); // 2 layers × 7 linear modules × (A, B)
  expect(header['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight']).toEqual({ dtype: 'F32', shape: [8, 32], data_offsets: expect.any(Array) });
  const configBytes = await download(page, 'download-adapter_config.json');
  const config = JSON.parse(configBytes.toString('utf8')) as Record<string, unknown>;
  expect(config).toMatchObject({ peft_type: 'LORA', r: 8, lora_alpha: 16, base_model_name_or_path: TINY_REPO, task_type: 'CAUSAL_LM' });
  expect((await download(page, 'download-README.md')).toString('utf8')).toContain('PeftModel.from_pretrained');
  await expect(page.getByTestId('peft-snippet')).toContainText(`AutoModelForCausalLM.from_pretrained("${TINY_REPO}")`);
  const zip = unzipStore(new Uint8Array(await download(page, 'download-zip')));
  const names = [...zip.keys()];
  expect(names.map((n) => n.split('/')[1]).sort()).toEqual(['README.md', 'adapter_config.json', 'adapter_model.safetensors']);
  expect(Buffer.from(zip.get(names.find((n) => n.endsWith('.safetensors'))!)!)).toEqual(weights);

  // Import the exported files again: checked against the model, stored, offered for export and in the playground.
  const dir = mkdtempSync(join(tmpdir(), 'studio-e2e-adapter-'));
  writeFileSync(join(dir, 'adapter_model.safetensors'), weights);
  // The config exactly as exported: the weights carry its fingerprint (peft.ts), so a re-serialised copy is refused.
  writeFileSync(join(dir, 'adapter_config.json'), configBytes);
  await page.getByTestId('import-adapter-files').setInputFiles([join(dir, 'adapter_config.json'), join(dir, 'adapter_model.safetensors')]);
  await expect(page.getByTestId('import-adapter-result')).toHaveAttribute('data-ok', 'true');
  await expect(page.getByTestId('export-run').locator('option')).toHaveCount(3);
  // A broken adapter is refused with the reason, and nothing is added.
  writeFileSync(join(dir, 'adapter_model.safetensors'), weights.subarray(0, 200));
  await page.getByTestId('import-adapter-files').setInputFiles([join(dir, 'adapter_config.json'), join(dir, 'adapter_model.safetensors')]);
  await expect(page.getByTestId('import-adapter-result')).toHaveAttribute('data-ok', 'false');
  await expect(page.getByTestId('import-adapter-result')).toContainText('adapter_model.safetensors');
  await expect(page.getByTestId('export-run').locator('option')).toHaveCount(3);
});

test('a reload mid-training offers "Resume from step K"; resuming, pausing, stopping and continuing keep one unbroken step count', async ({ page }) => {
  test.setTimeout(180_000);
  await setup(page);
  // Long enough that Pause and Stop land mid-run: a step of this tiny model takes ~0.1 s on SwiftShader.
  await fastSettings(page, { maxSteps: LONG_RUN, checkpointEvery: 5 });
  await page.getByTestId('train-start').click();
  const step = page.getByTestId('live-step');
  const current = async () => Number(await step.getAttribute('data-step'));
  await expect.poll(current, { timeout: 90_000 }).toBeGreaterThanOrEqual(12);

  await page.reload();
  await expect(page.getByTestId('train-section')).toBeVisible();
  const row = page.getByTestId('run-row').first();
  await expect(row).toHaveAttribute('data-status', 'interrupted');
  const resume = row.getByTestId('run-resume');
  await expect(resume).toHaveText(/^Resume from step \d+$/);
  const k = Number((await resume.textContent())!.match(/\d+/)![0]);
  expect(k % 5).toBe(0);
  expect(k).toBeGreaterThanOrEqual(10);

  // The model went with the page: load it again (from the browser's storage), then resume.
  await page.getByTestId('nav-model').click();
  await page.getByTestId('load-again-button').click();
  await expect(page.getByTestId('model-name')).toHaveText(TINY_REPO);
  await page.getByTestId('nav-train').click();
  await row.getByTestId('run-resume').click();
  await expect(page.getByTestId('resumed-note')).toHaveText(`Resumed from step ${k}.`);
  await expect.poll(current, { timeout: 60_000 }).toBeGreaterThan(k);

  // Pause holds the step count still; Resume moves it on.
  await page.getByTestId('train-pause').click();
  await expect(page.getByTestId('live-status')).toHaveText('Paused');
  // A step already on the GPU when Pause came may still land: wait until the count settles, then it must hold.
  let paused = -1;
  await expect
    .poll(async () => {
      const before = await current();
      await page.waitForTimeout(1500);
      const after = await current();
      paused = after;
      return before === after;
    }, { timeout: 30_000 })
    .toBe(true);
  await page.waitForTimeout(2000);
  expect(await current()).toBe(paused);
  await page.getByTestId('train-resume').click();
  await expect(page.getByTestId('live-status')).toHaveText('Training');
  await expect.poll(current, { timeout: 60_000 }).toBeGreaterThan(paused);

  // Stop keeps an adapter and a checkpoint where it stopped; Continue finishes the run from there.
  await page.getByTestId('train-stop').click();
  await expect(row).toHaveAttribute('data-status', 'stopped', { timeout: 60_000 });
  await expect(page.getByTestId('train-message')).toContainText('Stopped at step');
  const s = Number(await row.getAttribute('data-steps'));
  expect(s).toBeLessThan(LONG_RUN);
  await expect(row.getByTestId('run-resume')).toHaveText(`Continue from step ${s}`);
  await row.getByTestId('run-resume').click();
  await expect(page.getByTestId('resumed-note')).toHaveText(`Resumed from step ${s}.`);
  await expect(row).toHaveAttribute('data-status', 'finished', { timeout: 90_000 });
  await expect(row).toHaveAttribute('data-steps', String(LONG_RUN));

  // The stored history counts 1, 2, … LONG_RUN once each: nothing repeated after a resume, nothing missing.
  const steps = await page.evaluate(
    () =>
      new Promise<number[]>((resolve, reject) => {
        const req = indexedDB.open('studio');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const get = req.result.transaction('runs').objectStore('runs').getAll();
          get.onsuccess = () => resolve((get.result[0] as { steps: { step: number }[] }).steps.map((x) => x.step));
        };
      }),
  );
  expect(steps).toEqual(Array.from({ length: LONG_RUN }, (_, i) => i + 1));
});

test('a loss that turns NaN stops the run at once and says so, keeping the last good adapter', async ({ page }) => {
  await setup(page, NAN_REPO);
  await fastSettings(page, { maxSteps: 10 });
  await page.getByTestId('train-start').click();
  const message = page.getByTestId('train-message');
  await expect(message).toContainText('Stopped at step 1: the loss became NaN or infinite', { timeout: 60_000 });
  await expect(message).toContainText('Lower the learning rate');
  await expect(message.locator('[data-tone]')).toHaveAttribute('data-tone', 'danger');
  await expect(runRow(page, 'Completion only')).toHaveAttribute('data-status', 'nonfinite');
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-nan', 'true');
  // The adapter of the last good state (here: the initial one, step 0) is kept and exportable.
  await page.getByTestId('nav-export').click();
  await expect(page.getByTestId('export-run').locator('option')).toHaveCount(1);
  await expect(page.getByTestId('export-run')).toContainText('0 steps');
});

test('a GPU lost mid-training fails the run with what to do; after Reconnect and a model reload it resumes from its checkpoint', async ({ page }) => {
  await setup(page);
  await fastSettings(page, { maxSteps: LONG_RUN, checkpointEvery: 5 });
  await page.getByTestId('train-start').click();
  await expect.poll(async () => Number(await page.getByTestId('live-step').getAttribute('data-step')), { timeout: 60_000 }).toBeGreaterThanOrEqual(6);
  expect(await page.evaluate(() => window.__studio!.loseDevice())).toBe(true);

  await expect(page.getByTestId('device-lost-banner')).toBeVisible();
  const message = page.getByTestId('train-message');
  await expect(message).toContainText('Training failed');
  await expect(message).toContainText('The GPU device was lost after step');
  const row = page.getByTestId('run-row').first();
  await expect(row).toHaveAttribute('data-status', 'failed');
  await expect(page.getByTestId('train-no-model')).toBeVisible(); // the model went with the device

  await page.getByTestId('device-lost-banner').getByRole('button', { name: 'Reconnect GPU' }).click();
  await expect(page.getByTestId('device-chip')).toHaveAttribute('data-status', 'ready');
  await page.getByTestId('nav-model').click();
  await expect(page.getByTestId('model-section')).toContainText('The GPU was lost');
  await page.getByTestId('load-again-button').click();
  await expect(page.getByTestId('model-name')).toHaveText(TINY_REPO);
  await page.getByTestId('nav-train').click();
  await expect(row.getByTestId('run-resume')).toHaveText(/^Resume from step \d*[05]$/);
  const k = Number((await row.getByTestId('run-resume').textContent())!.match(/\d+/)![0]);
  expect(k).toBeGreaterThanOrEqual(5);
  expect(k).toBeLessThan(LONG_RUN);
  await row.getByTestId('run-resume').click();
  await expect(row).toHaveAttribute('data-status', 'finished', { timeout: 90_000 });
  await expect(row).toHaveAttribute('data-steps', String(LONG_RUN));
});
