/**
 * The judge's client against our own `cli serve` (a child process, the built-in model), over real HTTP. The built-in
 * model is no judge: its 256-token context cannot even hold the judge prompt, so every row must come back as a clear
 * per-row error (the server's context message), never a crash or a score; and a short chat through the same client
 * yields text that parseJudgeScore reads without throwing.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../testing/cli';
import { startServe, type ServeProcess } from '../testing/serveProcess';
import { chatComplete, EndpointError } from './endpoint';
import { judgeMany, parseJudgeScore } from './judge';

let server: ServeProcess;
beforeAll(async () => {
  server = await startServe(['--model', join(ROOT, 'public/models/studio-base')]);
});
afterAll(async () => {
  await server?.stop();
});

describe('judge against cli serve', () => {
  it('judgeMany reports each row the server refuses, and the aggregate counts them as failures', async () => {
    const endpoint = { baseUrl: server.url, model: 'studio-base' };
    const rows = [
      { instruction: 'Finish the phrase: once upon a', reference: 'time', output: 'time' },
      { instruction: 'Finish the phrase: the united', reference: null, output: 'states' },
    ];
    const s = await judgeMany(rows, endpoint, { maxTokens: 8 });
    expect([s.count, s.failures, s.mean, s.cancelled]).toEqual([0, 2, null, false]);
    for (const r of s.rows) {
      expect(r.errorKind).toBe('http');
      expect(r.error).toMatch(/HTTP 400.*maximum context length is 256 tokens/);
    }
    // The server logged both refusals (its stderr may arrive a moment after the responses).
    await server.waitForLog(/(POST \/v1\/chat\/completions: error 400: This model's maximum context length[^]*){2}/, 5_000);
  });

  it('a short chat comes back as text that parseJudgeScore reads (a score or a per-row error, not a crash)', async () => {
    const endpoint = { baseUrl: server.url, model: 'studio-base' };
    const messages = [{ role: 'user' as const, content: 'Grade the answer from 1 to 5. Score:' }];
    const a = await chatComplete(endpoint, messages, { maxTokens: 8 });
    const b = await chatComplete(endpoint, messages, { maxTokens: 8 });
    expect(b.text).toBe(a.text); // temperature 0 by default: the judge is deterministic
    expect(a.usage!.completionTokens).toBeGreaterThan(0);
    const parsed = parseJudgeScore(a.text);
    if (parsed.ok) expect(parsed.score).toBeGreaterThanOrEqual(1);
    else expect(parsed.error).toMatch(/no score found|outside 1–5|not a whole number|replied with nothing/);
    const wrong = await chatComplete({ ...endpoint, model: 'nope' }, messages).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(EndpointError);
    expect((wrong as EndpointError).status).toBe(404);
  });
});
