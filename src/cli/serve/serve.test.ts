/**
 * `cli serve` as a user runs it (a child process on a free port, the built-in model public/models/studio-base and a
 * PEFT adapter written by our own adapter writer), driven over real HTTP by the official `openai` client: the model
 * list, chat and text completions with and without streaming, per-request adapters, stop strings, OpenAI-style
 * errors, CORS, cancellation by a client that goes away while the queue moves on, and Ctrl+C.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, ROOT } from '../../testing/cli';
import { writeAdapterDir } from '../../testing/modelFiles';
import { startServe, type ServeProcess } from '../../testing/serveProcess';
import { openModelDir } from '../../node/modelDir';
import { defaultLoraConfig, resolveLoraTargets } from '../../engine/model/lora';
import { tinyLoraParams } from '../../engine/model/tiny';
import { loadDirTokenizer } from '../common';
import { chatPrompt, promptIds } from '../../text/prompt';

const MODEL = join(ROOT, 'public/models/studio-base');
const BASE = 'studio-base';
const TUNED = 'studio-base+tiny';
const tmp = mkdtempSync(join(tmpdir(), 'serve-cli-'));
let server: ServeProcess;
let client: OpenAI;

beforeAll(async () => {
  const { config } = await openModelDir(MODEL);
  const lora = defaultLoraConfig(config, { r: 4, targetModules: 'all-linear' });
  const targets = resolveLoraTargets(config, lora);
  writeAdapterDir(join(tmp, 'tiny'), lora, targets, tinyLoraParams(targets, 9, 0.5));
  server = await startServe(['--model', MODEL, '--adapter', `tiny=${join(tmp, 'tiny')}`]);
  client = new OpenAI({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const question = [{ role: 'user' as const, content: 'The old man' }];

async function streamChat(body: Omit<OpenAI.ChatCompletionCreateParamsStreaming, 'stream'>) {
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const c of await client.chat.completions.create({ ...body, stream: true })) chunks.push(c);
  return chunks;
}

describe('cli serve with the openai client', () => {
  it('lists the base model and each adapter as a model', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual([BASE, TUNED]);
    expect((await client.models.retrieve(TUNED)).id).toBe(TUNED);
  });

  it('chat: renders the chat template, matches `cli generate --chat`, and counts tokens', async () => {
    const r = await client.chat.completions.create({ model: BASE, messages: question, max_tokens: 12, temperature: 0 });
    const tokenizer = await loadDirTokenizer(MODEL);
    expect(r.object).toBe('chat.completion');
    expect(r.choices[0].message.role).toBe('assistant');
    expect(r.usage!.prompt_tokens).toBe(promptIds(tokenizer, chatPrompt('The old man')).length);
    expect(r.usage!.completion_tokens).toBeLessThanOrEqual(12);
    expect(r.choices[0].finish_reason).toBe(r.usage!.completion_tokens === 12 ? 'length' : 'stop');
    const cli = await runCli(['generate', '--model', MODEL, '--prompt', 'The old man', '--chat', '--temperature', '0', '--max-tokens', '12']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(r.choices[0].message.content).toBe(cli.stdout.replace(/\n$/, ''));
    expect(r.choices[0].message.content!.length).toBeGreaterThan(0);
  }, 60_000);

  it('chat streaming: the chunks concatenate to the non-streaming text (greedy), with the usage chunk', async () => {
    const whole = await client.chat.completions.create({ model: BASE, messages: question, max_tokens: 16, temperature: 0 });
    const chunks = await streamChat({ model: BASE, messages: question, max_tokens: 16, temperature: 0, stream_options: { include_usage: true } });
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(whole.choices[0].message.content);
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(2); // streamed, not one block
    const finish = chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean);
    expect(finish).toEqual([whole.choices[0].finish_reason]);
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage).toEqual(whole.usage);
  });

  it('completions: seeded sampling is reproducible, streamed or not, and varies with the seed', async () => {
    const body = { model: BASE, prompt: 'Once upon a time', max_tokens: 16, temperature: 0.9, top_p: 0.95 };
    const a = await client.completions.create({ ...body, seed: 7 });
    const b = await client.completions.create({ ...body, seed: 7 });
    const c = await client.completions.create({ ...body, seed: 8 });
    let streamed = '';
    for await (const ch of await client.completions.create({ ...body, seed: 7, stream: true })) streamed += ch.choices[0]?.text ?? '';
    expect(a.object).toBe('text_completion');
    expect(b.choices[0].text).toBe(a.choices[0].text);
    expect(streamed).toBe(a.choices[0].text);
    expect(c.choices[0].text).not.toBe(a.choices[0].text);
    expect(a.usage!.prompt_tokens).toBeGreaterThan(0);
  });

  it('the adapter is chosen per request: greedy output differs from the base, and the base is unchanged after it', async () => {
    const body = { prompt: 'The old man', max_tokens: 12, temperature: 0 };
    const base1 = await client.completions.create({ ...body, model: BASE });
    const tuned = await client.completions.create({ ...body, model: TUNED });
    const base2 = await client.completions.create({ ...body, model: BASE });
    expect(tuned.choices[0].text).not.toBe(base1.choices[0].text);
    expect(base2.choices[0].text).toBe(base1.choices[0].text);
    expect(tuned.model).toBe(TUNED);
  });

  it('a stop string ends the text before it, with finish_reason "stop"', async () => {
    const full = await client.completions.create({ model: BASE, prompt: 'The old man', max_tokens: 16, temperature: 0 });
    const text = full.choices[0].text;
    const at = text.slice(2).search(/[a-z]{2}/) + 2;
    expect(at, `no pair of letters to stop at in ${JSON.stringify(text)}`).toBeGreaterThan(1);
    const stop = text.slice(at, at + 2);
    const cut = await client.completions.create({ model: BASE, prompt: 'The old man', max_tokens: 16, temperature: 0, stop: [stop] });
    expect(cut.choices[0].text).toBe(text.slice(0, text.indexOf(stop)));
    expect(cut.choices[0].finish_reason).toBe('stop');
  });

  it('answers bad requests with OpenAI-style errors: 400 with a reason, 404 unknown model, 400 over the context', async () => {
    const err = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        return e as InstanceType<typeof OpenAI.APIError>;
      }
      throw new Error('expected an error');
    };
    const bad = await err(client.chat.completions.create({ model: BASE, messages: question, temperature: 'hot' as unknown as number }));
    expect(bad.status).toBe(400);
    expect(bad.message).toContain('temperature must be a number from 0 to 2');
    expect((await err(client.chat.completions.create({ model: BASE, messages: [] }))).message).toContain('messages must be a non-empty array');
    const missing = await err(client.completions.create({ model: 'studio-base+nope', prompt: 'x' }));
    expect(missing.status).toBe(404);
    expect(missing.code).toBe('model_not_found');
    expect(missing.message).toContain(`Served here: ${BASE}, ${TUNED}`);
    const over = await err(client.completions.create({ model: BASE, prompt: 'The old man', max_tokens: 1000 }));
    expect(over.status).toBe(400);
    expect(over.code).toBe('context_length_exceeded');
    expect(over.message).toMatch(/maximum context length is 256 tokens\. However, you requested \d+ tokens/);
    const raw = await fetch(`${server.url}/chat/completions`, { method: 'POST', body: '{"model": ' });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { error: { message: string } }).error.message).toContain('not valid JSON');
  });

  it('lets a web page call it: CORS preflight and headers', async () => {
    const pre = await fetch(`${server.url}/chat/completions`, {
      method: 'OPTIONS', headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    const list = await fetch(`${server.url}/models`, { headers: { Origin: 'http://localhost:5173' } });
    expect(list.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('a client that disconnects cancels its generation; the queued request is served next; a queued one can leave', async () => {
    const long = new AbortController();
    let pieces = 0;
    const first = (async () => {
      // ignore_eos (vLLM's extension): the whole 200 tokens unless cancelled.
      const body = { model: BASE, prompt: 'Once upon a time', max_tokens: 200, temperature: 0, stream: true as const, ignore_eos: true };
      const s = await client.completions.create(body, { signal: long.signal });
      for await (const _ of s) pieces++;
    })().catch((e: Error) => e);
    while (pieces < 2) await new Promise((r) => setTimeout(r, 20));
    // Both wait behind the long one; the second leaves the queue before its turn.
    const queued = client.chat.completions.create({ model: TUNED, messages: question, max_tokens: 4, temperature: 0 });
    const leaving = new AbortController();
    const left = client.completions.create({ model: BASE, prompt: 'x', max_tokens: 4 }, { signal: leaving.signal }).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 300));
    leaving.abort();
    expect(await left).toBeInstanceOf(Error);
    long.abort();
    await first; // the openai client ends an aborted stream quietly
    expect(pieces).toBeLessThan(150);
    const served = await queued;
    expect(served.choices[0].message.content!.length).toBeGreaterThan(0);
    await server.waitForLog(/chat studio-base\+tiny: \d+ prompt/);
    const log = server.stderr();
    expect(log).toMatch(/completion studio-base: cancelled \(client disconnected\) while queued/);
    const cancelledAt = log.search(/completion studio-base: cancelled \(client disconnected\) after \d+ text pieces/);
    expect(cancelledAt).toBeGreaterThan(0);
    expect(log.indexOf('chat studio-base+tiny:')).toBeGreaterThan(cancelledAt);
    expect(Number(/after (\d+) text pieces/.exec(log)![1])).toBeLessThan(150);
  }, 60_000);

  it('Ctrl+C stops the server cleanly, cancelling what is in flight', async () => {
    const body = { model: BASE, prompt: 'Once upon a time', max_tokens: 200, temperature: 0, ignore_eos: true };
    const pending = client.completions.create(body).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 300));
    const { code, signal } = await server.stop();
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(await pending).toBeInstanceOf(Error);
    expect(server.stderr()).toContain('shutting down');
    expect(server.stderr()).toMatch(/stopped\n$/);
  }, 30_000);
});
