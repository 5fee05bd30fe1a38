/**
 * Special-token strings typed in message text (labels-specials.ts): the label builder finds them only inside the
 * messages' characters, keeps them as control tokens with a warning naming the turn (HF's behaviour, made visible), or
 * escapes them to the plain-text pieces of the same characters — trained exactly as the rest of the reply.
 */
import { describe, expect, it } from 'vitest';
import { fixtureTokenizer } from '../text/__fixtures__/fixtures.ts';
import { buildLabels, IGNORE_INDEX } from './labels.ts';
import { getPreset } from './templates.ts';

const template = getPreset('chatml')!.template;
const body = { kind: 'chat' as const, messages: [{ role: 'user' as const, content: 'Say <|im_start|>' }, { role: 'assistant' as const, content: 'Done <|im_end|> ok' }] };

describe('special tokens typed in message text', () => {
  it('keep (default): the control token stays, is listed for the token view, and warned about per turn', async () => {
    const tok = await fixtureTokenizer({ model: 'smollm2' });
    const ex = buildLabels(tok, body, { mode: 'assistant-only', trainEos: true, template });
    const end = tok.tokenId('<|im_end|>')!, start = tok.tokenId('<|im_start|>')!;
    expect(ex.specialInText?.map((t) => ex.inputIds[t]).sort()).toEqual([start, end].sort());
    expect(ex.warnings).toContain('the text of user turn 0 contains "<|im_start|>", which is encoded as the special token itself (a control token: the model learns to emit it there); escape special tokens in text to train the characters instead');
    expect(ex.warnings.some((w) => w.startsWith('the text of assistant turn 1 contains "<|im_end|>"'))).toBe(true);
    // The template's own markup is never reported.
    expect(ex.specialInText).toHaveLength(2);
  });

  it('escape: no control token comes from the text; the same characters, trained like the rest of the reply', async () => {
    const tok = await fixtureTokenizer({ model: 'smollm2' });
    const keep = buildLabels(tok, body, { mode: 'assistant-only', trainEos: true, template });
    const ex = buildLabels(tok, body, { mode: 'assistant-only', trainEos: true, template, specialTokensInText: 'escape' });
    const specials = (ids: number[]) => ids.filter((id) => tok.isSpecial(id)).length;
    expect(specials(ex.inputIds)).toBe(specials(keep.inputIds) - 2);
    expect(tok.decode(ex.inputIds)).toBe(tok.decode(keep.inputIds)); // the text is unchanged
    const marked = ex.specialInText!;
    expect(marked.length).toBeGreaterThan(2);
    expect(tok.decode(marked.filter((t) => ex.roles[t] === 'assistant').map((t) => ex.inputIds[t]))).toBe('<|im_end|>');
    for (const t of marked) expect(ex.labels[t]).toBe(ex.roles[t] === 'assistant' ? ex.inputIds[t] : IGNORE_INDEX);
    expect(ex.warnings.filter((w) => w.includes('escaped'))).toHaveLength(2);
  });
});
