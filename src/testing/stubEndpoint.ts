/**
 * A scripted stand-in for a REMOTE chat-completions endpoint (node:http on a free port), for testing our client's
 * handling of what real servers do: errors, garbage, slowness, dropped connections. Each request is answered by
 * `reply(n, body)` (n counts from 1). Node only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
  n: number;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export type StubReply =
  | { status?: number; json: unknown; headers?: Record<string, string> }
  | { status?: number; text: string; headers?: Record<string, string> }
  | { delayMs: number; then: StubReply }
  /** Close the connection without answering. */
  | { drop: true };

export interface StubEndpoint {
  baseUrl: string;
  requests: StubRequest[];
  close(): Promise<void>;
}

/** An OpenAI chat completion answering `content`. */
export const completion = (content: string): StubReply => ({
  json: { id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 } },
});

export async function startStub(reply: (req: StubRequest) => StubReply): Promise<StubEndpoint> {
  const requests: StubRequest[] = [];
  const answer = (res: ServerResponse, r: StubReply) => {
    if ('drop' in r) return res.socket?.destroy();
    if ('delayMs' in r) {
      const t = setTimeout(() => answer(res, r.then), r.delayMs);
      res.on('close', () => clearTimeout(t));
      return;
    }
    const body = 'json' in r ? JSON.stringify(r.json) : r.text;
    res.writeHead(r.status ?? 200, { 'Content-Type': 'json' in r ? 'application/json' : 'text/plain', ...r.headers }).end(body);
  };
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8').on('data', (c: string) => (text += c));
    req.on('end', () => {
      const r: StubRequest = { n: requests.length + 1, url: req.url ?? '', headers: req.headers, body: JSON.parse(text || '{}') as Record<string, unknown> };
      requests.push(r);
      answer(res, reply(r));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
