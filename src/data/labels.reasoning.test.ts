/**
 * Reasoning ("thinking") in the label builder, with the real Qwen3 tokenizer and template and SmolLM3's official
 * template (src/text/__fixtures__/families.ts). A turn's reasoning reaches the template as `reasoning_content`; where the
 * template renders it, the think block (<think> tag, reasoning, </think> and the markup up to the reply) is trained
 * exactly when its reply is; where the template drops it (Qwen3: replies before the last user message), nothing is
 * trained for it. In the expected strings ⟦…⟧ marks the trained tokens (decoded run by run).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { familyTokenizer, idsOf } from '../text/__fixtures__/families.ts';
import type { StudioTokenizer } from '../text/tokenizer.ts';
import { IGNORE_INDEX, buildLabels, type LabeledExample, type LabelOptions } from './labels.ts';
import { PLAIN_CLOSE, PLAIN_OPEN, labelRuns } from './labels-render.ts';
import { getPreset } from './templates.ts';
import type { ChatBody, MaskMode, Turn } from './types.ts';

const marked = (tok: StudioTokenizer, ex: Pick<LabeledExample, 'inputIds' | 'labels'>) =>
  labelRuns(tok, ex)
    .map((r) => (r.trained ? `${PLAIN_OPEN}${r.text}${PLAIN_CLOSE}` : r.text))
    .join('');

const chat = (messages: Turn[]): ChatBody => ({ kind: 'chat', messages });
const label = (tok: StudioTokenizer, messages: Turn[], opts: Partial<LabelOptions> = {}) =>
  buildLabels(tok, chat(messages), { mode: 'assistant-only', trainEos: true, ...opts });
/** The chat with turn i replaced by `turn`. */
const withTurn = (messages: Turn[], i: number, turn: Turn) => messages.map((m, k) => (k === i ? turn : m));

const CHAT: Turn[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Hi there' },
  { role: 'assistant', content: 'Hello!', reasoning: 'Greet back.' },
  { role: 'user', content: 'Capital of France?' },
  { role: 'assistant', content: 'Paris.', reasoning: 'France → Paris.' },
];
/** The same replies with their reasoning written into the content, as Qwen3 outputs them. */
const INLINE: Turn[] = CHAT.map((m) => (m.reasoning ? { role: m.role, content: `<think>\n${m.reasoning}\n</think>\n\n${m.content}` } : m));

const HEAD = '<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n';
const MID = '<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\n';

describe('Qwen3: reasoning_content', () => {
  let tok: StudioTokenizer;
  beforeAll(async () => {
    tok = await familyTokenizer('qwen3');
  });

  // The first reply's reasoning is dropped (it comes before the last user message), the last one's is kept.
  const RENDERED = `${HEAD}Hello!<|im_end|>\n${MID}<think>\nFrance → Paris.\n</think>\n\nParis.<|im_end|>\n`;

  it('renders the last reply with its think block and drops the earlier reasoning, as the template does', () => {
    const ex = label(tok, CHAT);
    expect(tok.decode(ex.inputIds)).toBe(RENDERED);
    expect(ex.inputIds).toEqual(tok.encode(RENDERED, { addSpecialTokens: false }));
    // The template's own split of <think> blocks in the content gives the very same text.
    expect(tok.applyTemplate(INLINE)).toBe(RENDERED);
  });

  it('assistant-only: the last think block with its reply and <|im_end|>, the first reply and its <|im_end|>', () => {
    const ex = label(tok, CHAT);
    expect(ex.warnings).toEqual([]);
    expect(marked(tok, ex)).toBe(`${HEAD}⟦Hello!<|im_end|>⟧\n${MID}⟦<think>\nFrance → Paris.\n</think>\n\nParis.<|im_end|>⟧\n`);
    ex.labels.forEach((l, t) => expect([IGNORE_INDEX, ex.inputIds[t]]).toContain(l));
    const [eot, open, close] = idsOf(tok, ['<|im_end|>', '<think>', '</think>']);
    const trained = ex.labels.filter((l) => l !== IGNORE_INDEX);
    expect(trained.filter((id) => tok.isSpecial(id))).toEqual([eot, eot]);
    expect(trained.filter((id) => id === open || id === close)).toEqual([open, close]);
    // The think block belongs to turn 4; its tags are markup, the reasoning is the assistant's text.
    const block = ex.inputIds.indexOf(open);
    const end = ex.inputIds.lastIndexOf(eot);
    expect(ex.turnIndex.slice(block, end + 1).every((t) => t === 4)).toBe(true);
    expect(ex.roles[block]).toBe('markup');
    expect(ex.roles[ex.inputIds.indexOf(close)]).toBe('markup');
    expect(ex.roles[block + 2]).toBe('assistant');
    // (".\n" is one token: it overlaps the reasoning, so it is the assistant's.)
    expect(tok.decode(ex.inputIds.filter((_, t) => ex.turnIndex[t] === 4 && ex.roles[t] === 'assistant'))).toBe('France → Paris.\nParis.');
  });

  it('without trainEos only the <|im_end|> tokens are masked', () => {
    const ex = label(tok, CHAT, { trainEos: false });
    expect(marked(tok, ex)).toBe(`${HEAD}⟦Hello!⟧<|im_end|>\n${MID}⟦<think>\nFrance → Paris.\n</think>\n\nParis.⟧<|im_end|>\n`);
  });

  it('weight 0 on the last reply masks its think block too, in every mode', () => {
    const last = withTurn(CHAT, 4, { ...CHAT[4], weight: 0 });
    const expected: Record<MaskMode, string> = {
      'assistant-only': `${HEAD}⟦Hello!<|im_end|>⟧\n${MID}<think>\nFrance → Paris.\n</think>\n\nParis.<|im_end|>\n`,
      'per-turn-weights': `${HEAD}⟦Hello!<|im_end|>⟧\n${MID}<think>\nFrance → Paris.\n</think>\n\nParis.<|im_end|>\n`,
      'completion-only': RENDERED,
      'last-turn': RENDERED,
      // Everything but the unticked reply: its role header stays trained like all markup.
      full: `⟦${HEAD}Hello!<|im_end|>\n${MID}⟧<think>\nFrance → Paris.\n</think>\n\nParis.<|im_end|>⟦\n⟧`,
    };
    for (const mode of Object.keys(expected) as MaskMode[]) expect(marked(tok, label(tok, last, { mode })), mode).toBe(expected[mode]);
  });

  it('last-turn and completion-only train the last think block and reply', () => {
    for (const mode of ['last-turn', 'completion-only'] as const)
      expect(marked(tok, label(tok, CHAT, { mode }))).toBe(`${HEAD}Hello!<|im_end|>\n${MID}⟦<think>\nFrance → Paris.\n</think>\n\nParis.<|im_end|>⟧\n`);
  });

  it('a <think> block inside the content is labeled exactly like reasoning_content', () => {
    for (const opts of [{}, { trainEos: false }, { mode: 'full' as const }, { mode: 'last-turn' as const }]) {
      const fromField = label(tok, CHAT, opts);
      const inline = label(tok, INLINE, opts);
      expect(inline.inputIds).toEqual(fromField.inputIds);
      expect(inline.labels).toEqual(fromField.labels);
      expect(inline.roles).toEqual(fromField.roles);
      expect(inline.turnIndex).toEqual(fromField.turnIndex);
      expect(inline.warnings).toEqual(fromField.warnings);
    }
    const weighted = withTurn(INLINE, 4, { ...INLINE[4], weight: 0 });
    expect(marked(tok, label(tok, weighted))).toBe(`${HEAD}⟦Hello!<|im_end|>⟧\n${MID}<think>\nFrance → Paris.\n</think>\n\nParis.<|im_end|>\n`);
  });

  it('reasoning the template drops trains nothing; when none of it is rendered, a warning says so', () => {
    const plain = CHAT.map(({ role, content }) => ({ role, content }));
    const firstOnly = withTurn(plain, 2, CHAT[2]);
    const ex = label(tok, firstOnly);
    const without = label(tok, plain);
    expect(ex.inputIds).toEqual(without.inputIds);
    expect(ex.labels).toEqual(without.labels);
    expect(marked(tok, ex)).toBe(`${HEAD}⟦Hello!<|im_end|>⟧\n${MID}<think>\n\n</think>\n\n⟦Paris.<|im_end|>⟧\n`);
    expect(ex.warnings).toEqual([
      'the chat template leaves out the reasoning of assistant turn 2, so it is not trained (it renders reasoning_content nowhere in this conversation)',
    ]);
  });

  it('a reply that is only reasoning: the think block, then <|im_end|> with the whitespace before it', () => {
    const empty = withTurn(CHAT, 4, { role: 'assistant', content: '', reasoning: 'France → Paris.' });
    expect(marked(tok, label(tok, empty))).toBe(`${HEAD}⟦Hello!<|im_end|>⟧\n${MID}⟦<think>\nFrance → Paris.\n</think>\n\n<|im_end|>⟧\n`);
    expect(marked(tok, label(tok, empty, { trainEos: false }))).toBe(`${HEAD}⟦Hello!⟧<|im_end|>\n${MID}⟦<think>\nFrance → Paris.\n</think>⟧\n\n<|im_end|>\n`);
  });
});

describe('reasoning with other templates', () => {
  let tok: StudioTokenizer;
  beforeAll(async () => {
    tok = await familyTokenizer('qwen3');
  });

  const CHATML = getPreset('chatml')!.template;
  // Every reply keeps its reasoning, in <thinking> tags.
  const KEEPS_ALL =
    "{%- for m in messages -%}{{- '<|im_start|>' + m.role + '\\n' -}}{%- if m.reasoning_content -%}{{- '<thinking>\\n' + m.reasoning_content + '\\n</thinking>\\n' -}}{%- endif -%}{{- m.content + '<|im_end|>\\n' -}}{%- endfor -%}";

  it('a template without reasoning_content leaves it out, with a warning', () => {
    const ex = label(tok, CHAT, { template: CHATML });
    expect(marked(tok, ex)).toBe(`${HEAD}⟦Hello!<|im_end|>⟧\n${MID}⟦Paris.<|im_end|>⟧\n`);
    expect(ex.warnings).toEqual([
      'the chat template leaves out the reasoning of assistant turns 2, 4, so it is not trained (it renders reasoning_content nowhere in this conversation)',
    ]);
  });

  it('a template that keeps every reply\'s reasoning: each think block is trained with its reply, unless the turn is not', () => {
    expect(marked(tok, label(tok, CHAT, { template: KEEPS_ALL }))).toBe(
      `${HEAD}⟦<thinking>\nGreet back.\n</thinking>\nHello!<|im_end|>⟧\n${MID}⟦<thinking>\nFrance → Paris.\n</thinking>\nParis.<|im_end|>⟧\n`,
    );
    const first = withTurn(CHAT, 2, { ...CHAT[2], weight: 0 });
    expect(marked(tok, label(tok, first, { template: KEEPS_ALL }))).toBe(
      `${HEAD}<thinking>\nGreet back.\n</thinking>\nHello!<|im_end|>\n${MID}⟦<thinking>\nFrance → Paris.\n</thinking>\nParis.<|im_end|>⟧\n`,
    );
  });

  it('refuses what it cannot delimit exactly instead of guessing', () => {
    // The reasoning after the reply: where would the reply's response end?
    const after =
      "{%- for m in messages -%}{{- '<|im_start|>' + m.role + '\\n' + m.content -}}{%- if m.reasoning_content -%}{{- '\\n(' + m.reasoning_content + ')' -}}{%- endif -%}{{- '<|im_end|>\\n' -}}{%- endfor -%}";
    expect(() => label(tok, CHAT, { template: after })).toThrow(/does not put the reply of assistant turn 2 right after its reasoning/);
    // No reply text and no closing tag: where does the reasoning end?
    const untagged = "{%- for m in messages -%}{{- '<|im_start|>' + m.role + '\\n' + (m.reasoning_content or '') + m.content + '<|im_end|>\\n' -}}{%- endfor -%}";
    expect(() => label(tok, withTurn(CHAT, 4, { role: 'assistant', content: '', reasoning: 'r' }), { template: untagged })).toThrow(
      /could not find where the reasoning of assistant turn 4 ends/,
    );
    // A template that looks inside the reasoning.
    const peeks = "{%- for m in messages -%}{{- '<|im_start|>' + m.role + '\\n' -}}{%- if m.reasoning_content and 'Paris' in m.reasoning_content -%}{{- '<think>' + m.reasoning_content + '</think>' -}}{%- endif -%}{{- m.content + '<|im_end|>\\n' -}}{%- endfor -%}";
    expect(() => label(tok, CHAT, { template: peeks })).toThrow(/could not locate the messages/);
  });
});

describe('SmolLM3: /think, /no_think and enable_thinking', () => {
  let tok: StudioTokenizer;
  beforeAll(async () => {
    tok = await familyTokenizer('smollm3');
  });
  // The template writes today's date (strftime_now): pin the clock.
  const NOW = new Date(2025, 7, 16, 12, 0, 0);
  const TODAY = `16 ${new Intl.DateTimeFormat(undefined, { month: 'long' }).format(NOW)} 2025`;
  const header = (mode: string, instructions: string) =>
    `<|im_start|>system\n## Metadata\n\nKnowledge Cutoff Date: June 2025\nToday Date: ${TODAY}\nReasoning Mode: ${mode}\n\n## Custom Instructions\n\n${instructions}\n\n`;
  const DEFAULT_NO_THINK = 'You are a helpful AI assistant named SmolLM, trained by Hugging Face.';
  const TURNS = '<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\nHello!<|im_end|>\n<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\nParis.<|im_end|>\n';
  // The empty think block is the template's (its /no_think generation prompt ends with it): markup, not trained.
  const TRAINED_TURNS =
    '<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n⟦Hello!<|im_end|>⟧\n<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n⟦Paris.<|im_end|>⟧\n';
  const plain = CHAT.map(({ role, content }) => ({ role, content }));
  const noThink = withTurn(plain, 0, { role: 'system', content: 'You are terse. /no_think' });

  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  it('/no_think in the system message: the flag is cut out of the system text, the replies are labeled exactly', () => {
    expect(tok.applyTemplate(noThink)).toBe(header('/no_think', 'You are terse.') + TURNS);
    const ex = label(tok, noThink);
    expect(ex.warnings).toEqual([]);
    expect(ex.inputIds).toEqual(tok.encode(header('/no_think', 'You are terse.') + TURNS, { addSpecialTokens: false }));
    expect(marked(tok, ex)).toBe(header('/no_think', 'You are terse.') + TRAINED_TURNS);
    expect(marked(tok, label(tok, noThink, { trainEos: false }))).toBe(header('/no_think', 'You are terse.') + TRAINED_TURNS.replaceAll('<|im_end|>⟧', '⟧<|im_end|>'));
    // The rewritten system text cannot be located, so it counts as template markup; user and assistant text keep their roles.
    expect(ex.roles.filter((r) => r === 'system')).toEqual([]);
    expect(tok.decode(ex.inputIds.filter((_, t) => ex.roles[t] === 'user'))).toBe('Hi thereCapital of France?');
    expect(tok.decode(ex.inputIds.filter((_, t) => ex.roles[t] === 'assistant'))).toBe('Hello!Paris.');
  });

  it('enable_thinking: false from the label options', () => {
    const opts = { templateVariables: { enable_thinking: false } };
    const ex = label(tok, plain, opts);
    expect(ex.warnings).toEqual([]);
    expect(tok.decode(ex.inputIds)).toBe(header('/no_think', 'You are terse.') + TURNS);
    expect(marked(tok, ex)).toBe(header('/no_think', 'You are terse.') + TRAINED_TURNS);
    // No system message: the default /no_think instructions.
    expect(marked(tok, label(tok, plain.slice(1), opts))).toBe(header('/no_think', DEFAULT_NO_THINK) + TRAINED_TURNS);
    // The full-sequence and weight-0 rules hold here too.
    const last = withTurn(plain, 4, { ...plain[4], weight: 0 });
    expect(marked(tok, label(tok, last, { ...opts, mode: 'full' }))).toBe(
      `⟦${header('/no_think', 'You are terse.')}<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\nHello!<|im_end|>\n<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n⟧Paris.<|im_end|>⟦\n⟧`,
    );
  });

  it('/think mode: a <think> block in the reply is part of the reply', () => {
    const thinking = withTurn(withTurn(plain, 0, { role: 'system', content: 'You are terse. /think' }), 4, { role: 'assistant', content: '<think>\nFrance → Paris.\n</think>\nParis.' });
    const ex = label(tok, thinking);
    expect(ex.warnings).toEqual([]);
    expect(marked(tok, ex)).toBe(
      header('/think', 'You are terse.') +
        '<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n⟦Hello!<|im_end|>⟧\n<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\n⟦<think>\nFrance → Paris.\n</think>\nParis.<|im_end|>⟧\n',
    );
  });
});
