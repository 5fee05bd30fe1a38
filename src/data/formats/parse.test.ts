import { describe, expect, it } from 'vitest';
import { parseDataset } from './index.ts';

const jsonl = (...rows: unknown[]) => rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';

describe('alpaca', () => {
  it('reads pairs, an optional system prompt and keeps unknown keys in extra', () => {
    const r = parseDataset(
      jsonl(
        { instruction: 'Name a color.', input: '', output: 'Red.' },
        { instruction: 'Add.', input: '2 3', output: '5', system: 'Be exact.', source: 'web', id: 7 },
        { instruction: 'No input key', output: 'ok', input: null },
      ),
      { filename: 'a.jsonl' },
    );
    expect(r.format).toBe('alpaca');
    expect(r.container).toBe('jsonl');
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => x.body)).toEqual([
      { kind: 'pair', instruction: 'Name a color.', input: '', output: 'Red.' },
      { kind: 'pair', instruction: 'Add.', input: '2 3', output: '5', system: 'Be exact.' },
      { kind: 'pair', instruction: 'No input key', input: '', output: 'ok' },
    ]);
    expect(r.rows[1].extra).toEqual({ source: 'web', id: 7 });
    expect(r.rows.map((x) => x.line)).toEqual([1, 2, 3]);
  });

  it('turns history into a conversation', () => {
    const r = parseDataset(jsonl({ instruction: 'And 3+3?', input: 'quick', output: '6', system: 'Math.', history: [['1+1?', '2'], ['2+2?', '4']] }), { format: 'alpaca' });
    expect(r.rows[0].body).toEqual({
      kind: 'chat',
      messages: [
        { role: 'system', content: 'Math.' },
        { role: 'user', content: '1+1?' },
        { role: 'assistant', content: '2' },
        { role: 'user', content: '2+2?' },
        { role: 'assistant', content: '4' },
        { role: 'user', content: 'And 3+3?\n\nquick' },
        { role: 'assistant', content: '6' },
      ],
    });
  });

  it('explains bad rows precisely and still imports the good ones', () => {
    const r = parseDataset(
      jsonl(
        { instruction: 'ok', output: 'fine' },
        { instruction: 'no output' },
        { instruction: 'blank', output: '   ' },
        { instruction: 42, output: 'x' },
        { instruction: 'h', output: 'o', history: [['only one']] },
        { instruction: 'h', output: 'o', history: 'nope' },
        '[1, 2]',
        '{"instruction": "unterminated',
        { instruction: 'ok again', output: 'fine' },
      ),
      { format: 'alpaca' },
    );
    expect(r.rows.map((x) => x.line)).toEqual([1, 9]);
    expect(r.errors.map((e) => [e.line, e.reason.replace(/: .*/s, ': …')])).toEqual([
      [2, 'missing field "output"'],
      [3, 'field "output" is empty'],
      [4, 'field "instruction" must be text, got a number'],
      [5, 'history[0] must be a pair of texts [instruction, response]'],
      [6, 'field "history" must be a list of [instruction, response] pairs, got a string'],
      [7, 'a row must be a JSON object, got a list'],
      [8, 'invalid JSON: …'],
    ]);
    expect(r.errors[6].raw).toBe('{"instruction": "unterminated');
  });

  it('rejects absurdly long text', () => {
    const r = parseDataset(jsonl({ instruction: 'x', output: 'y'.repeat(1_000_001) }), { format: 'alpaca' });
    expect(r.errors[0].reason).toBe('field "output" is 1,000,001 characters long (limit 1,000,000)');
    expect(r.errors[0].raw.length).toBeLessThan(2100);
    expect(parseDataset(jsonl({ instruction: 'x', output: 'y'.repeat(1_000_000) }), { format: 'alpaca' }).rows).toHaveLength(1);
  });
});

describe('sharegpt', () => {
  it('maps human/gpt/system (and user/assistant, role/content) and keeps weights', () => {
    const r = parseDataset(
      jsonl(
        { conversations: [{ from: 'system', value: 'Sys.' }, { from: 'human', value: 'Hi' }, { from: 'gpt', value: 'Hello', weight: 0 }, { from: 'human', value: 'More' }, { from: 'gpt', value: 'Sure' }] },
        { conversations: [{ role: 'user', content: 'Q' }, { role: 'assistant', content: 'A', markdown: '**A**' }], system: 'Top-level system.' },
      ),
    );
    expect(r.format).toBe('sharegpt');
    expect(r.errors).toEqual([]);
    expect(r.rows[0].body).toEqual({
      kind: 'chat',
      messages: [
        { role: 'system', content: 'Sys.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello', weight: 0 },
        { role: 'user', content: 'More' },
        { role: 'assistant', content: 'Sure' },
      ],
    });
    expect(r.rows[1].body).toEqual({
      kind: 'chat',
      messages: [
        { role: 'system', content: 'Top-level system.' },
        { role: 'user', content: 'Q' },
        { role: 'assistant', content: 'A', extra: { markdown: '**A**' } },
      ],
    });
  });

  it('reports unsupported roles, order problems and empty turns with the turn number', () => {
    const conv = (...turns: [string, string][]) => ({ conversations: turns.map(([from, value]) => ({ from, value })) });
    const r = parseDataset(
      jsonl(
        conv(['human', 'a'], ['function_call', 'x']),
        conv(['gpt', 'a'], ['human', 'b']),
        conv(['human', 'a'], ['human', 'b'], ['gpt', 'c']),
        conv(['human', 'a'], ['gpt', '']),
        conv(['human', 'a'], ['gpt', 'b'], ['system', 'c'], ['human', 'd'], ['gpt', 'e']),
        conv(['human', 'a'], ['gpt', 'b'], ['human', 'c']),
        { conversations: [] },
        { conversations: [{ from: 'human' }] },
        { conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a', weight: 0.5 }] },
      ),
      { format: 'sharegpt' },
    );
    expect(r.rows).toEqual([]);
    expect(r.errors.map((e) => `${e.line}: ${e.reason}`)).toEqual([
      '1: conversations: turn 2 has unsupported role "function_call"',
      '2: roles out of order: the conversation must start with a user message, turn 1 is assistant',
      '3: roles out of order: turn 2 is a second user message in a row',
      '4: assistant turn 2 is empty',
      '5: roles out of order: a system message may only come first, found one at turn 3',
      '6: the conversation ends with a user message: there is no assistant reply to train on',
      '7: the conversation has no messages',
      '8: conversations: turn 1 has no "value"',
      '9: turn 2: weight must be 0 or 1, got 0.5',
    ]);
  });
});

describe('openai', () => {
  it('reads messages with weights, text parts, names and the developer role', () => {
    const r = parseDataset(
      jsonl({
        messages: [
          { role: 'developer', content: 'Be terse.' },
          { role: 'user', content: [{ type: 'text', text: 'Hello ' }, { type: 'text', text: 'there' }], name: 'ann' },
          { role: 'assistant', content: 'Hi.', weight: 0 },
          { role: 'user', content: 'Again' },
          { role: 'assistant', content: 'Hi!', weight: 1 },
        ],
        tools: [],
      }),
    );
    expect(r.format).toBe('openai');
    expect(r.rows[0].body).toEqual({
      kind: 'chat',
      messages: [
        { role: 'system', content: 'Be terse.', extra: { role: 'developer' } },
        { role: 'user', content: 'Hello there', extra: { name: 'ann', content: [{ type: 'text', text: 'Hello ' }, { type: 'text', text: 'there' }] } },
        { role: 'assistant', content: 'Hi.', weight: 0 },
        { role: 'user', content: 'Again' },
        { role: 'assistant', content: 'Hi!', weight: 1 },
      ],
    });
    expect(r.rows[0].extra).toEqual({ tools: [] });
  });

  it('refuses tool turns, images, weights on user turns and non-text content', () => {
    const r = parseDataset(
      jsonl(
        { messages: [{ role: 'user', content: 'q' }, { role: 'tool', content: '{}' }] },
        { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }, { role: 'assistant', content: 'a' }] },
        { messages: [{ role: 'user', content: 'q', weight: 1 }, { role: 'assistant', content: 'a' }] },
        { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: { text: 'a' } }] },
        { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: null, tool_calls: [] }] },
        { messages: 'hello' },
      ),
      { format: 'openai' },
    );
    expect(r.errors.map((e) => e.reason)).toEqual([
      'messages: turn 2 has unsupported role "tool"',
      'messages: turn 1 has a non-text content part ("image_url"); only text is supported',
      'turn 1: a weight is only allowed on assistant messages',
      'messages: turn 2 content must be text, got an object',
      'assistant turn 2 is empty',
      'messages must be a list of messages, got a string',
    ]);
  });
});

describe('TRL', () => {
  it('reads plain prompt/completion as a pair', () => {
    const r = parseDataset(jsonl({ prompt: 'The sky is', completion: ' blue.' }, { prompt: 'x' }));
    expect(r.format).toBe('trl-prompt-completion');
    expect(r.rows[0].body).toEqual({ kind: 'pair', instruction: 'The sky is', input: '', output: ' blue.' });
    expect(r.errors[0]).toMatchObject({ line: 2, reason: 'missing field "completion"' });
  });

  it('reads conversational prompt/completion and messages', () => {
    const r = parseDataset(
      jsonl(
        { prompt: [{ role: 'user', content: 'Q' }], completion: [{ role: 'assistant', content: 'A' }] },
        { messages: [{ role: 'user', content: 'Q2' }, { role: 'assistant', content: 'A2' }] },
        { prompt: [{ role: 'user', content: 'Q' }], completion: [{ role: 'user', content: 'A' }] },
      ),
      { format: 'trl-conversational' },
    );
    expect(r.rows.map((x) => x.body)).toEqual([
      { kind: 'chat', messages: [{ role: 'user', content: 'Q' }, { role: 'assistant', content: 'A' }] },
      { kind: 'chat', messages: [{ role: 'user', content: 'Q2' }, { role: 'assistant', content: 'A2' }] },
    ]);
    expect(r.errors[0]).toMatchObject({ line: 3, reason: 'completion turn 1 is a user message; the completion must be assistant messages' });
    expect(parseDataset(jsonl({ prompt: [{ role: 'user', content: 'Q' }], completion: [{ role: 'assistant', content: 'A' }] })).format).toBe('trl-conversational');
  });
});

describe('dolly, text, columns', () => {
  it('dolly: context is the input, category becomes a tag and stays in extra', () => {
    const r = parseDataset(jsonl({ instruction: 'Who?', context: 'Ada wrote it.', response: 'Ada.', category: 'closed_qa' }));
    expect(r.format).toBe('dolly');
    expect(r.rows[0]).toMatchObject({ body: { kind: 'pair', instruction: 'Who?', input: 'Ada wrote it.', output: 'Ada.' }, tags: ['closed_qa'], extra: { category: 'closed_qa' } });
  });

  it('text', () => {
    const r = parseDataset(jsonl({ text: 'Once upon a time.' }, { text: '' }, { text: 5 }));
    expect(r.format).toBe('text');
    expect(r.rows[0].body).toEqual({ kind: 'text', text: 'Once upon a time.' });
    expect(r.errors.map((e) => e.reason)).toEqual(['field "text" is empty', 'field "text" must be text, got a number']);
  });

  it('columns: any shape through a mapping, with tags and split columns', () => {
    const text = jsonl({ q: 'Capital of Peru?', a: 'Lima.', kind: 'geo; capitals', part: 'val' }, { q: 'x', a: 'y', part: 'test' });
    const r = parseDataset(text, { format: 'columns', mapping: { instruction: 'q', output: 'a', tags: 'kind', split: 'part' } });
    expect(r.rows[0]).toMatchObject({ body: { kind: 'pair', instruction: 'Capital of Peru?', input: '', output: 'Lima.' }, tags: ['geo', 'capitals'], split: 'validation' });
    expect(r.rows[0].extra).toBeUndefined();
    expect(r.errors[0].reason).toBe('column "part" must be "train" or "validation", got "test"');
    expect(r.columns).toEqual(['q', 'a', 'kind', 'part']);
    expect(parseDataset(text).format).toBe('columns');
  });

  it('columns: guesses a mapping from common names, and says when it cannot', () => {
    const r = parseDataset('question,answer\nWhy?,Because.\n', { format: 'columns' });
    expect(r.rows[0].body).toEqual({ kind: 'pair', instruction: 'Why?', input: '', output: 'Because.' });
    const none = parseDataset('foo,bar\n1,2\n', { format: 'columns' });
    expect(none.errors[0].reason).toBe('the columns format needs a mapping: a text column, or instruction and output columns');
  });
});

describe('studio field', () => {
  it('restores tags, split, notes and validates them', () => {
    const r = parseDataset(
      jsonl(
        { text: 'a', studio: { tags: ['x', 'y'], split: 'validation', notes: 'check' } },
        { text: 'b', studio: { split: 'holdout' } },
        { text: 'c', studio: 'nope' },
      ),
    );
    expect(r.rows[0]).toMatchObject({ tags: ['x', 'y'], split: 'validation', notes: 'check' });
    expect(r.errors.map((e) => e.reason)).toEqual(['studio.split must be "train" or "validation", got "holdout"', 'field "studio" must be an object, got a string']);
  });
});
