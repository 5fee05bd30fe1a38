import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startHubServer, parseRange, parseFaultSpec, type HubServer } from './hubServer';

const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 255);
let hub: HubServer;
const url = (f: string, prefix = '') => `${hub.url}${prefix}/org/model/resolve/main/${f}`;

beforeAll(async () => {
  hub = await startHubServer();
  hub.writeFile('org/model/data.bin', bytes);
  hub.writeFile('org/model/config.json', '{"a":1}');
  hub.writeFile('org/private/data.bin', bytes);
});
afterAll(() => hub.close());

async function body(r: Response) {
  return new Uint8Array(await r.arrayBuffer());
}

describe('hub server', () => {
  it('serves whole files and byte ranges with the right headers', async () => {
    const all = await fetch(url('data.bin'));
    expect(all.status).toBe(200);
    expect(all.headers.get('content-length')).toBe('1000');
    expect(all.headers.get('accept-ranges')).toBe('bytes');
    expect(all.headers.get('access-control-allow-origin')).toBe('*');
    expect(all.headers.get('access-control-expose-headers')).toContain('Content-Range');
    expect(await body(all)).toEqual(bytes);

    const part = await fetch(url('data.bin'), { headers: { Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 10-19/1000');
    expect(part.headers.get('content-length')).toBe('10');
    expect(await body(part)).toEqual(bytes.subarray(10, 20));

    const open = await fetch(url('data.bin'), { headers: { Range: 'bytes=990-' } });
    expect(open.headers.get('content-range')).toBe('bytes 990-999/1000');
    expect(await body(open)).toEqual(bytes.subarray(990));

    const suffix = await fetch(url('data.bin'), { headers: { Range: 'bytes=-5' } });
    expect(await body(suffix)).toEqual(bytes.subarray(995));

    const bad = await fetch(url('data.bin'), { headers: { Range: 'bytes=1000-' } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe('bytes */1000');
    await bad.arrayBuffer();
  });

  it('answers HEAD and CORS preflight', async () => {
    const head = await fetch(url('data.bin'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('1000');
    const pre = await fetch(url('data.bin'), {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:4317', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range,authorization' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toBe('range,authorization');
  });

  it('reports missing repos and files with the hub error codes', async () => {
    const noRepo = await fetch(`${hub.url}/org/nope/resolve/main/config.json`);
    expect(noRepo.status).toBe(404);
    expect(noRepo.headers.get('x-error-code')).toBe('RepoNotFound');
    const noFile = await fetch(url('missing.json'));
    expect(noFile.status).toBe(404);
    expect(noFile.headers.get('x-error-code')).toBe('EntryNotFound');
    const escape = await fetch(`${hub.url}/org/model/resolve/main/..%2F..%2Fprivate%2Fdata.bin`);
    expect(escape.status).toBe(404);
  });

  it('guards token-protected repos like a gated repo', async () => {
    const guarded = await startHubServer({ root: hub.root, tokens: { 'org/private': 'hf_secret' } });
    const p = `${guarded.url}/org/private/resolve/main/data.bin`;
    const none = await fetch(p);
    expect([none.status, none.headers.get('x-error-code')]).toEqual([401, 'GatedRepo']);
    const wrong = await fetch(p, { headers: { Authorization: 'Bearer nope' } });
    expect([wrong.status, wrong.headers.get('x-error-code')]).toEqual([403, 'GatedRepo']);
    const ok = await fetch(p, { headers: { Authorization: 'Bearer hf_secret' } });
    expect(ok.status).toBe(200);
    expect(await body(ok)).toEqual(bytes);
    await guarded.close();
  });

  it('drops the first attempt after N bytes, then serves normally', async () => {
    hub.setFault('org/model/data.bin', { kind: 'drop', afterBytes: 100 });
    const first = await fetch(url('data.bin'));
    expect(first.headers.get('content-length')).toBe('1000');
    await expect(first.arrayBuffer()).rejects.toThrow();
    const second = await fetch(url('data.bin'));
    expect(await body(second)).toEqual(bytes);
    hub.setFault('org/model/data.bin', undefined);
  });

  it('truncates every response at a file byte, and can ignore ranges, via the URL prefix', async () => {
    const t = await fetch(url('data.bin', '/__fault/truncate-300'), { headers: { Range: 'bytes=200-' } });
    expect(t.status).toBe(206);
    expect(t.headers.get('content-length')).toBe('800');
    await expect(t.arrayBuffer()).rejects.toThrow();
    const log = hub.requests.at(-1)!;
    expect(log.sent).toBe(100);

    const ig = await fetch(url('data.bin', '/__fault/ignore-range'), { headers: { Range: 'bytes=200-' } });
    expect(ig.status).toBe(200);
    expect(await body(ig)).toEqual(bytes);

    const gated = await fetch(url('data.bin', '/__fault/gated'));
    expect([gated.status, gated.headers.get('x-error-code')]).toEqual([401, 'GatedRepo']);
    const e500 = await fetch(url('data.bin', '/__fault/503'));
    expect(e500.status).toBe(503);
  });

  it('parses ranges and fault specs strictly', () => {
    expect(parseRange('bytes=0-0', 10)).toEqual([0, 0]);
    expect(parseRange('bytes=5-100', 10)).toEqual([5, 9]);
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,3-4', 10)).toBeNull();
    expect(parseRange('items=0-1', 10)).toBeNull();
    expect(parseFaultSpec('drop-64')).toEqual({ kind: 'drop', afterBytes: 64 });
    expect(parseFaultSpec('slow-1024-5')).toEqual({ kind: 'slow', bytesPerWrite: 1024, delayMs: 5 });
    expect(() => parseFaultSpec('explode')).toThrow(/bad fault spec/);
  });
});
