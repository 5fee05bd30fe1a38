/**
 * Exact -100 positions for every mask mode × template. The expected labels are computed here without the label
 * builder: render with the template, find each assistant turn by searching for "<header><content><end-of-turn>"
 * literally, map tokens to characters by the lengths of decoded prefixes (exact for byte-level BPE on ASCII text),
 * and mark a token trained when it overlaps a trained character range.
 */
import { describe, expect, it } from 'vitest';
import { fixtureTokenizer, type ChatTemplateName } from '../text/__fixtures__/fixtures.ts';
import type { StudioTokenizer } from '../text/tokenizer.ts';
import { FULL_MODE_GOTCHA, IGNORE_INDEX, LabelError, PAIR_TURN, buildLabels } from './labels.ts';
import { getPreset, type TemplatePresetId } from './templates.ts';
import type { ChatBody, MaskMode, PairBody, Turn } from './types.ts';

interface TemplateCase {
  name: string;
  load: () => Promise<StudioTokenizer>;
  /** Text right before an assistant turn's content, and the end-of-turn marker right after it. */
  open: string;
  close: string;
  trims: boolean;
  systemOk: boolean;
}

const real = (model: ChatTemplateName, open: string, close: string, trims = false, systemOk = true): TemplateCase => ({
  name: model,
  load: () => fixtureTokenizer({ model }),
  open,
  close,
  trims,
  systemOk,
});
const preset = (id: TemplatePresetId, model: ChatTemplateName, open: string, close: string, config = {}, trims = false): TemplateCase => ({
  name: `preset:${id}`,
  load: () => fixtureTokenizer({ model, template: getPreset(id)!.template, config }),
  open,
  close,
  trims,
  systemOk: true,
});

const CHATML_OPEN = '<|im_start|>assistant\n';
const LLAMA_OPEN = '<|start_header_id|>assistant<|end_header_id|>\n\n';
const BASE = { eos_token: '<|endoftext|>', bos_token: null };

const TEMPLATES: TemplateCase[] = [
  real('smollm2', CHATML_OPEN, '<|im_end|>'),
  real('qwen2.5', CHATML_OPEN, '<|im_end|>'),
  real('llama3', LLAMA_OPEN, '<|eot_id|>', true),
  real('llama3.1', LLAMA_OPEN, '<|eot_id|>', true),
  real('mistral', ' [/INST] ', '</s>'),
  real('gemma', '<start_of_turn>model\n', '<end_of_turn>', true, false),
  preset('chatml', 'smollm2', CHATML_OPEN, '<|im_end|>'),
  preset('llama3', 'llama3', LLAMA_OPEN, '<|eot_id|>', {}, true),
  preset('mistral-inst', 'mistral', ' [/INST]', '</s>'),
  preset('alpaca', 'smollm2', '### Response:\n', '<|endoftext|>', BASE),
  preset('instruction-input-output', 'smollm2', 'Output: ', '<|endoftext|>', BASE),
];

const CHAT: Turn[] = [
  { role: 'user', content: 'What is the capital of France?' },
  { role: 'assistant', content: 'Paris is the capital.' },
  { role: 'user', content: 'And of Italy?' },
  { role: 'assistant', content: ' Rome, of course. ', weight: 0 },
  { role: 'user', content: 'Spain?' },
  { role: 'assistant', content: 'Madrid.' },
];
const SYSTEM: Turn = { role: 'system', content: 'Answer briefly.' };
const PAIR: PairBody = { kind: 'pair', instruction: 'Add the numbers.', input: '2 and 3', output: 'The sum is 5.' };

/**
 * Which assistant turns (0-based among assistant turns of CHAT) each mode trains. Reply 1 has weight 0 and is never
 * trained, in any mode (in full mode its reply and end-of-turn token are the masked part).
 */
const CHAT_TRAINED: Record<MaskMode, number[]> = {
  'assistant-only': [0, 2],
  'per-turn-weights': [0, 2],
  'last-turn': [2],
  'completion-only': [2],
  full: [0, 2],
};
const MODES = Object.keys(CHAT_TRAINED) as MaskMode[];

/** Character span of each token, from decoded-prefix lengths. */
function decodedSpans(tok: StudioTokenizer, ids: number[]): [number, number][] {
  const spans: [number, number][] = [];
  let prev = 0;
  for (let i = 0; i < ids.length; i++) {
    const end = tok.decode(ids.slice(0, i + 1)).length;
    spans.push([prev, end]);
    prev = end;
  }
  return spans;
}

interface Located {
  content: [number, number];
  close: [number, number];
}

/** Find each assistant reply, in order, as open + shown content + close. */
function locate(text: string, c: TemplateCase, replies: string[]): Located[] {
  let cursor = 0;
  return replies.map((reply) => {
    const shown = c.trims ? reply.trim() : reply;
    const at = text.indexOf(c.open + shown + c.close, cursor);
    if (at < 0) throw new Error(`test setup: ${JSON.stringify(c.open + shown + c.close)} not found in ${JSON.stringify(text)}`);
    const start = at + c.open.length;
    cursor = start + shown.length + c.close.length;
    return { content: [start, start + shown.length], close: [start + shown.length, cursor] };
  });
}

function expected(tok: StudioTokenizer, text: string, located: Located[], trained: number[], mode: MaskMode, trainEos: boolean): number[] {
  const ids = tok.encode(text, { addSpecialTokens: false });
  const overlaps = ([a, b]: [number, number], ranges: [number, number][]) => ranges.some(([s, e]) => a < e && b > s);
  if (mode === 'full') {
    // Everything except the untrained replies (content and end-of-turn) and, without trainEos, every end-of-turn marker.
    const masked = located.map((l, k): [number, number] => (trained.includes(k) ? l.close : [l.content[0], l.close[1]])).filter((_, k) => !trainEos || !trained.includes(k));
    return decodedSpans(tok, ids).map((span, i) => (overlaps(span, masked) ? IGNORE_INDEX : ids[i]));
  }
  const ranges = trained.map((k): [number, number] => [located[k].content[0], trainEos ? located[k].close[1] : located[k].content[1]]);
  return decodedSpans(tok, ids).map((span, i) => (overlaps(span, ranges) ? ids[i] : IGNORE_INDEX));
}

describe.each(TEMPLATES)('$name', (c) => {
  const replies = CHAT.filter((m) => m.role === 'assistant').map((m) => m.content);

  describe.each([true, false])('trainEos=%s', (trainEos) => {
    it.each(MODES)('chat, %s', async (mode) => {
      const tok = await c.load();
      const body: ChatBody = { kind: 'chat', messages: CHAT };
      const text = tok.applyTemplate(CHAT);
      const r = buildLabels(tok, body, { mode, trainEos });
      expect(r.inputIds).toEqual(tok.encode(text, { addSpecialTokens: false }));
      expect(r.labels).toEqual(expected(tok, text, locate(text, c, replies), CHAT_TRAINED[mode], mode, trainEos));
      expect(r.trainedCount).toBe(r.labels.filter((l) => l !== IGNORE_INDEX).length);
      expect(r.maskedCount + r.trainedCount).toBe(r.inputIds.length);
      expect(r.warnings).toEqual(mode === 'full' ? [FULL_MODE_GOTCHA] : []);
    });

    it.each(MODES)('chat with a system prompt, %s', async (mode) => {
      const tok = await c.load();
      const messages = [SYSTEM, ...CHAT];
      if (!c.systemOk) {
        expect(() => buildLabels(tok, { kind: 'chat', messages }, { mode, trainEos })).toThrow(LabelError);
        expect(() => buildLabels(tok, { kind: 'chat', messages }, { mode, trainEos })).toThrow(/System role not supported/);
        return;
      }
      const text = tok.applyTemplate(messages);
      const r = buildLabels(tok, { kind: 'chat', messages }, { mode, trainEos });
      expect(r.labels).toEqual(expected(tok, text, locate(text, c, replies), CHAT_TRAINED[mode], mode, trainEos));
      // The system prompt's tokens are labelled as such, wherever the template puts them.
      const systemText = r.inputIds.filter((_, i) => r.roles[i] === 'system');
      expect(tok.decode(systemText).trim()).toBe(SYSTEM.content);
    });

    it.each(MODES)('instruction pair, %s', async (mode) => {
      const tok = await c.load();
      const fields = c.name.startsWith('preset:alpaca') || c.name.startsWith('preset:instruction');
      const text = tok.applyTemplate(fields ? [] : [{ role: 'user', content: 'Add the numbers.\n\n2 and 3' }, { role: 'assistant', content: PAIR.output }], {
        variables: { instruction: PAIR.instruction, input: PAIR.input, output: PAIR.output, system: '' },
      });
      if (fields) expect(text).toContain('Input: 2 and 3'.replace('Input: ', c.name.includes('alpaca') ? '### Input:\n' : 'Input: '));
      const r = buildLabels(tok, PAIR, { mode, trainEos });
      expect(r.inputIds).toEqual(tok.encode(text, { addSpecialTokens: false }));
      expect(r.labels).toEqual(expected(tok, text, locate(text, c, [PAIR.output]), [0], mode, trainEos));
      expect(r.warnings).toEqual(mode === 'full' ? [FULL_MODE_GOTCHA] : []);
      const outputTokens = r.inputIds.filter((_, i) => r.roles[i] === 'assistant');
      expect(tok.decode(outputTokens)).toContain(PAIR.output.trim());
      expect(r.turnIndex.filter((_, i) => r.roles[i] === 'assistant').every((t) => t === PAIR_TURN.assistant)).toBe(true);
    });
  });
});

describe('buildLabels details', () => {
  it('uses the ChatML segments independently: prompt tokens masked, reply + <|im_end|> trained', async () => {
    const tok = await fixtureTokenizer({ model: 'smollm2' });
    const messages: Turn[] = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello there.' },
    ];
    const r = buildLabels(tok, { kind: 'chat', messages }, { mode: 'assistant-only', trainEos: true });
    const prompt = tok.encode(
      '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n',
      { addSpecialTokens: false },
    );
    const reply = tok.encode('Hello there.', { addSpecialTokens: false });
    const end = tok.encode('<|im_end|>\n', { addSpecialTokens: false });
    expect(r.inputIds).toEqual([...prompt, ...reply, ...end]);
    expect(r.labels).toEqual([...prompt.map(() => -100), ...reply, end[0], -100]);
    expect(r.roles.slice(prompt.length, prompt.length + reply.length).every((x) => x === 'assistant')).toBe(true);
    expect(r.roles[prompt.length + reply.length]).toBe('markup');
    // The trained end-of-turn token and the reply belong to the assistant turn; the user header to the user turn.
    expect(r.turnIndex[prompt.length + reply.length]).toBe(1);
    expect(r.turnIndex[prompt.length - 1]).toBe(1);
    expect(r.turnIndex[0]).toBe(0);
  });

  it('completion-only trains every trailing assistant turn; last-turn only the final one', async () => {
    const tok = await fixtureTokenizer({ template: getPreset('chatml')!.template });
    const messages: Turn[] = [
      { role: 'user', content: 'Q' },
      { role: 'assistant', content: 'first part' },
      { role: 'assistant', content: 'second part' },
    ];
    const trainedText = (mode: MaskMode) => {
      const r = buildLabels(tok, { kind: 'chat', messages }, { mode, trainEos: false });
      return tok.decode(r.labels.filter((l) => l !== IGNORE_INDEX));
    };
    expect(trainedText('completion-only')).toBe('first partsecond part');
    expect(trainedText('last-turn')).toBe('second part');
  });

  it('text bodies are trained in full with EOS appended when trainEos', async () => {
    const tok = await fixtureTokenizer();
    const text = 'The quick brown fox.';
    const ids = tok.encode(text);
    for (const mode of MODES) {
      const withEos = buildLabels(tok, { kind: 'text', text }, { mode, trainEos: true });
      expect(withEos.inputIds).toEqual([...ids, tok.eosId]);
      expect(withEos.labels).toEqual(withEos.inputIds);
      expect(withEos.roles.every((x) => x === 'text')).toBe(true);
      expect(withEos.warnings).toEqual([]);
      const without = buildLabels(tok, { kind: 'text', text }, { mode, trainEos: false });
      expect(without.inputIds).toEqual(ids);
    }
  });

  it('truncates from the right and warns', async () => {
    const tok = await fixtureTokenizer();
    const full = buildLabels(tok, { kind: 'chat', messages: CHAT }, { mode: 'assistant-only', trainEos: true });
    const cut = buildLabels(tok, { kind: 'chat', messages: CHAT }, { mode: 'assistant-only', trainEos: true, maxLength: 60 });
    expect(full.truncated).toBe(false);
    expect(cut.truncated).toBe(true);
    expect(cut.inputIds).toEqual(full.inputIds.slice(0, 60));
    expect(cut.labels).toEqual(full.labels.slice(0, 60));
    expect(cut.roles.length).toBe(60);
    expect(cut.turnIndex.length).toBe(60);
    const lost = full.trainedCount - cut.trainedCount;
    expect(lost).toBeGreaterThan(0);
    expect(cut.warnings.join('\n')).toContain(`truncated from the right, dropping ${lost} trained tokens`);
  });

  it('flags examples with nothing to train', async () => {
    const tok = await fixtureTokenizer();
    const messages: Turn[] = [
      { role: 'user', content: 'Q' },
      { role: 'assistant', content: 'A', weight: 0 },
    ];
    const r = buildLabels(tok, { kind: 'chat', messages }, { mode: 'per-turn-weights', trainEos: true });
    expect(r.trainedCount).toBe(0);
    expect(r.warnings).toContain('no trained tokens: this example adds nothing to the loss');
    // Truncating away the whole reply also leaves nothing.
    const short = buildLabels(tok, PAIR, { mode: 'completion-only', trainEos: true, maxLength: 5 });
    expect(short.trainedCount).toBe(0);
    expect(short.warnings.some((w) => w.startsWith('no trained tokens'))).toBe(true);
  });

  it('applies the dataset system prompt to chats and pairs without one', async () => {
    const tok = await fixtureTokenizer({ template: getPreset('chatml')!.template });
    const chat = buildLabels(tok, { kind: 'chat', messages: CHAT.slice(0, 2) }, { mode: 'assistant-only', trainEos: true, systemPrompt: 'Be kind.' });
    expect(tok.decode(chat.inputIds)).toMatch(/^<\|im_start\|>system\nBe kind\.<\|im_end\|>/);
    expect(chat.turnIndex[chat.roles.indexOf('system')]).toBe(-1);
    expect(chat.turnIndex[chat.roles.indexOf('user')]).toBe(0);
    const own = buildLabels(tok, { ...PAIR, system: 'Own prompt.' }, { mode: 'assistant-only', trainEos: true, systemPrompt: 'Be kind.' });
    expect(tok.decode(own.inputIds)).toContain('Own prompt.');
    expect(tok.decode(own.inputIds)).not.toContain('Be kind.');
    const none = buildLabels(tok, { ...PAIR, system: '' }, { mode: 'assistant-only', trainEos: true, systemPrompt: 'Be kind.' });
    expect(none.roles).not.toContain('system');
  });

  it('warns when the template gives a reply no end-of-turn token', async () => {
    const tok = await fixtureTokenizer({ template: '{% for m in messages %}{{ m.role }}: {{ m.content }}{% endfor %}' });
    const r = buildLabels(tok, { kind: 'chat', messages: CHAT.slice(0, 2) }, { mode: 'assistant-only', trainEos: true });
    expect(r.warnings).toContain('the template puts no end-of-turn token after assistant turn 1: the model will not learn to stop there');
    expect(tok.decode(r.labels.filter((l) => l !== IGNORE_INDEX))).toBe(CHAT[1].content);
  });

  it('trains whitespace between a reply and its end-of-turn token together with the token', async () => {
    const tok = await fixtureTokenizer({ template: '{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}\n<|im_end|>\nX{% endfor %}' });
    const r = buildLabels(tok, { kind: 'chat', messages: CHAT.slice(0, 2) }, { mode: 'assistant-only', trainEos: true });
    expect(tok.decode(r.labels.filter((l) => l !== IGNORE_INDEX))).toBe(`${CHAT[1].content}\n<|im_end|>`);
    // A plain-text closer: only its first token is the end-of-turn token.
    const plain = await fixtureTokenizer({ template: '{% for m in messages %}{{ m.content }} END of turn. {% endfor %}' });
    const p = buildLabels(plain, { kind: 'chat', messages: CHAT.slice(0, 2) }, { mode: 'assistant-only', trainEos: true });
    const trained = plain.decode(p.labels.filter((l) => l !== IGNORE_INDEX));
    expect(trained.startsWith(CHAT[1].content)).toBe(true);
    const closer = trained.slice(CHAT[1].content.length);
    expect(closer.length).toBeGreaterThan(0);
    expect(' END of turn. '.startsWith(closer)).toBe(true);
    expect(plain.encode(closer, { addSpecialTokens: false })).toHaveLength(1);
  });

  it('warns when the template leaves a trained reply out', async () => {
    const tok = await fixtureTokenizer({ template: "{% for m in messages %}{% if m.role != 'assistant' %}{{ m.content }}{% endif %}{% endfor %}" });
    const r = buildLabels(tok, { kind: 'chat', messages: CHAT.slice(0, 2) }, { mode: 'assistant-only', trainEos: true });
    expect(r.warnings).toEqual(['assistant turn 1 does not appear in the rendered template', 'no trained tokens: this example adds nothing to the loss']);
  });

  it('without a template, chats and pairs are an error and text still works', async () => {
    const tok = await fixtureTokenizer({ template: null });
    expect(() => buildLabels(tok, PAIR, { mode: 'completion-only', trainEos: true })).toThrow(/no chat template/);
    expect(buildLabels(tok, { kind: 'text', text: 'x y' }, { mode: 'full', trainEos: true }).trainedCount).toBeGreaterThan(0);
  });

  it('reports a template that rejects the conversation', async () => {
    const tok = await fixtureTokenizer({ model: 'mistral' });
    const messages: Turn[] = [
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
      { role: 'assistant', content: 'c' },
    ];
    expect(() => buildLabels(tok, { kind: 'chat', messages }, { mode: 'assistant-only', trainEos: true })).toThrow(/roles must alternate/);
  });

  it('refuses a template whose layout depends on the message text', async () => {
    const tok = await fixtureTokenizer({ template: "{% for m in messages %}{% if m.content == 'yes' %}Y{% else %}{{ m.content }}{% endif %}{% endfor %}" });
    expect(() => buildLabels(tok, { kind: 'chat', messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'yes' }] }, { mode: 'assistant-only', trainEos: true })).toThrow(/could not locate/);
  });

  it('finds replies with a SentencePiece-style tokenizer (Gemma and Mistral layouts)', async () => {
    for (const model of ['gemma', 'mistral'] as const) {
      const tok = await fixtureTokenizer({ kind: 'sp-bpe', model });
      const r = buildLabels(tok, { kind: 'chat', messages: CHAT }, { mode: 'assistant-only', trainEos: true });
      expect(r.warnings).toEqual([]);
      // Group the trained tokens into runs and decode each: exactly the replies plus their end-of-turn token.
      const runs: number[][] = [];
      r.labels.forEach((l, i) => {
        if (l === IGNORE_INDEX) return;
        if (i > 0 && r.labels[i - 1] !== IGNORE_INDEX) runs.at(-1)!.push(l);
        else runs.push([l]);
      });
      const close = model === 'gemma' ? '<end_of_turn>' : '</s>';
      // The weight-0 reply is context only, in assistant-only mode too.
      const replies = CHAT.filter((m) => m.role === 'assistant' && m.weight !== 0).map((m) => (model === 'gemma' ? m.content.trim() : m.content));
      expect(runs.map((run) => tok.decode(run).trim())).toEqual(replies.map((x) => `${x}${close}`.trim()));
    }
  });
});
