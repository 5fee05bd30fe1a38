import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { parseSafetensorsHeader, serializeSafetensors, type TensorToWrite } from '../src/engine/io/safetensors';
import { startHubServer, type HubServer } from '../src/node/hubServer';
import { brownTexts } from '../src/pretrain/prepare';
import { pairShare, vocabularyOf, wordPairsOf, wordStats } from '../src/pretrain/wordStats';
import { loadFromHub, openModelPage } from './fixtures/studio';
import { PAIRS, fastSettings, importPairs } from './fixtures/train';

/**
 * The built-in base model (public/models/studio-base, pretrained by `npm run cli -- pretrain`) in the real app: it
 * loads, it continues English prose with words of its corpus, and the same files served in the hub's URL layout —
 * as one file through a dropped connection, and as shards with an index — load to the very same model.
 */

const MODEL_DIR = resolve(import.meta.dirname, '../public/models/studio-base');
const config = JSON.parse(readFileSync(join(MODEL_DIR, 'config.json'), 'utf8')) as Record<string, number | boolean>;
const PROMPT = 'The committee said that';
/** LoRA steps of the instruction-tuning test (batch = all six pairs). */
const STEPS = 60;

let hub: HubServer;
test.beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'studio-e2e-builtin-'));
  const single = join(root, 'studio/studio-base');
  mkdirSync(single, { recursive: true });
  for (const f of readdirSync(MODEL_DIR)) copyFileSync(join(MODEL_DIR, f), join(single, f));
  writeShards(join(root, 'studio/studio-base-sharded'));
  hub = await startHubServer({
    root,
    // The connection drops twice in the middle of the weights: the loader must resume with Range requests.
    faults: { 'studio/studio-base/model.safetensors': { kind: 'drop', afterBytes: 700_000, times: 2 } },
  });
});
test.afterAll(async () => {
  await hub?.close();
});

/** The built-in weights split into two shards plus model.safetensors.index.json, as the hub stores big models. */
function writeShards(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(MODEL_DIR)) if (f !== 'model.safetensors') copyFileSync(join(MODEL_DIR, f), join(dir, f));
  const bytes = new Uint8Array(readFileSync(join(MODEL_DIR, 'model.safetensors')));
  const header = parseSafetensorsHeader(bytes, { fileName: 'model.safetensors', fileSize: bytes.byteLength });
  const tensors: TensorToWrite[] = header.tensors.map((t) => {
    expect(t.dtype).toBe('F32');
    const data = bytes.slice(header.dataOffset + t.begin, header.dataOffset + t.end);
    return { name: t.name, dtype: 'F32', shape: t.shape, data: new Float32Array(data.buffer) };
  });
  const half = Math.ceil(tensors.length / 2);
  const shards = [tensors.slice(0, half), tensors.slice(half)];
  const weightMap: Record<string, string> = {};
  shards.forEach((part, i) => {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    writeFileSync(join(dir, file), serializeSafetensors(part, { format: 'pt' }));
    for (const t of part) weightMap[t.name] = file;
  });
  const totalSize = tensors.reduce((a, t) => a + t.data.byteLength, 0);
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }));
}

interface Sampling {
  temperature: number;
  topK: number;
  seed: number;
  maxNewTokens: number;
}

/** Plain-text continuation of `prompt` by the loaded base model in the Playground; returns the generated text. */
async function continueText(page: Page, prompt: string, s: Sampling): Promise<string> {
  await page.getByTestId('nav-playground').click();
  const pg = page.getByTestId('playground');
  await pg.getByTestId('pg-plain').click();
  await pg.getByTestId('pg-compare').uncheck();
  if (!(await pg.getByTestId('pg-temperature').isVisible())) await pg.getByText('Sampling', { exact: true }).click();
  await pg.getByTestId('pg-temperature').fill(String(s.temperature));
  await pg.getByTestId('pg-topk').fill(String(s.topK));
  await pg.getByTestId('pg-seed').fill(String(s.seed));
  await pg.getByTestId('pg-max-tokens').fill(String(s.maxNewTokens));
  await pg.getByTestId('pg-prompt').fill(prompt);
  await pg.getByTestId('pg-generate').click();
  const out = pg.getByTestId('pg-out-left');
  await expect(out).toHaveAttribute('data-done', 'true', { timeout: 60_000 });
  await expect(pg.getByTestId('pg-out-left-stats')).toHaveAttribute('data-tokens', String(s.maxNewTokens));
  return (await pg.getByTestId('pg-out-left-text').textContent()) ?? '';
}

const GREEDY: Sampling = { temperature: 0, topK: 0, seed: 0, maxNewTokens: 32 };
const SAMPLED: Sampling = { temperature: 0.8, topK: 40, seed: 1, maxNewTokens: 48 };

test('the built-in model loads, continues English prose with corpus words, and loads identically from the hub layout (resumed, and sharded)', async ({ page }) => {
  await openModelPage(page);
  await page.getByTestId('load-builtin').click();
  await expect(page.getByTestId('model-name')).toHaveText('studio-base');
  const card = page.getByTestId('model-card');
  await expect(card.getByTestId('card-arch')).toHaveText('LlamaForCausalLM (llama)');
  await expect(card.getByTestId('card-layers')).toHaveText(String(config.num_hidden_layers));
  await expect(card.getByTestId('card-hidden')).toHaveText(String(config.hidden_size));
  await expect(card.getByTestId('card-vocab')).toHaveText(Number(config.vocab_size).toLocaleString('en-US'));
  await expect(card.getByTestId('card-tied')).toHaveText(/^yes/);

  // Sampled text is made of real words in pairs English uses, and many different ones: the model learned some
  // English, not one loop. (The session-1 model, held-out loss 5.81, scored about 0.80 words and 0.50 pairs.)
  const train = brownTexts().train;
  const vocab = vocabularyOf(train), pairs = wordPairsOf(train);
  const samples: string[] = [];
  for (const seed of [1, 2, 3]) samples.push(await continueText(page, PROMPT, { ...SAMPLED, seed }));
  const all = samples.join(' \n ');
  const s = wordStats(all, vocab), p = pairShare(all, pairs);
  const shown = JSON.stringify(samples);
  console.log(`samples ${shown}: corpus words ${s.share.toFixed(3)}, corpus word pairs ${p.share.toFixed(3)}, ${s.distinct} distinct`);
  expect(s.words, `words in ${shown}`).toBeGreaterThanOrEqual(60);
  expect(s.share, `share of corpus words in ${shown} (unknown: ${s.unknown.join(', ')})`).toBeGreaterThanOrEqual(0.8);
  expect(p.share, `share of corpus word pairs in ${shown}`).toBeGreaterThanOrEqual(0.6);
  expect(s.distinct, `distinct words in ${shown}`).toBeGreaterThanOrEqual(40);
  const greedy = await continueText(page, PROMPT, GREEDY);
  expect(wordStats(greedy, vocab).share, `greedy ${JSON.stringify(greedy)}`).toBeGreaterThanOrEqual(0.8);

  // The same weights over HTTP in the hub layout: one file through two dropped connections, then two shards.
  for (const repo of ['studio/studio-base', 'studio/studio-base-sharded']) {
    await page.getByTestId('nav-model').click();
    await loadFromHub(page, hub.url, repo);
    await expect(page.getByTestId('card-vocab')).toHaveText(Number(config.vocab_size).toLocaleString('en-US'));
    expect(await continueText(page, PROMPT, GREEDY), `greedy continuation after loading ${repo}`).toBe(greedy);
  }
  // Two responses were cut at 700,000 bytes, and the download went on from where each stopped. A cut response sent
  // less than its range asked for. (Chromium's HTTP cache may add a bounded request for bytes it holds from a cut
  // response; that one is complete and is not a cut.)
  const weights = hub.requests.filter((r) => r.path.endsWith('/studio/studio-base/resolve/main/model.safetensors'));
  const asked = (r: { range?: string }) => {
    const m = /^bytes=(\d+)-(\d+)$/.exec(r.range ?? '');
    return m ? Number(m[2]) - Number(m[1]) + 1 : Infinity;
  };
  const isCut = (r: { range?: string; sent: number }) => r.sent === 700_000 && r.sent < asked(r);
  expect(weights.filter(isCut), JSON.stringify(weights)).toHaveLength(2);
  // After the first cut the loader goes on with Range requests (from the start of the tensor it was writing), never
  // asking for the whole file again.
  const cut = weights.findIndex(isCut);
  const after = weights.slice(cut + 1);
  expect(after.length, JSON.stringify(weights)).toBeGreaterThanOrEqual(2);
  expect(after.every((r) => /^bytes=[1-9]\d*-/.test(r.range ?? '') && r.status === 206), JSON.stringify(weights)).toBe(true);
  for (const shard of ['model-00001-of-00002', 'model-00002-of-00002'])
    expect(hub.requests.some((r) => r.path.endsWith(`/studio/studio-base-sharded/resolve/main/${shard}.safetensors`))).toBe(true);
});

test('instruction tuning visibly changes it: after a short LoRA run on six pairs the adapter answers a trained question, the base model rambles on', async ({ page }) => {
  test.setTimeout(300_000);
  await importPairs(page);
  await openModelPage(page);
  await page.getByTestId('load-builtin').click();
  await expect(page.getByTestId('model-name')).toHaveText('studio-base');
  await page.getByTestId('nav-train').click();

  // At the rates made for large models this small one would hardly move: the form says so and offers a rate.
  await page.getByTestId('train-lr').fill('0.0002');
  await expect(page.getByTestId('lr-advice')).toContainText('Small models learn slowly');
  await page.getByTestId('lr-advice-apply').click();
  await expect(page.getByTestId('train-lr')).toHaveValue('0.01');
  await expect(page.getByTestId('lr-advice')).toHaveCount(0);

  await fastSettings(page, { maxSteps: STEPS });
  await page.getByTestId('train-template').selectOption('model'); // its own ChatML template
  await page.getByTestId('train-batchSize').fill(String(PAIRS.length));
  await page.getByTestId('train-start').click();
  const row = page.getByTestId('run-row').first();
  await expect(row).toHaveAttribute('data-status', 'finished', { timeout: 240_000 });
  const first = Number(await row.getAttribute('data-first-loss'));
  const last = Number(await row.getAttribute('data-last-loss'));
  expect(last, `loss ${first} → ${last}`).toBeLessThan(first / 2);

  // A chat prompt, greedy; the playground puts the base model left and the new adapter right.
  await page.getByTestId('nav-playground').click();
  const pg = page.getByTestId('playground');
  await pg.getByTestId('pg-chat').click();
  if (!(await pg.getByTestId('pg-temperature').isVisible())) await pg.getByText('Sampling', { exact: true }).click();
  await pg.getByTestId('pg-temperature').fill('0');
  await pg.getByTestId('pg-max-tokens').fill('16');
  await pg.getByTestId('pg-prompt').fill(PAIRS[1][0]);
  await pg.getByTestId('pg-generate').click();
  await expect(pg.getByTestId('pg-out-right')).toHaveAttribute('data-done', 'true', { timeout: 60_000 });
  await expect(pg.getByTestId('pg-left')).toHaveValue('__base__');
  const base = (await pg.getByTestId('pg-out-left-text').textContent()) ?? '';
  const tuned = (await pg.getByTestId('pg-out-right-text').textContent()) ?? '';
  // The base model continues the text (Brown-corpus prose) up to the token limit; the tuned one answers. Ending its
  // turn takes longer to learn: the base model never saw <|im_end|> in pretraining, and LoRA leaves its (tied)
  // embedding frozen, so after 60 steps the reply may run on past the answer.
  await expect(pg.getByTestId('pg-out-left-stats'), `base model: ${JSON.stringify(base)}`).toHaveAttribute('data-reason', 'max-tokens');
  expect(base, `base model: ${JSON.stringify(base)}`).not.toContain('Paris');
  expect(tuned.trimStart().startsWith(PAIRS[1][1]), `adapter: ${JSON.stringify(tuned)}`).toBe(true);
});

test('the studio opens on the built-in model, and the preference to do so can be turned off', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('nav-model').click();
  await expect(page.getByTestId('model-name')).toHaveText('studio-base');
  await page.getByTestId('tab-builtin').click();
  const pref = page.getByTestId('autoload-builtin');
  await expect(pref).toBeChecked();
  await pref.uncheck();
  await page.reload();
  await expect(page.getByTestId('device-chip')).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('model-empty')).toBeVisible();
  await expect(page.getByTestId('autoload-builtin')).not.toBeChecked();
});
