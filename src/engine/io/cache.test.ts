import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startHubServer, type HubServer } from '../../node/hubServer';
import { ModelCache, type CacheLike, type CacheStorageLike } from './cache';
import { loadCheckpoint } from './stream';
import { fetchJson } from './hub';
import { ModelFileError } from './errors';
import { makeTestCheckpoint, checkModelBytes, RecordingSink, TEST_SPECS } from './testModel';

/**
 * Cache Storage does not exist in Node. This stand-in keeps the browser semantics the loader relies on: put()
 * reads the whole body and stores the entry only if the body completes (an errored stream rejects and stores
 * nothing); match() returns a fresh Response with the stored headers.
 */
class MemoryCache implements CacheLike {
  readonly entries = new Map<string, { body: ArrayBuffer; headers: Headers }>();
  async put(req: RequestInfo | URL, res: Response): Promise<void> {
    const body = await res.arrayBuffer();
    this.entries.set(String(req instanceof Request ? req.url : req), { body, headers: new Headers(res.headers) });
  }
  async match(req: RequestInfo | URL): Promise<Response | undefined> {
    const e = this.entries.get(String(req instanceof Request ? req.url : req));
    return e ? new Response(e.body.slice(0), { headers: e.headers }) : undefined;
  }
  async delete(req: RequestInfo | URL): Promise<boolean> {
    return this.entries.delete(String(req instanceof Request ? req.url : req));
  }
  async keys(): Promise<readonly Request[]> {
    return [...this.entries.keys()].map((u) => new Request(u));
  }
}

let hub: HubServer;
const model = makeTestCheckpoint(TEST_SPECS);
const memory = new MemoryCache();
const storage: CacheStorageLike = { open: async () => memory };

beforeAll(async () => {
  hub = await startHubServer();
  hub.writeFile('org/tiny/model.safetensors', model);
  hub.writeFile('org/tiny/config.json', '{"hidden_size": 8}');
  hub.writeFile('org/trunc/model.safetensors', model);
  hub.setFault('org/trunc/model.safetensors', { kind: 'truncate', atByte: 3_000_000 });
});
afterAll(() => hub.close());

describe('ModelCache', () => {
  it('is absent where Cache Storage is (Node)', async () => {
    expect(typeof caches).toBe('undefined');
    expect(await ModelCache.open()).toBeNull();
  });

  it('stores complete files, then loads from them without touching the network', async () => {
    const cache = (await ModelCache.open({ storage }))!;
    const source = { kind: 'hub' as const, endpoint: hub.url, repo: 'org/tiny' };
    await loadCheckpoint({ source, sink: new RecordingSink(), cache });
    expect(await fetchJson(source, 'config.json', { cache })).toEqual({ hidden_size: 8 });

    const stored = await cache.list();
    expect(stored).toEqual([
      {
        endpoint: hub.url,
        repo: 'org/tiny',
        revision: 'main',
        bytes: model.byteLength + 18,
        files: [
          { file: 'config.json', bytes: 18, storedAt: expect.any(Number) },
          { file: 'model.safetensors', bytes: model.byteLength, storedAt: expect.any(Number) },
        ],
      },
    ]);
    const blob = (await cache.getBlob(source, 'model.safetensors'))!;
    expect(Buffer.from(await blob.arrayBuffer()).equals(model)).toBe(true);

    hub.requests.length = 0;
    const sink = new RecordingSink();
    const fromCache: boolean[] = [];
    await loadCheckpoint({ source, sink, cache, onProgress: (p) => p.phase === 'weights' && fromCache.push(p.fromCache) });
    expect(await fetchJson(source, 'config.json', { cache })).toEqual({ hidden_size: 8 });
    expect(checkModelBytes(sink, TEST_SPECS, model)).toBeNull();
    expect(fromCache.every(Boolean) && fromCache.length > 0).toBe(true);
    // Only the optional index probe (a 404, never cached) went to the server.
    expect(hub.requests.map((r) => r.path)).toEqual([`/org/tiny/resolve/main/model.safetensors.index.json`]);
  });

  it('stores nothing from a failed download', async () => {
    const cache = (await ModelCache.open({ storage }))!;
    const err = await loadCheckpoint({
      source: { kind: 'hub', endpoint: hub.url, repo: 'org/trunc' },
      sink: new RecordingSink(),
      cache,
      retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    await new Promise((r) => setTimeout(r, 10));
    expect((await cache.list()).map((m) => m.repo)).toEqual(['org/tiny']);
    expect([...memory.entries.keys()].some((k) => k.includes('org/trunc'))).toBe(false);
  });

  it('drops an entry whose stored length is wrong, and deletes models', async () => {
    const cache = (await ModelCache.open({ storage }))!;
    const source = { endpoint: hub.url, repo: 'org/tiny' };
    const key = [...memory.entries.keys()].find((k) => k.endsWith('model.safetensors'))!;
    const entry = memory.entries.get(key)!;
    memory.entries.set(key, { ...entry, body: entry.body.slice(0, 1000) });
    expect(await cache.getBlob(source, 'model.safetensors')).toBeNull();
    expect(memory.entries.has(key)).toBe(false);

    expect(await cache.deleteModel({ endpoint: hub.url, repo: 'org/other' })).toBe(0);
    expect(await cache.deleteModel(source)).toBe(1); // config.json is what is left
    expect(await cache.list()).toEqual([]);
  });
});
