/**
 * The HTTP side of `cli serve` (node:http, no framework): routing, CORS, optional bearer key, JSON bodies, Server-Sent
 * Events, and the life of one request:
 *
 *   parse + check (400/404, answered at once) → [stream: 200 + SSE headers + the role chunk] → wait for the GPU
 *   (GpuQueue) → generate, writing each text delta as a chunk → finish chunk, usage chunk, `data: [DONE]`.
 *
 * A client that goes away (its socket closes before the response is complete) aborts its request: out of the queue if
 * it was waiting, between two tokens if it was generating; the next request then starts. `shutdown` stops accepting,
 * aborts everything in flight, and resolves once the GPU is idle.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ApiError, asApiError } from './errors.ts';
import { CancelledWhileQueued, GpuQueue } from './queue.ts';
import { parseChatRequest, parseCompletionRequest, type GenerationRequest } from './requests.ts';
import { chatChunk, chatCompletion, modelObject, textCompletion, usage, usageChunk, type ResponseHead } from './responses.ts';
import type { ServeModels } from './models.ts';

export interface ServerOptions {
  host: string;
  port: number;
  /** When set, every request must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Access-Control-Allow-Origin (default `*`: any page, e.g. the studio, may call the local server). */
  corsOrigin?: string;
  /** One line per request (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface RunningServer {
  /** http://host:port/v1 */
  url: string;
  server: Server;
  shutdown(): Promise<void>;
}

const MAX_BODY = 16 * 1024 * 1024;
const ROUTES: Record<string, string> = { '/v1/models': 'GET', '/v1/chat/completions': 'POST', '/v1/completions': 'POST', '/health': 'GET' };

export async function startServer(models: ServeModels, opts: ServerOptions): Promise<RunningServer> {
  const queue = new GpuQueue();
  const inFlight = new Set<AbortController>();
  const log = opts.log ?? (() => {});
  const created = Math.floor(Date.now() / 1000);
  let seq = 0;
  let closing = false;

  const server = createServer((req, res) => {
    cors(req, res, opts.corsOrigin ?? '*');
    handle(req, res).catch((e: unknown) => {
      const err = asApiError(e);
      log(`${req.method} ${req.url}: error ${err.status}: ${err.message}`);
      sendError(res, err);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '') || '/';
    if (opts.apiKey !== undefined && path !== '/health' && req.headers.authorization !== `Bearer ${opts.apiKey}`)
      throw new ApiError(401, 'missing or wrong API key: send the header "Authorization: Bearer <key>" with the key the server was started with', null, 'invalid_api_key');
    if (closing) throw new ApiError(503, 'the server is shutting down', null, null, 'server_error');
    if (path.startsWith('/v1/models/') && req.method === 'GET') {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (!models.models.has(id)) throw new ApiError(404, `The model \`${id}\` does not exist`, 'model', 'model_not_found');
      sendJson(res, 200, describeModel(id));
      return;
    }
    const method = ROUTES[path];
    if (!method) throw new ApiError(404, `no route ${req.method} ${path}; this server answers ${Object.entries(ROUTES).map(([p, m]) => `${m} ${p}`).join(', ')}`, null, 'not_found', 'not_found_error');
    if (req.method !== method) {
      res.setHeader('Allow', `${method}, OPTIONS`);
      throw new ApiError(405, `${path} takes ${method}, not ${req.method}`, null, 'method_not_allowed');
    }
    if (path === '/health') return sendJson(res, 200, { status: 'ok', running: queue.running, waiting: queue.waitingCount });
    if (path === '/v1/models') return sendJson(res, 200, { object: 'list', data: [...models.models.keys()].map(describeModel) });
    const body = await readJson(req);
    const request = path === '/v1/chat/completions' ? parseChatRequest(body) : parseCompletionRequest(body);
    await complete(request, res);
  }

  function describeModel(id: string) {
    const m = models.models.get(id)!;
    return modelObject(id, created, { root: models.baseId, parent: m.adapter ? models.baseId : null, max_model_len: models.context, ...(m.adapterDir ? { adapter_dir: m.adapterDir } : {}) });
  }

  async function complete(request: GenerationRequest, res: ServerResponse): Promise<void> {
    if (closing) throw new ApiError(503, 'the server is shutting down', null, null, 'server_error');
    const prepared = models.prepare(request);
    const chat = request.kind === 'chat';
    const head: ResponseHead = { id: `${chat ? 'chatcmpl' : 'cmpl'}-${randomUUID().replaceAll('-', '')}`, created: Math.floor(Date.now() / 1000), model: request.model };
    const tag = `#${++seq} ${chat ? 'chat' : 'completion'} ${request.model}`;
    const abort = new AbortController();
    inFlight.add(abort);
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new Error('client disconnected'));
    });
    const sse = (obj: unknown) => {
      if (!res.destroyed) res.write(`data: ${JSON.stringify(obj)}\n\n`);
    };
    if (request.stream) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.flushHeaders(); // the client knows at once that the request was accepted, even while it waits in the queue
      if (chat) sse(chatChunk(head, { role: 'assistant', content: '' }, null, request.includeUsage));
    }
    const received = performance.now();
    let started = 0, firstToken = 0, tokensOut = 0;
    try {
      const done = await queue.run(abort.signal, () => {
        started = performance.now();
        return models.generate(prepared, abort.signal, (delta) => {
          tokensOut++;
          if (!firstToken) firstToken = performance.now();
          if (request.stream) sse(chat ? chatChunk(head, { content: delta }, null, request.includeUsage) : textCompletion(head, delta, null, undefined, request.includeUsage));
        });
      });
      const u = usage(prepared.inputIds.length, done.completionTokens);
      if (request.stream) {
        sse(chat ? chatChunk(head, {}, done.finishReason, request.includeUsage) : textCompletion(head, '', done.finishReason, undefined, request.includeUsage));
        if (request.includeUsage) sse(usageChunk(head, chat ? 'chat.completion.chunk' : 'text_completion', u));
        res.end('data: [DONE]\n\n');
      } else sendJson(res, 200, chat ? chatCompletion(head, done.text, done.finishReason, u) : textCompletion(head, done.text, done.finishReason, u));
      const secs = (performance.now() - started) / 1000;
      log(`${tag}: ${u.prompt_tokens} prompt + ${u.completion_tokens} completion tokens, finish ${done.finishReason}, ` +
        `queued ${((started - received) / 1000).toFixed(2)} s, first text ${firstToken ? ((firstToken - started) / 1000).toFixed(2) : '-'} s, ` +
        `${secs.toFixed(2)} s (${(done.completionTokens / Math.max(secs, 1e-9)).toFixed(1)} tok/s)`);
    } catch (e) {
      if (e instanceof CancelledWhileQueued || abort.signal.aborted) {
        const why = abort.signal.reason instanceof Error ? abort.signal.reason.message : 'cancelled';
        log(`${tag}: cancelled (${why}) ${e instanceof CancelledWhileQueued || !started ? 'while queued' : `after ${tokensOut} text pieces`}`);
        if (closing && !res.headersSent) sendError(res, new ApiError(503, 'the server is shutting down', null, null, 'server_error'));
        else if (!res.destroyed) res.destroy();
        return;
      }
      const err = asApiError(e);
      log(`${tag}: error ${err.status}: ${err.message}`);
      if (!res.headersSent) return sendError(res, err);
      sse(err.body());
      res.end('data: [DONE]\n\n');
    } finally {
      inFlight.delete(abort);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new Error(`port ${opts.port} on ${opts.host} is already in use: pick another with --port`, { cause: e }) : e));
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;

  return {
    url: `http://${host}:${addr.port}/v1`,
    server,
    async shutdown() {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const a of inFlight) a.abort(new Error('server shutting down'));
      // The running generation stops at its next token; the queue then drains (every waiter was aborted).
      while (queue.running) await new Promise((r) => setTimeout(r, 10));
      server.closeAllConnections();
      await closed;
    },
  };
}

function cors(req: IncomingMessage, res: ServerResponse, origin: string): void {
  res.setHeader('Access-Control-Allow-Origin', origin);
  if (origin !== '*') res.setHeader('Vary', 'Origin');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    // The openai JS client sends x-stainless-* headers besides Authorization and Content-Type: allow what is asked.
    res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? 'Authorization, Content-Type');
    res.setHeader('Access-Control-Max-Age', '86400');
  }
}

function sendJson(res: ServerResponse, status: number, obj: unknown): void {
  const text = JSON.stringify(obj);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, err: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.status, err.body());
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new ApiError(413, `the request body is larger than ${MAX_BODY / 1024 / 1024} MiB`);
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) throw new ApiError(400, 'the request body is empty; send a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ApiError(400, `the request body is not valid JSON: ${(e as Error).message}`);
  }
}
