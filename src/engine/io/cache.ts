/**
 * Downloaded model files kept in the browser's Cache Storage, keyed by their hub URL (endpoint/repo/revision/file),
 * so a reload streams from disk instead of the network. Only complete files are stored: a big file is written
 * through a stream that is closed only after every byte arrived (Cache.put commits atomically when its body stream
 * completes, and an errored stream stores nothing), and on read the stored length is checked against the recorded
 * size. Where `caches` does not exist (Node, insecure origins) ModelCache.open() returns null and nothing is cached.
 */
import { DEFAULT_ENDPOINT, hubFileUrl, type HubRepo } from './hub';

export const MODEL_CACHE_NAME = 'studio-models-v1';

/** The parts of the Cache / CacheStorage APIs we use (tests can pass their own). */
export type CacheLike = Pick<Cache, 'match' | 'put' | 'delete' | 'keys'>;
export interface CacheStorageLike {
  open(name: string): Promise<CacheLike>;
}

export interface StoredFile {
  file: string;
  bytes: number;
  storedAt: number;
}
export interface StoredModel {
  endpoint: string;
  repo: string;
  revision: string;
  bytes: number;
  files: StoredFile[];
}

const H = { endpoint: 'X-Studio-Endpoint', repo: 'X-Studio-Repo', revision: 'X-Studio-Revision', file: 'X-Studio-File', size: 'X-Studio-Size', at: 'X-Studio-Stored-At' };

const norm = (src: HubRepo) => ({
  endpoint: (src.endpoint || DEFAULT_ENDPOINT).replace(/\/+$/, ''),
  repo: src.repo,
  revision: src.revision || 'main',
});

export class ModelCache {
  /** The model cache, or null where Cache Storage is unavailable. */
  static async open(options: { name?: string; storage?: CacheStorageLike | null } = {}): Promise<ModelCache | null> {
    const storage = options.storage !== undefined ? options.storage : typeof caches !== 'undefined' ? caches : null;
    if (!storage) return null;
    try {
      return new ModelCache(await storage.open(options.name ?? MODEL_CACHE_NAME));
    } catch {
      return null; // storage disabled (private mode, opaque origin): run without a cache
    }
  }

  constructor(private readonly cache: CacheLike) {}

  private key(src: HubRepo, file: string): string {
    const n = norm(src);
    return hubFileUrl({ ...n, token: undefined }, file);
  }

  private headers(src: HubRepo, file: string, size: number, type: string): Headers {
    const n = norm(src);
    return new Headers({
      'Content-Type': type,
      'Content-Length': String(size),
      [H.endpoint]: encodeURIComponent(n.endpoint),
      [H.repo]: encodeURIComponent(n.repo),
      [H.revision]: encodeURIComponent(n.revision),
      [H.file]: encodeURIComponent(file),
      [H.size]: String(size),
      [H.at]: String(Date.now()),
    });
  }

  /** The stored file as a Blob (disk-backed in browsers), or null when absent or incomplete (then it is dropped). */
  async getBlob(src: HubRepo, file: string): Promise<Blob | null> {
    const key = this.key(src, file);
    const res = await this.cache.match(key);
    if (!res) return null;
    const size = Number(res.headers.get(H.size));
    const blob = await res.blob().catch(() => null);
    if (!blob || !Number.isFinite(size) || blob.size !== size) {
      await this.cache.delete(key);
      return null;
    }
    return blob;
  }

  async getText(src: HubRepo, file: string): Promise<string | null> {
    const blob = await this.getBlob(src, file);
    return blob ? blob.text() : null;
  }

  async putText(src: HubRepo, file: string, text: string): Promise<void> {
    const bytes = new TextEncoder().encode(text);
    await this.cache.put(this.key(src, file), new Response(bytes, { headers: this.headers(src, file, bytes.byteLength, 'application/json') }));
  }

  /** Starts storing a file of `size` bytes, written chunk by chunk; it becomes visible only after commit(). */
  writer(src: HubRepo, file: string, size: number): CacheWriter {
    return new CacheWriter(this.cache, this.key(src, file), this.headers(src, file, size, 'application/octet-stream'), size);
  }

  /** Stored models with their files and sizes, largest first. */
  async list(): Promise<StoredModel[]> {
    const models = new Map<string, StoredModel>();
    for (const req of await this.cache.keys()) {
      const res = await this.cache.match(req);
      if (!res) continue;
      const h = (k: string) => decodeURIComponent(res.headers.get(k) ?? '');
      const [endpoint, repo, revision, file] = [h(H.endpoint), h(H.repo), h(H.revision), h(H.file)];
      const bytes = Number(res.headers.get(H.size)) || 0;
      await res.body?.cancel();
      if (!repo || !file) continue;
      const id = `${endpoint} ${repo} ${revision}`;
      let m = models.get(id);
      if (!m) models.set(id, (m = { endpoint, repo, revision, bytes: 0, files: [] }));
      m.files.push({ file, bytes, storedAt: Number(res.headers.get(H.at)) || 0 });
      m.bytes += bytes;
    }
    for (const m of models.values()) m.files.sort((a, b) => a.file.localeCompare(b.file));
    return [...models.values()].sort((a, b) => b.bytes - a.bytes);
  }

  /** Deletes every stored file of a model (all revisions when `revision` is omitted). Returns how many. */
  async deleteModel(src: Omit<HubRepo, 'revision' | 'token'> & { revision?: string }): Promise<number> {
    const endpoint = norm(src).endpoint;
    let n = 0;
    for (const m of await this.list()) {
      if (m.endpoint !== endpoint || m.repo !== src.repo || (src.revision && m.revision !== src.revision)) continue;
      for (const f of m.files) if (await this.cache.delete(this.key(m, f.file))) n++;
    }
    return n;
  }
}

/** A file being stored. write() copies the chunk and waits while more than 4 MiB is queued for the cache. */
export class CacheWriter {
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private written = 0;
  private failed = false;
  private wake: (() => void) | null = null;
  private readonly done: Promise<void>;

  constructor(cache: CacheLike, key: string, headers: Headers, readonly size: number) {
    const body = new ReadableStream<Uint8Array>(
      {
        start: (c) => void (this.controller = c),
        pull: () => this.release(),
        cancel: () => void (this.failed = true),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: 4 << 20 }),
    );
    this.done = cache.put(key, new Response(body, { headers }));
    this.done.catch(() => {
      this.failed = true;
      this.release();
    });
  }

  private release() {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** False once storing failed (e.g. quota exceeded); the load goes on without caching. */
  get ok(): boolean {
    return !this.failed;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.failed) return;
    this.controller.enqueue(chunk.slice()); // the loader reuses its read buffer: keep a copy until the cache has it
    this.written += chunk.byteLength;
    if ((this.controller.desiredSize ?? 1) <= 0) await new Promise<void>((r) => (this.wake = r));
  }

  /** Commits the file if exactly `size` bytes were written; returns whether it is now stored. */
  async commit(): Promise<boolean> {
    if (this.failed) return false;
    if (this.written !== this.size) {
      this.abort(new Error(`incomplete: ${this.written} of ${this.size} bytes`));
      return false;
    }
    this.controller.close();
    return this.done.then(
      () => true,
      () => false,
    );
  }

  /** Drops the partial file: the body stream errors, so Cache.put stores nothing. */
  abort(reason: unknown): void {
    if (this.failed) return;
    this.failed = true;
    try {
      this.controller.error(reason);
    } catch {
      /* already closed */
    }
    this.release();
  }
}
