/**
 * Reasoning traces on assistant messages (Turn.reasoning): read from `reasoning_content`, `reasoning` or `thinking`,
 * written back under the key they came from (`reasoning_content` when added in the studio), carried in the studio
 * field by formats whose messages cannot hold them. The full export → import round trip over every format and
 * container is in roundtrip.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ChatBody, Turn } from '../types.ts';
import { exportDataset, parseDataset, type ExportExample } from './index.ts';

const jsonl = (...rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const ex = (messages: Turn[]): ExportExample => ({ body: { kind: 'chat', messages }, tags: [], split: 'train', notes: '' });
const messagesOf = (text: string) => (JSON.parse(text) as { messages: Record<string, unknown>[] }).messages;

describe('importing reasoning', () => {
  it('reads each spelling on assistant messages (the first non-empty one wins)', () => {
    const r = parseDataset(
      jsonl(
        { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', reasoning_content: 'r1' }] },
        { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', reasoning: 'r2' }] },
        { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', thinking: 'r3' }] },
        { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', reasoning_content: null, thinking: 'r4' }] },
        { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', reasoning_content: 'r5', thinking: 'other' }] },
        { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', reasoning_content: '' }] },
      ),
      { format: 'openai' },
    );
    expect(r.errors).toEqual([]);
    expect(r.rows.map((row) => (row.body as ChatBody).messages[1])).toEqual([
      { role: 'assistant', content: 'a', reasoning: 'r1' },
      { role: 'assistant', content: 'a', reasoning: 'r2', extra: { reasoning: 'r2' } },
      { role: 'assistant', content: 'a', reasoning: 'r3', extra: { thinking: 'r3' } },
      { role: 'assistant', content: 'a', reasoning: 'r4', extra: { reasoning_content: null, thinking: 'r4' } },
      { role: 'assistant', content: 'a', reasoning: 'r5', extra: { reasoning_content: 'r5', thinking: 'other' } },
      { role: 'assistant', content: 'a', extra: { reasoning_content: '' } },
    ]);
  });

  it('reads ShareGPT and TRL conversational messages the same way, and leaves a user message\'s "thinking" alone', () => {
    const share = parseDataset(jsonl({ conversations: [{ from: 'human', value: 'q', thinking: 'not mine' }, { from: 'gpt', value: 'a', reasoning: 'r' }] }), { format: 'sharegpt' });
    expect((share.rows[0].body as ChatBody).messages).toEqual([
      { role: 'user', content: 'q', extra: { thinking: 'not mine' } },
      { role: 'assistant', content: 'a', reasoning: 'r', extra: { reasoning: 'r' } },
    ]);
    const trl = parseDataset(jsonl({ prompt: [{ role: 'user', content: 'q' }], completion: [{ role: 'assistant', content: 'a', reasoning_content: 'r' }] }), { format: 'trl-conversational' });
    expect((trl.rows[0].body as ChatBody).messages[1]).toEqual({ role: 'assistant', content: 'a', reasoning: 'r' });
  });

  it('refuses over-long reasoning, and studio reasoning on a user message', () => {
    const r = parseDataset(
      jsonl(
        { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', reasoning_content: 'x'.repeat(1_000_001) }] },
        { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }], studio: { reasoning: ['r', null] } },
      ),
      { format: 'openai' },
    );
    expect(r.rows).toEqual([]);
    expect(r.errors.map((e) => e.reason)).toEqual([
      'messages: turn 2 reasoning_content is 1,000,001 characters long (limit 1,000,000)',
      'studio.reasoning gives reasoning for a user message; only assistant messages have it',
    ]);
  });
});

describe('exporting reasoning', () => {
  it('writes reasoning_content by default, and the source spelling when the turn came with one', () => {
    const [openai] = exportDataset([ex([{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', reasoning: 'r' }])], 'openai', 'jsonl').trim().split('\n');
    expect(messagesOf(openai)[1]).toEqual({ role: 'assistant', content: 'a', reasoning_content: 'r' });
    const src = jsonl({ conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a', thinking: 'r' }] });
    const row = parseDataset(src, { format: 'sharegpt' }).rows[0];
    expect(exportDataset([{ ...row, split: 'train', notes: '' }], 'sharegpt', 'jsonl')).toBe(jsonl({ conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a', thinking: 'r' }], studio: { split: 'train' } }));
  });

  it('keeps the spelling when the reasoning is edited, and drops the key when it is removed', () => {
    const row = parseDataset(jsonl({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', thinking: 'old' }] }), { format: 'openai' }).rows[0];
    const [user, reply] = (row.body as ChatBody).messages;
    const edited = exportDataset([ex([user, { ...reply, reasoning: 'new' }])], 'openai', 'jsonl');
    expect(messagesOf(edited)[1]).toEqual({ role: 'assistant', content: 'a', thinking: 'new' });
    const removed = exportDataset([ex([user, { ...reply, reasoning: undefined }])], 'openai', 'jsonl');
    expect(messagesOf(removed)[1]).toEqual({ role: 'assistant', content: 'a' });
  });

  it('carries reasoning in the studio field for pair-shaped formats', () => {
    const chat = ex([{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', reasoning: 'r' }]);
    const dolly = JSON.parse(exportDataset([chat], 'dolly', 'jsonl')) as Record<string, unknown>;
    expect(dolly).toEqual({ instruction: 'q', context: '', response: 'a', studio: { kind: 'chat', reasoning: [null, 'r'], split: 'train' } });
    expect(parseDataset(JSON.stringify(dolly) + '\n', { format: 'dolly' }).rows[0].body).toEqual(chat.body);
  });
});
