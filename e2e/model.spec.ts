import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { startTinyHub, writeTinyModel, TINY_REPO, type TinyHub } from './fixtures/tinyModel';
import { loadFromHub, openModelPage } from './fixtures/studio';
import { formatBytes } from '../src/ui/shell/format';

/** The Model section against real HTTP (a local hub-layout server), real files and the engine Worker on SwiftShader. */

let hub: TinyHub;
test.beforeAll(async () => {
  hub = await startTinyHub();
});
test.afterAll(async () => {
  await hub?.close();
});

function paramCount(h: TinyHub): number {
  let n = 0;
  for (const v of h.model.model.weights.values()) n += v.length;
  return n;
}

async function expectCard(page: Page, name: string) {
  const card = page.getByTestId('model-card');
  await expect(card.getByTestId('model-name')).toHaveText(name);
  await expect(card.getByTestId('card-arch')).toHaveText('LlamaForCausalLM (llama)');
  await expect(card.getByTestId('card-layers')).toHaveText('2');
  await expect(card.getByTestId('card-hidden')).toHaveText('32');
  await expect(card.getByTestId('card-heads')).toHaveText('grouped-query, 4 / 2 heads of 8 dims');
  await expect(card.getByTestId('card-block')).toHaveText('RMSNorm before each branch · RoPE θ 10,000 · gated SiLU MLP');
  await expect(card.getByTestId('card-vocab')).toHaveText('493');
  await expect(card.getByTestId('card-tied')).toHaveText('no');
  await expect(card.getByTestId('card-context')).toHaveText('256 positions');
}

test('hub URL: loads with progress, shows the card and the stored copy; a missing repo and a truncated file fail clearly and keep the model', async ({ page }) => {
  await openModelPage(page);
  // No model yet, and the built-in one may be absent in this build: either it loads or it says clearly why not.
  await page.getByTestId('load-builtin').click();
  await expect(page.getByTestId('model-card').or(page.getByTestId('load-error'))).toBeVisible();
  if (await page.getByTestId('load-error').isVisible()) {
    await expect(page.getByTestId('load-error')).toContainText('The built-in model is not available');
    await expect(page.getByTestId('load-error')).toContainText('config.json');
  }

  await loadFromHub(page, hub.hub.url, TINY_REPO);
  await expectCard(page, TINY_REPO);
  const params = paramCount(hub);
  await expect(page.getByTestId('card-params')).toHaveText(`${(params / 1e3).toFixed(1)} K`);
  await expect(page.getByTestId('card-memory')).toHaveText(formatBytes(params * 4));
  await expect(page.getByTestId('load-progress')).toHaveCount(0);

  // The download was kept in Cache Storage, with its real size.
  const stored = page.getByTestId('stored-model').filter({ hasText: TINY_REPO });
  await expect(stored).toHaveCount(1);
  // Weights as served; the JSON files as parsed and stored compactly.
  const size = (f: string) => (f.endsWith('.json') ? Buffer.byteLength(JSON.stringify(JSON.parse(readFileSync(f, 'utf8')))) : statSync(f).size);
  const bytes = hub.model.files.reduce((a, f) => a + size(f), 0);
  await expect(stored).toContainText(`${hub.model.files.length} files`);
  await expect(stored.getByTestId('stored-size')).toHaveText(formatBytes(bytes));
  expect(hub.model.files.map((f) => basename(f)).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);

  // A slow download shows bytes, tensors, speed and time left, and Cancel leaves the loaded model as it was.
  await page.getByTestId('hub-endpoint').fill(`${hub.hub.url}/__fault/slow-2000-40`);
  await page.getByTestId('hub-load').click();
  const stats = page.getByTestId('load-stats');
  await expect(stats).toContainText(/[\d.]+ kB of [\d.]+ kB/);
  await expect(stats).toContainText(/\d+ \/ 21 tensors/);
  await expect(stats).toContainText(/[\d.]+ MB\/s/);
  await expect(stats).toContainText(/ETA \d+ s/);
  await page.getByTestId('load-cancel').click();
  await expect(page.getByTestId('load-progress')).toHaveCount(0);
  await expect(page.getByTestId('load-error')).toHaveCount(0);
  await expect(page.getByTestId('model-name')).toHaveText(TINY_REPO);

  // A repo that does not exist: a clear error, and the loaded model is untouched.
  await loadFromHub(page, hub.hub.url, 'studio-e2e/no-such-model', { expectLoaded: false });
  const error = page.getByTestId('load-error');
  await expect(error).toContainText('Model not found: studio-e2e/no-such-model');
  await expect(error.getByTestId('load-error-message')).toHaveAttribute('data-kind', 'repo-not-found');
  await expect(error.getByTestId('load-error-previous')).toHaveText(`${TINY_REPO} is still loaded and ready to use.`);
  await expect(page.getByTestId('model-name')).toHaveText(TINY_REPO);

  // The weights file cut short by the server: the error names the file and the tensor, nothing is swapped.
  await loadFromHub(page, `${hub.hub.url}/__fault/truncate-20000`, TINY_REPO, { expectLoaded: false });
  await expect(error.getByTestId('load-error-message')).toHaveAttribute('data-kind', 'bad-file');
  await expect(error.getByTestId('load-error-file')).toContainText('model.safetensors');
  await expect(error.getByTestId('load-error-message')).toContainText('ended after');
  await expect(error.getByTestId('load-error-previous')).toContainText('is still loaded');
  await expect(page.getByTestId('model-name')).toHaveText(TINY_REPO);
  // Nothing partial was stored for the faulty endpoint.
  await expect(page.getByTestId('stored-model')).toHaveCount(1);

  // A gated repo: what to do without a token; with one (kept in this tab's sessionStorage only), why it was refused.
  await loadFromHub(page, `${hub.hub.url}/__fault/gated`, TINY_REPO, { expectLoaded: false });
  await expect(error).toContainText('This model is gated');
  await expect(error.getByTestId('load-error-message')).toContainText('create an access token');
  await page.getByTestId('hub-token').fill('hf_e2e_secret');
  await loadFromHub(page, `${hub.hub.url}/__fault/gated`, TINY_REPO, { expectLoaded: false });
  await expect(error.getByTestId('load-error-message')).toContainText('your access token is not (yet) allowed');
  const stored_ = await page.evaluate(() => ({ session: sessionStorage.getItem('studio.hubToken'), local: localStorage.getItem('studio.hubToken') }));
  expect(stored_).toEqual({ session: 'hf_e2e_secret', local: null });
  await page.getByRole('button', { name: 'Forget token' }).click();
  await expect(page.getByTestId('hub-token')).toHaveValue('');
  expect(await page.evaluate(() => sessionStorage.getItem('studio.hubToken'))).toBeNull();
  await expect(page.getByTestId('model-name')).toHaveText(TINY_REPO);

  // Delete the stored copy.
  await stored.getByTestId('stored-delete').click();
  await stored.getByTestId('stored-confirm-delete').click();
  await expect(page.getByTestId('stored-model')).toHaveCount(0);
});

test('local files: folder picker, file picker, drop anywhere on the page, and a pick missing the tokenizer names the file', async ({ page }) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'studio-e2e-local-')), 'my-tiny-model');
  const local = writeTinyModel(dir, 11, { hidden_size: 48, num_attention_heads: 4, num_key_value_heads: 4 });
  await openModelPage(page);
  await page.getByTestId('tab-local').click();

  await page.getByTestId('local-folder').setInputFiles(dir);
  await expect(page.getByTestId('model-name')).toHaveText('my-tiny-model');
  await expect(page.getByTestId('card-hidden')).toHaveText('48');
  await expect(page.getByTestId('card-heads')).toHaveText('multi-head, 4 / 4 heads of 12 dims');

  // Files without tokenizer.json: the error says which file is missing; the folder's model stays.
  await page.getByTestId('local-files').setInputFiles(local.files.filter((f) => !f.endsWith('tokenizer.json')));
  const error = page.getByTestId('load-error');
  await expect(error.getByTestId('load-error-file')).toHaveText('tokenizer.json');
  await expect(error).toContainText('was not among the chosen files');
  await expect(error.getByTestId('load-error-previous')).toHaveText('my-tiny-model is still loaded and ready to use.');

  // An architecture the engine does not implement: named as such, with the supported ones.
  const bert = join(mkdtempSync(join(tmpdir(), 'studio-e2e-bert-')), 'bert');
  const bertModel = writeTinyModel(bert, 3);
  writeFileSync(join(bert, 'config.json'), JSON.stringify({ ...bertModel.model.configJson, model_type: 'bert', architectures: ['BertForMaskedLM'] }));
  await page.getByTestId('local-folder').setInputFiles(bert);
  await expect(error.getByTestId('load-error-message')).toHaveAttribute('data-kind', 'unsupported');
  await expect(error).toContainText('Unsupported model: bert (local folder)');
  await expect(error.getByTestId('load-error-message')).toContainText('"bert" is not supported');
  await expect(error.getByTestId('load-error-previous')).toHaveText('my-tiny-model is still loaded and ready to use.');

  // All four files picked one by one.
  await page.getByTestId('local-files').setInputFiles(hub.model.files);
  await expect(page.getByTestId('model-name')).toHaveText('local model');
  await expect(page.getByTestId('load-error')).toHaveCount(0);
  await expectCard(page, 'local model');

  // Files dragged anywhere on the page (here onto the model card, with the Hugging Face tab open) load as local files.
  await page.getByTestId('tab-hub').click();
  const files = local.files.map((f) => ({ name: basename(f), base64: readFileSync(f).toString('base64') }));
  const drag = (type: 'dragover' | 'drop') =>
    page.getByTestId('model-card').evaluate(
      (target, { files, type }) => {
        const dt = new DataTransfer();
        for (const f of files) dt.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name));
        target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      { files, type },
    );
  await drag('dragover');
  await expect(page.getByTestId('drop-overlay')).toContainText('Drop the model folder');
  await drag('drop');
  await expect(page.getByTestId('drop-overlay')).toHaveCount(0);
  await expect(page.getByTestId('tab-local')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('card-hidden')).toHaveText('48');
  await expect(page.getByTestId('load-error')).toHaveCount(0);
});
