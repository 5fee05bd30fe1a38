/**
 * A turn marked not trained (weight 0) is never trained, in ANY mask mode — the promise the editor's "train" tick
 * makes. Checked by decoding exactly which tokens are trained, with the ChatML preset (one line per message:
 * `<|im_start|>role\ncontent<|im_end|>\n`), so every expectation can be read off the rendered text.
 */
import { describe, expect, it } from 'vitest';
import { fixtureTokenizer } from '../text/__fixtures__/fixtures.ts';
import type { StudioTokenizer } from '../text/tokenizer.ts';
import { IGNORE_INDEX, NO_TRAINED_TOKENS, ONLY_FIRST_TOKEN, buildLabels, type LabeledExample } from './labels.ts';
import { getPreset } from './templates.ts';
import type { ChatBody, MaskMode, Turn } from './types.ts';

const MODES: MaskMode[] = ['assistant-only', 'completion-only', 'full', 'last-turn', 'per-turn-weights'];
const chatml = () => fixtureTokenizer({ template: getPreset('chatml')!.template });

const chat = (...messages: Turn[]): ChatBody => ({ kind: 'chat', messages });
const user = (content: string): Turn => ({ role: 'user', content });
const reply = (content: string, weight?: 0 | 1): Turn => ({ role: 'assistant', content, ...(weight !== undefined ? { weight } : {}) });

/** The trained stretches, each decoded on its own. */
function trainedRuns(tok: StudioTokenizer, r: LabeledExample): string[] {
  const runs: number[][] = [];
  r.labels.forEach((l, i) => {
    if (l === IGNORE_INDEX) return;
    if (i > 0 && r.labels[i - 1] !== IGNORE_INDEX) runs.at(-1)!.push(l);
    else runs.push([l]);
  });
  return runs.map((run) => tok.decode(run));
}

/** The masked stretches, decoded. */
function maskedRuns(tok: StudioTokenizer, r: LabeledExample): string[] {
  return trainedRuns(tok, { ...r, labels: r.labels.map((l, i) => (l === IGNORE_INDEX ? r.inputIds[i] : IGNORE_INDEX)) });
}

// Two earlier replies (the first not trained) and a final one.
const BODY = chat(user('Q1'), reply('Skip me please.', 0), user('Q2'), reply('Keep me.'), user('Q3'), reply('Last one.'));

describe('weight-0 turns are never trained', () => {
  const trainedByMode: Record<MaskMode, string[]> = {
    'assistant-only': ['Keep me.<|im_end|>', 'Last one.<|im_end|>'],
    'per-turn-weights': ['Keep me.<|im_end|>', 'Last one.<|im_end|>'],
    'completion-only': ['Last one.<|im_end|>'],
    'last-turn': ['Last one.<|im_end|>'],
    // Everything but the weight-0 reply and its end-of-turn token (its role header stays, like all markup).
    full: ['<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\n', '\n<|im_start|>user\nQ2<|im_end|>\n<|im_start|>assistant\nKeep me.<|im_end|>\n<|im_start|>user\nQ3<|im_end|>\n<|im_start|>assistant\nLast one.<|im_end|>\n'],
  };

  it.each(MODES)('%s: exactly these tokens are trained', async (mode) => {
    const tok = await chatml();
    const r = buildLabels(tok, BODY, { mode, trainEos: true });
    expect(trainedRuns(tok, r)).toEqual(trainedByMode[mode]);
    // Not one token of the unticked reply is trained, nor its end-of-turn token.
    const turn1 = r.labels.filter((_, i) => r.turnIndex[i] === 1 && r.roles[i] === 'assistant');
    expect(turn1.length).toBeGreaterThan(0);
    expect(turn1.every((l) => l === IGNORE_INDEX)).toBe(true);
    expect(tok.decode(r.inputIds)).toContain('Skip me please.<|im_end|>');
    expect(maskedRuns(tok, r).some((m) => m.includes('Skip me please.<|im_end|>'))).toBe(true);
    expect(r.trainedCount).toBe(r.labels.filter((l) => l !== IGNORE_INDEX).length);
    expect(r.trainedCount + r.maskedCount).toBe(r.inputIds.length);
  });

  it.each(MODES)('%s: unticking a reply lowers the trained count by exactly that reply and its end-of-turn token', async (mode) => {
    const tok = await chatml();
    const ticked = chat(user('Q1'), reply('Skip me please.', 1), user('Q2'), reply('Keep me.'));
    const unticked = chat(user('Q1'), reply('Skip me please.', 0), user('Q2'), reply('Keep me.'));
    const a = buildLabels(tok, ticked, { mode, trainEos: true });
    const b = buildLabels(tok, unticked, { mode, trainEos: true });
    expect(b.inputIds).toEqual(a.inputIds);
    // completion-only and last-turn never trained the first reply; every other mode did until it was unticked.
    const trainedBefore = mode === 'completion-only' || mode === 'last-turn' ? 0 : tok.encode('Skip me please.<|im_end|>', { addSpecialTokens: false }).length;
    expect(a.trainedCount - b.trainedCount).toBe(trainedBefore);
  });

  it.each(MODES)('%s without trainEos: the weight-0 reply stays masked and the others lose only their end-of-turn token', async (mode) => {
    const tok = await chatml();
    const withoutEos: Record<MaskMode, string[]> = {
      'assistant-only': ['Keep me.', 'Last one.'],
      'per-turn-weights': ['Keep me.', 'Last one.'],
      'completion-only': ['Last one.'],
      'last-turn': ['Last one.'],
      full: [
        '<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\n',
        '\n<|im_start|>user\nQ2<|im_end|>\n<|im_start|>assistant\nKeep me.',
        '\n<|im_start|>user\nQ3<|im_end|>\n<|im_start|>assistant\nLast one.',
        '\n',
      ],
    };
    expect(trainedRuns(tok, buildLabels(tok, BODY, { mode, trainEos: false }))).toEqual(withoutEos[mode]);
  });

  it('weight 1 and no weight are the same', async () => {
    const tok = await chatml();
    for (const mode of MODES) {
      const implicit = buildLabels(tok, chat(user('Q'), reply('A.')), { mode, trainEos: true });
      const explicit = buildLabels(tok, chat(user('Q'), reply('A.', 1)), { mode, trainEos: true });
      expect(explicit.labels).toEqual(implicit.labels);
    }
  });

  it('a weight-0 final reply: last-turn and completion-only train nothing (no fallback), and say why', async () => {
    const tok = await chatml();
    const body = chat(user('Q1'), reply('Earlier.'), user('Q2'), reply('Final.', 0));
    for (const mode of ['last-turn', 'completion-only'] as const) {
      const r = buildLabels(tok, body, { mode, trainEos: true });
      expect(r.trainedCount).toBe(0);
      expect(r.targetCount).toBe(0);
      expect(r.warnings).toEqual(['assistant turn 3, the one this mode trains, is marked not trained (weight 0)', NO_TRAINED_TOKENS]);
    }
    const assistant = buildLabels(tok, body, { mode: 'assistant-only', trainEos: true });
    expect(trainedRuns(tok, assistant)).toEqual(['Earlier.<|im_end|>']);
    expect(assistant.warnings).toEqual([]);
  });

  it('every reply weight 0: nothing trained in the masked modes; full mode trains the prompts only', async () => {
    const tok = await chatml();
    const body = chat(user('Q1'), reply('A1.', 0), user('Q2'), reply('A2.', 0));
    for (const mode of MODES.filter((m) => m !== 'full')) {
      const r = buildLabels(tok, body, { mode, trainEos: true });
      expect(r.trainedCount).toBe(0);
      expect(r.warnings.at(-1)).toBe(NO_TRAINED_TOKENS);
    }
    expect(buildLabels(tok, body, { mode: 'assistant-only', trainEos: true }).warnings[0]).toBe('assistant turns 1, 3, the ones this mode trains, are marked not trained (weight 0)');
    const full = buildLabels(tok, body, { mode: 'full', trainEos: true });
    expect(trainedRuns(tok, full).join('')).not.toMatch(/A1|A2/);
    expect(full.trainedCount).toBeGreaterThan(0);
  });
});

describe('targets after the shift', () => {
  it('counts trained labels the model predicts: never the first position', async () => {
    const tok = await chatml();
    const r = buildLabels(tok, BODY, { mode: 'full', trainEos: true });
    expect(r.labels[0]).not.toBe(IGNORE_INDEX);
    expect(r.targetCount).toBe(r.trainedCount - 1);
    const masked = buildLabels(tok, BODY, { mode: 'assistant-only', trainEos: true });
    expect(masked.targetCount).toBe(masked.trainedCount);
  });

  it('an example whose only trained token is the first adds nothing to the loss, and says so', async () => {
    const tok = await chatml();
    const ids = tok.encode('a', { addSpecialTokens: true });
    expect(ids).toHaveLength(1); // test setup: one token, no BOS
    const r = buildLabels(tok, { kind: 'text', text: 'a' }, { mode: 'full', trainEos: false });
    expect(r.trainedCount).toBe(1);
    expect(r.targetCount).toBe(0);
    expect(r.warnings).toEqual([ONLY_FIRST_TOKEN]);
  });

  it('reports the length before truncation', async () => {
    const tok = await chatml();
    const whole = buildLabels(tok, BODY, { mode: 'assistant-only', trainEos: true });
    const cut = buildLabels(tok, BODY, { mode: 'assistant-only', trainEos: true, maxLength: 10 });
    expect(whole.untruncatedLength).toBe(whole.inputIds.length);
    expect(cut.untruncatedLength).toBe(whole.inputIds.length);
    expect(cut.inputIds).toHaveLength(10);
  });
});
