import { describe, expect, it } from 'vitest';
import type { Turn } from '../types';
import { runEvol, runSelfInstruct, type ChatFn, type GrowCandidate, type GrowProgress } from './runner';

/** A scripted model: list prompts get `lists` in turn, answer prompts get an answer derived from the question. */
function scripted(lists: string[], answer: (q: string) => string | Error): { chat: ChatFn; calls: Turn[][] } {
  const calls: Turn[][] = [];
  let i = 0;
  const chat: ChatFn = async (messages) => {
    calls.push(messages);
    const text = messages[0].content;
    if (text.includes('new tasks')) return lists[i++ % lists.length];
    const a = answer(text);
    if (a instanceof Error) throw a;
    return a;
  };
  return { chat, calls };
}

const base = { seed: 1, temperature: 0.7, maxTokens: 64, retries: 1, onProgress: () => undefined };

describe('runSelfInstruct', () => {
  it('queues what passes, counts each filter reason, and records per-item errors while the rest continue', async () => {
    const list = [
      '3. Name three planets.', // fine
      '4. Draw a map of France.', // not-text
      '5. Hi', // too-short
      '6. Write a short poem about the sea.', // near-duplicate of the dataset
      '7. Explain why the sky is blue.', // answer fails every try → error
      '8. Give two synonyms for happy.', // empty answer
      '9. List three kinds of trees.', // fine
      '10. Name the largest ocean on Earth.', // same answer as an earlier row → duplicate-response
    ].join('\n');
    const { chat } = scripted([list], (q) =>
      q.startsWith('Explain why') ? new Error('HTTP 500') : q.startsWith('Give two') ? '  ' : q.startsWith('Name the largest') ? 'Answer to List three kinds of trees.' : `Answer to ${q}`,
    );
    const items: GrowCandidate[] = [];
    const seen: GrowProgress[] = [];
    const p = await runSelfInstruct({
      ...base,
      chat,
      signal: new AbortController().signal,
      seedTasks: [{ instruction: 'Write a short poem about the ocean.' }, { instruction: 'Add two numbers.' }],
      existing: ['Write a short poem about the ocean.', 'Add two numbers.'],
      count: 10,
      k: 2,
      perPrompt: 5,
      maxRounds: 1,
      onItem: (c) => void items.push(c),
      onProgress: (x) => seen.push(x),
    });
    expect(items.map((c) => c.body.instruction)).toEqual(['Name three planets.', 'List three kinds of trees.']);
    expect(items[0]).toEqual({ tag: 'self-instruct', body: { kind: 'pair', instruction: 'Name three planets.', input: '', output: 'Answer to Name three planets.' } });
    expect(p.filtered).toEqual({ 'not-text': 1, 'too-short': 1, 'near-duplicate': 1, 'empty-response': 1, 'duplicate-response': 1 });
    expect(p.errors).toEqual([{ item: 'Explain why the sky is blue.', message: 'HTTP 500' }]);
    expect(p.retried).toBe(1); // one retry of the failing answer
    expect(p.queued).toBe(2);
    expect(p.candidates).toBe(8);
    expect(seen.length).toBeGreaterThan(3);
  });
  it('stops at `count`, and a repeated list is filtered as duplicates in later rounds', async () => {
    const { chat } = scripted(['1. Name three planets.\n2. List three kinds of trees.'], (q) => `A: ${q}`);
    const items: GrowCandidate[] = [];
    const p = await runSelfInstruct({ ...base, chat, signal: new AbortController().signal, seedTasks: [{ instruction: 'x y z' }], existing: [], count: 3, k: 1, perPrompt: 2, maxRounds: 3, onItem: (c) => void items.push(c) });
    expect(items).toHaveLength(2);
    expect(p.filtered).toEqual({ duplicate: 4 });
    expect(p.done).toBe(3);
    const one = await runSelfInstruct({ ...base, chat, signal: new AbortController().signal, seedTasks: [{ instruction: 'x y z' }], existing: [], count: 1, k: 1, perPrompt: 2, maxRounds: 3, onItem: () => undefined });
    expect(one.queued).toBe(1);
    expect(one.done).toBe(1);
  });
  it('cancels: no further calls after the signal aborts', async () => {
    const ac = new AbortController();
    const { chat, calls } = scripted(['1. Name three planets.\n2. List three kinds of trees.'], (q) => {
      ac.abort();
      return `A: ${q}`;
    });
    const items: GrowCandidate[] = [];
    const p = await runSelfInstruct({ ...base, chat, signal: ac.signal, seedTasks: [{ instruction: 'x y z' }], existing: [], count: 5, k: 1, perPrompt: 2, maxRounds: 5, onItem: (c) => void items.push(c) });
    expect(calls).toHaveLength(2); // the list, then the first answer (aborted while it ran)
    expect(items).toHaveLength(0); // the reply that came back after Cancel (partial, for the Worker) is dropped
    expect(p.done).toBe(1);
  });
});

describe('runEvol', () => {
  it('evolves each source with each operation, tags the origin, and eliminates no-change evolutions', async () => {
    const { chat } = scripted([], (q) => {
      if (q.startsWith('You rewrite tasks')) return q.includes('Add exactly one more constraint') ? 'Rewritten task: Explain recursion in exactly three sentences.' : 'Explain recursion.';
      return 'A function calling itself on a smaller input until a base case.';
    });
    const items: GrowCandidate[] = [];
    const p = await runEvol({ ...base, chat, signal: new AbortController().signal, sources: [{ instruction: 'Explain recursion.' }], ops: ['constraints', 'deepen'], existing: ['Explain recursion.'], onItem: (c) => void items.push(c) });
    expect(items).toEqual([
      { tag: 'evol:constraints', parent: 'Explain recursion.', body: { kind: 'pair', instruction: 'Explain recursion in exactly three sentences.', input: '', output: 'A function calling itself on a smaller input until a base case.' } },
    ]);
    expect(p.filtered).toEqual({ 'no-change': 1 });
    expect(p.done).toBe(2);
    expect(p.total).toBe(2);
  });
});
