/** Request checking for `cli serve` (no GPU): defaults, accepted shapes, and 400s that name the field. */
import { describe, expect, it } from 'vitest';
import { ApiError } from './errors';
import { parseChatRequest, parseCompletionRequest } from './requests';
import { GpuQueue, CancelledWhileQueued } from './queue';

const chat = (extra: Record<string, unknown> = {}) => ({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra });

function rejects(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(400);
    return e as ApiError;
  }
  throw new Error('expected a 400');
}

describe('parseChatRequest', () => {
  it('applies OpenAI defaults', () => {
    expect(parseChatRequest(chat())).toEqual({
      kind: 'chat', model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: false, includeUsage: false,
      temperature: 1, topP: 1, topK: 0, maxTokens: null, stop: [], seed: null, ignoreEos: false,
    });
  });

  it('reads text parts, the developer role, stop strings, usage streaming, and folds any seed to 32 bits', () => {
    const r = parseChatRequest(chat({
      messages: [{ role: 'developer', content: 'be brief' }, { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }],
      stop: 'END', stream: true, stream_options: { include_usage: true }, seed: -1, max_completion_tokens: 5, top_k: 40, n: 1, user: 'x',
    }));
    expect(r.messages).toEqual([{ role: 'system', content: 'be brief' }, { role: 'user', content: 'ab' }]);
    expect([r.stop, r.stream, r.includeUsage, r.seed, r.maxTokens, r.topK]).toEqual([['END'], true, true, 2 ** 32 - 1, 5, 40]);
  });

  it.each([
    [{ model: 'm' }, 'messages', /messages must be a non-empty array/],
    [chat({ model: '' }), 'model', /model must be a model name/],
    [chat({ messages: [{ role: 'tool', content: 'x' }] }), 'messages', /messages\[0\]\.role must be one of system, user, assistant, developer, got "tool"/],
    [chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] }), 'messages', /only text parts/],
    [chat({ temperature: 3 }), 'temperature', /temperature must be a number from 0 to 2, got 3/],
    [chat({ top_p: -0.1 }), 'top_p', /top_p must be a number from 0 to 1/],
    [chat({ max_tokens: 0 }), 'max_tokens', /max_tokens must be an integer ≥ 1, got 0/],
    [chat({ max_tokens: 2.5 }), 'max_tokens', /max_tokens must be an integer/],
    [chat({ stop: ['a', 'b', 'c', 'd', 'e'] }), 'stop', /at most 4/],
    [chat({ stop: [''] }), 'stop', /non-empty string/],
    [chat({ n: 2 }), 'n', /only n = 1/],
    [chat({ logprobs: true }), 'logprobs', /not supported/],
    [chat({ tools: [{ type: 'function' }] }), 'tools', /not supported/],
    [chat({ stream: 'yes' }), 'stream', /stream must be true or false/],
    [chat({ seed: 1.5 }), 'seed', /seed must be an integer/],
  ])('%j → 400 on %s', (body, param, message) => {
    const e = rejects(() => parseChatRequest(body));
    expect(e.param).toBe(param);
    expect(e.message).toMatch(message);
  });

  it('a body that is not an object is a 400', () => {
    expect(rejects(() => parseChatRequest([1])).message).toContain('JSON object');
  });
});

describe('parseCompletionRequest', () => {
  it('takes a string, a one-element batch, or token ids', () => {
    expect(parseCompletionRequest({ model: 'm', prompt: 'x' }).prompt).toBe('x');
    expect(parseCompletionRequest({ model: 'm', prompt: ['x'] }).prompt).toBe('x');
    expect(parseCompletionRequest({ model: 'm', prompt: [1, 2, 3] }).prompt).toEqual([1, 2, 3]);
    expect(parseCompletionRequest({ model: 'm', prompt: [[4, 5]] }).prompt).toEqual([4, 5]);
  });

  it.each([
    [{ model: 'm' }, /prompt must be a string or an array of token ids/],
    [{ model: 'm', prompt: '' }, /prompt is empty/],
    [{ model: 'm', prompt: ['a', 'b'] }, /one prompt per request/],
    [{ model: 'm', prompt: [1, -2] }, /array of token ids/],
    [{ model: 'm', prompt: 'x', echo: true }, /echo is not supported/],
    [{ model: 'm', prompt: 'x', suffix: 'y' }, /suffix/],
  ])('%j → 400', (body, message) => {
    expect(rejects(() => parseCompletionRequest(body)).message).toMatch(message);
  });
});

describe('GpuQueue', () => {
  const tick = () => new Promise((r) => setTimeout(r, 5));

  it('runs jobs one at a time in arrival order; a waiter that aborts leaves without running', async () => {
    const q = new GpuQueue();
    const order: string[] = [];
    let release!: () => void;
    const first = q.run(new AbortController().signal, async () => {
      order.push('a start');
      await new Promise<void>((r) => (release = r));
      order.push('a end');
    });
    const leaving = new AbortController();
    const b = q.run(leaving.signal, async () => void order.push('b'));
    const c = q.run(new AbortController().signal, async () => void order.push('c'));
    await tick();
    expect([q.running, q.waitingCount]).toEqual([true, 2]);
    leaving.abort();
    await expect(b).rejects.toBeInstanceOf(CancelledWhileQueued);
    expect(q.waitingCount).toBe(1);
    release();
    await Promise.all([first, c]);
    expect(order).toEqual(['a start', 'a end', 'c']);
    expect([q.running, q.waitingCount]).toEqual([false, 0]);
  });

  it('a failing job does not block the queue', async () => {
    const q = new GpuQueue();
    const signal = new AbortController().signal;
    const bad = q.run(signal, async () => {
      throw new Error('gpu lost');
    });
    const good = q.run(signal, async () => 42);
    await expect(bad).rejects.toThrow('gpu lost');
    expect(await good).toBe(42);
  });
});
