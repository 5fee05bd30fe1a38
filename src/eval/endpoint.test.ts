/**
 * chatComplete against a scripted remote endpoint over real HTTP (testing/stubEndpoint.ts): what it sends, what it
 * reads back, which failures it retries (unreachable, 5xx, 429) and which it does not, and the kind of each error.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { chatComplete, chatCompletionsUrl, EndpointError } from './endpoint';
import { completion, startStub, type StubEndpoint, type StubReply } from '../testing/stubEndpoint';

let stub: StubEndpoint | null = null;
afterEach(async () => {
  await stub?.close();
  stub = null;
});

const hello = [{ role: 'user' as const, content: 'Hi' }];
const fast = { backoffMs: 5 };

async function failure(p: Promise<unknown>): Promise<EndpointError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(EndpointError);
    return e as EndpointError;
  }
  throw new Error('expected an EndpointError');
}

async function serve(script: (n: number) => StubReply) {
  stub = await startStub((r) => script(r.n));
  return { baseUrl: stub.baseUrl, model: 'judge' };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

describe('chatCompletionsUrl', () => {
  it('appends /chat/completions to the base URL, and /v1 to a bare origin', () => {
    expect(chatCompletionsUrl('http://127.0.0.1:8080/v1')).toBe('http://127.0.0.1:8080/v1/chat/completions');
    expect(chatCompletionsUrl('http://127.0.0.1:8080/v1/')).toBe('http://127.0.0.1:8080/v1/chat/completions');
    expect(chatCompletionsUrl(' http://localhost:11434 ')).toBe('http://localhost:11434/v1/chat/completions');
    expect(chatCompletionsUrl('https://api.example.com/openai/v1')).toBe('https://api.example.com/openai/v1/chat/completions');
    expect(() => chatCompletionsUrl('localhost:8080')).toThrow(/not an http\(s\) URL/);
    expect(() => chatCompletionsUrl('not a url')).toThrow(/is not a URL/);
  });
});

describe('chatComplete', () => {
  it('sends the model, messages, settings and key, and returns the text with usage', async () => {
    const endpoint = { ...(await serve(() => completion('Score: 4'))), apiKey: 'sk-test' };
    const r = await chatComplete(endpoint, hello, { temperature: 0.5, maxTokens: 20 });
    expect(r).toEqual({ text: 'Score: 4', usage: { promptTokens: 10, completionTokens: 3, totalTokens: 13 }, finishReason: 'stop' });
    const [req] = stub!.requests;
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer sk-test');
    expect(req.body).toEqual({ model: 'judge', messages: hello, temperature: 0.5, stream: false, max_tokens: 20 });
  });

  it('retries 5xx, 429 (honouring Retry-After) and dropped connections, then succeeds', async () => {
    const script: StubReply[] = [
      { status: 500, json: { error: { message: 'boom' } } },
      { status: 429, text: 'slow down', headers: { 'Retry-After': '0' } },
      { drop: true },
      completion('ok'),
    ];
    const endpoint = await serve((n) => script[n - 1]);
    expect((await chatComplete(endpoint, hello, { ...fast, retries: 3 })).text).toBe('ok');
    expect(stub!.requests).toHaveLength(4);
  });

  it('gives up after the retries with the server’s own message', async () => {
    const endpoint = await serve(() => ({ status: 503, json: { error: { message: 'model is loading' } } }));
    const e = await failure(chatComplete(endpoint, hello, { ...fast, retries: 2 }));
    expect([e.kind, e.status, e.attempts]).toEqual(['http', 503, 3]);
    expect(e.message).toMatch(/answered HTTP 503.*model is loading \(gave up after 3 attempts\)/);
    expect(stub!.requests).toHaveLength(3);
  });

  it('does not retry a 4xx', async () => {
    const endpoint = await serve(() => ({ status: 404, json: { error: { message: 'The model `judge` does not exist' } } }));
    const e = await failure(chatComplete(endpoint, hello, fast));
    expect([e.kind, e.status, e.attempts]).toEqual(['http', 404, 1]);
    expect(e.message).toContain('The model `judge` does not exist');
    expect(stub!.requests).toHaveLength(1);
  });

  it('a 200 that is not a chat completion is a not-json error, not retried', async () => {
    const endpoint = await serve((n) => (n === 1 ? { text: '<html>proxy login</html>' } : { json: { choices: [] } }));
    const e1 = await failure(chatComplete(endpoint, hello, fast));
    expect(e1.kind).toBe('not-json');
    expect(e1.message).toContain('not JSON: "<html>proxy login</html>"');
    const e2 = await failure(chatComplete(endpoint, hello, fast));
    expect(e2.kind).toBe('not-json');
    expect(e2.message).toContain('no choices[0].message.content');
    expect(stub!.requests).toHaveLength(2);
  });

  it('an address where nothing listens is unreachable, after its retries', async () => {
    const e = await failure(chatComplete({ baseUrl: `http://127.0.0.1:${await closedPort()}/v1`, model: 'm' }, hello, { ...fast, retries: 1 }));
    expect([e.kind, e.attempts]).toEqual(['unreachable', 2]);
    expect(e.message).toMatch(/could not reach .*ECONNREFUSED/);
  });

  it('times out per attempt without retrying', async () => {
    const endpoint = await serve(() => ({ delayMs: 5_000, then: completion('late') }));
    const started = Date.now();
    const e = await failure(chatComplete(endpoint, hello, { ...fast, timeoutMs: 150 }));
    expect(e.kind).toBe('timeout');
    expect(e.message).toContain('did not answer within 0.15 s');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(stub!.requests).toHaveLength(1);
  });

  it('is cancelled by the caller’s signal, during a request or during the backoff', async () => {
    const endpoint = await serve((n) => (n === 1 ? { delayMs: 5_000, then: completion('late') } : { status: 500, text: 'down' }));
    const during = new AbortController();
    setTimeout(() => during.abort(), 100);
    expect((await failure(chatComplete(endpoint, hello, { signal: during.signal }))).kind).toBe('cancelled');
    const backingOff = new AbortController();
    const started = Date.now();
    setTimeout(() => backingOff.abort(), 200);
    const e = await failure(chatComplete(endpoint, hello, { signal: backingOff.signal, backoffMs: 60_000 }));
    expect(e.kind).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(stub!.requests).toHaveLength(2);
  });
});
