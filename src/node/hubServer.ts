/**
 * A local stand-in for the Hugging Face hub's file endpoint, for tests and e2e runs (the machine has no internet).
 * Serves ROOT/{owner}/{name}/{file} at /{owner}/{name}/resolve/{revision}/{file} (any revision), with Range/206,
 * Content-Range, 416 for unsatisfiable ranges, HEAD, CORS (including preflight) and the hub's X-Error-Code headers.
 *
 * Faults, to test the loader's error paths, are set per file ("owner/name/file") through `faults`/`setFault`, or
 * through a URL prefix so a browser test can pick one by endpoint: {url}/__fault/{spec}/{owner}/{name}/resolve/...
 * Specs: drop-N (cut the connection after N body bytes; first attempt only), hang-N (send N body bytes, then
 * nothing, keeping the connection open; first attempt only), truncate-N (the file's bytes stop at
 * byte N although Content-Length promises more; every attempt), ignore-range (always 200 with the whole file),
 * gated (401 + X-Error-Code: GatedRepo), 404, 401, 403, 500, 503, slow-BYTES-MS (BYTES per write, MS apart).
 * Several faults combine with "+", e.g. ignore-range+drop-4096.
 *
 *   tsx src/node/hubServer.ts --root DIR [--port N] [--host H]
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';

export type HubFault =
  | { kind: 'drop'; afterBytes: number; times?: number }
  | { kind: 'hang'; afterBytes: number; times?: number }
  | { kind: 'truncate'; atByte: number }
  | { kind: 'ignore-range' }
  | { kind: 'gated' }
  | { kind: 'status'; status: number; errorCode?: string }
  | { kind: 'slow'; bytesPerWrite: number; delayMs: number };

export interface HubServerOptions {
  /** Directory holding {owner}/{name}/{files}. Omitted: a fresh temp directory, removed on close(). */
  root?: string;
  port?: number;
  host?: string;
  /** Faults keyed by "owner/name/file". */
  faults?: Record<string, HubFault | HubFault[]>;
  /** Repos that need `Authorization: Bearer <token>`: none → 401 GatedRepo, wrong → 403 GatedRepo. */
  tokens?: Record<string, string>;
}

export interface HubRequestLog {
  method: string;
  path: string;
  range?: string;
  status: number;
  /** Body bytes actually sent. */
  sent: number;
}

export interface HubServer {
  /** Base URL, e.g. http://127.0.0.1:40123 — the endpoint to give the loader. */
  url: string;
  root: string;
  requests: HubRequestLog[];
  setFault(file: string, fault: HubFault | HubFault[] | undefined): void;
  /** Writes (or appends chunk by chunk, for big files) ROOT/{path}; returns the absolute path. */
  writeFile(path: string, data: Uint8Array | string | Iterable<Uint8Array>): string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.json': 'application/json', '.html': 'text/html', '.js': 'text/javascript', '.txt': 'text/plain' };
const EXPOSED = 'Content-Range, Content-Length, Accept-Ranges, ETag, X-Error-Code, X-Error-Message, X-Repo-Commit';

export function parseFaultSpec(spec: string): HubFault {
  const [kind, a, b] = spec.split('-');
  const num = (s: string | undefined) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new Error(`bad fault spec "${spec}"`);
    return n;
  };
  if (kind === 'drop') return { kind: 'drop', afterBytes: num(a) };
  if (kind === 'hang') return { kind: 'hang', afterBytes: num(a) };
  if (kind === 'truncate') return { kind: 'truncate', atByte: num(a) };
  if (kind === 'ignore' && a === 'range') return { kind: 'ignore-range' };
  if (kind === 'gated') return { kind: 'gated' };
  if (kind === 'slow') return { kind: 'slow', bytesPerWrite: Math.max(1, num(a)), delayMs: num(b) };
  if (/^\d{3}$/.test(kind)) return { kind: 'status', status: Number(kind) };
  throw new Error(`bad fault spec "${spec}"`);
}

/** Parses a single "bytes=" range against `size`: [start, end] inclusive, 'unsatisfiable', or null to ignore it. */
export function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null; // absent, multi-range or malformed: serve the whole file
  if (m[1] === '') {
    const n = Number(m[2]);
    return n === 0 || size === 0 ? 'unsatisfiable' : [Math.max(0, size - n), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return null;
  return start >= size ? 'unsatisfiable' : [start, end];
}

export async function startHubServer(options: HubServerOptions = {}): Promise<HubServer> {
  const ownRoot = !options.root;
  const root = resolve(options.root ?? mkdtempSync(join(tmpdir(), 'hub-')));
  const faults = new Map<string, HubFault[]>(Object.entries(options.faults ?? {}).map(([k, v]) => [k, [v].flat()]));
  const attempts = new Map<string, number>();
  const requests: HubRequestLog[] = [];

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent) error(res, 500, 'ServerError', e.message);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const log: HubRequestLog = { method: req.method ?? 'GET', path: req.url ?? '', range: req.headers.range, status: 0, sent: 0 };
    requests.push(log);
    res.on('finish', () => (log.status = res.statusCode));
    res.on('close', () => (log.status ||= res.statusCode));
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', EXPOSED);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? 'Range, Authorization',
        'Access-Control-Max-Age': '600',
      });
      return void res.end();
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return error(res, 405, 'MethodNotAllowed', 'GET or HEAD only');

    let path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let list: HubFault[] | undefined;
    let faultKey = '';
    const prefixed = /^\/__fault\/([^/]+)(\/.*)$/.exec(path);
    if (prefixed) {
      list = prefixed[1].split('+').map(parseFaultSpec);
      path = prefixed[2];
      faultKey = prefixed[1];
    }
    const m = /^\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (!m || [m[1], m[2], ...m[4].split('/')].some((s) => s === '..' || s === '.'))
      return error(res, 404, 'EntryNotFound', `not a hub file URL: ${path}`);
    const repo = `${m[1]}/${m[2]}`;
    const file = m[4];
    const key = `${repo}/${file}`;
    list ??= faults.get(key) ?? [];
    faultKey = `${faultKey}|${key}`;
    const find = <K extends HubFault['kind']>(kind: K) => list.find((f) => f.kind === kind) as Extract<HubFault, { kind: K }> | undefined;
    const status = find('status');
    const drop = find('drop') ?? find('hang');
    const truncate = find('truncate');
    const slow = find('slow');
    const ignoreRange = !!find('ignore-range');

    const token = options.tokens?.[repo];
    if (find('gated') || (token && req.headers.authorization === undefined))
      return error(res, 401, 'GatedRepo', `Access to model ${repo} is restricted. You must have access to it and be authenticated.`);
    if (token && req.headers.authorization !== `Bearer ${token}`)
      return error(res, 403, 'GatedRepo', `Access to model ${repo} is restricted and you are not in the authorized list.`);
    if (status) return error(res, status.status, status.errorCode ?? '', `injected ${status.status}`);
    if (!existsSync(join(root, m[1], m[2]))) return error(res, 404, 'RepoNotFound', `Repository not found: ${repo}`);
    const abs = join(root, m[1], m[2], file);
    if (!abs.startsWith(root + sep) || !existsSync(abs) || !statSync(abs).isFile())
      return error(res, 404, 'EntryNotFound', `${file} does not exist in ${repo}`);

    const st = statSync(abs);
    const size = st.size;
    const range = ignoreRange ? null : parseRange(req.headers.range, size);
    res.setHeader('Accept-Ranges', ignoreRange ? 'none' : 'bytes');
    res.setHeader('ETag', `"${size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`);
    res.setHeader('Content-Type', TYPES[/\.\w+$/.exec(file)?.[0] ?? ''] ?? 'application/octet-stream');
    if (range === 'unsatisfiable') {
      res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
      log.status = 416;
      return void res.end();
    }
    const [start, end] = range ?? [0, size - 1];
    const length = size === 0 ? 0 : end - start + 1;
    if (range) res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    res.writeHead(range ? 206 : 200, { 'Content-Length': length });
    log.status = res.statusCode;
    if (req.method === 'HEAD' || length === 0) return void res.end();

    // How much of this response to send before a fault cuts it.
    let limit = length;
    if (truncate) limit = Math.max(0, Math.min(length, truncate.atByte - start));
    let dropping = false;
    if (drop && drop.afterBytes < limit && (attempts.get(faultKey) ?? 0) < (drop.times ?? 1)) {
      limit = drop.afterBytes;
      dropping = true;
    }
    const stream = createReadStream(abs, { start, end: start + limit - 1, highWaterMark: 64 * 1024 });
    res.on('close', () => stream.destroy());
    try {
      for await (const chunk of limit > 0 ? stream : []) {
        let buf = chunk as Buffer;
        while (buf.length > 0) {
          if (res.destroyed) return;
          const piece = slow ? buf.subarray(0, slow.bytesPerWrite) : buf;
          buf = buf.subarray(piece.length);
          log.sent += piece.length;
          if (!res.write(piece)) await drained(res);
          if (slow) await new Promise((r) => setTimeout(r, slow.delayMs));
        }
      }
    } finally {
      stream.destroy();
    }
    if (limit < length) {
      // The promised Content-Length is not met: send what was written, then cut the connection (or hang).
      if (res.destroyed) return;
      if (dropping) attempts.set(faultKey, (attempts.get(faultKey) ?? 0) + 1); // counts only drops that happened
      if (drop?.kind === 'hang') return void res.flushHeaders(); // stays open until the client gives up
      res.flushHeaders();
      res.socket?.end();
      setTimeout(() => res.destroy(), 1000).unref();
    } else res.end();
  }

  function error(res: ServerResponse, status: number, code: string, message: string) {
    requests.at(-1)!.status = status;
    if (code) res.setHeader('X-Error-Code', code);
    res.setHeader('X-Error-Message', message);
    const body = JSON.stringify({ error: message });
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    root,
    requests,
    setFault(file, fault) {
      if (fault) faults.set(file, [fault].flat());
      else faults.delete(file);
    },
    writeFile(path, data) {
      const abs = join(root, path);
      mkdirSync(dirname(abs), { recursive: true });
      if (typeof data === 'string' || data instanceof Uint8Array) writeFileSync(abs, data);
      else {
        writeFileSync(abs, new Uint8Array(0));
        for (const chunk of data) appendFileSync(abs, chunk);
      }
      return abs;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      if (ownRoot) rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Resolves on 'drain' or 'close', removing both listeners (a long response waits many times). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = arg('root');
  if (!root || !existsSync(root)) {
    console.error('usage: tsx src/node/hubServer.ts --root DIR [--port N] [--host H]');
    process.exit(2);
  }
  const hub = await startHubServer({ root, port: Number(arg('port') ?? 0), host: arg('host') });
  console.log(`hub server at ${hub.url} serving ${hub.root}`);
  const stop = () => void hub.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
