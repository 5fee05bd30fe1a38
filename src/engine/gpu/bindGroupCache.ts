/**
 * Bind groups kept across encodes. A training step or a decoded token records the same dispatches over the same
 * buffers every time (only the uniform values change, and those live in the recorder's arena buffer at stable slot
 * offsets), so the bind group of a dispatch — pipeline + every binding's buffer, offset and size — repeats, and
 * createBindGroup (a validated driver object, ~10–20 µs of host time each on Dawn) need not run again.
 *
 * Key: the pipeline's id and each binding as bufferId:offset:size, where ids are handed out per object (a WeakMap),
 * never reused: a buffer created after another was destroyed gets a new id, so a key can never name a different
 * buffer than the one its bind group holds. Destroyed buffers: the BufferPool counts its releases; when the count
 * moved since the last look, every entry holding a released buffer is dropped (`sweep`), so the cache never returns
 * a bind group over a destroyed buffer and does not keep destroyed buffers' wrappers alive. Bounded: least recently
 * used entries go first once `capacity` is reached (one SmolLM2-135M LoRA step needs ~2,600).
 */
import type { BufferPool } from './buffers';

let nextId = 1;
const ids = new WeakMap<object, number>();
/** A stable number per GPU object (buffer, pipeline), for cache keys. */
export function objectId(o: object): number {
  let id = ids.get(o);
  if (id === undefined) {
    id = nextId++;
    ids.set(o, id);
  }
  return id;
}

interface Entry {
  group: GPUBindGroup;
  buffers: GPUBuffer[];
}

export interface BindGroupCacheStats {
  hits: number;
  misses: number;
  size: number;
}

export class BindGroupCache {
  private readonly entries = new Map<string, Entry>();
  private seenReleases: number;
  hits = 0;
  misses = 0;

  constructor(private readonly pool: BufferPool, readonly capacity = 16_384) {
    this.seenReleases = pool.releases;
  }

  /** The bind group cached under `key`, or undefined (then `store` the one you create). */
  lookup(key: string): GPUBindGroup | undefined {
    if (this.pool.releases !== this.seenReleases) this.sweep();
    const hit = this.entries.get(key);
    if (!hit) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Map iteration order is insertion order: re-inserting keeps the least recently used first.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.group;
  }

  /** Cache `group` under `key`; `buffers` are every buffer it binds (checked when buffers are released). */
  store(key: string, group: GPUBindGroup, buffers: GPUBuffer[]): void {
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { group, buffers });
  }

  /** Drop every entry that binds `buffer` (the recorder's own uniform buffer when it is replaced). */
  forget(buffer: GPUBuffer): void {
    for (const [k, e] of this.entries) if (e.buffers.includes(buffer)) this.entries.delete(k);
  }

  /** Drop entries holding a buffer the pool has released since the last look. */
  private sweep(): void {
    this.seenReleases = this.pool.releases;
    for (const [k, e] of this.entries) if (e.buffers.some((b) => this.pool.wasReleased(b))) this.entries.delete(k);
  }

  clear(): void {
    this.entries.clear();
  }

  get stats(): BindGroupCacheStats {
    return { hits: this.hits, misses: this.misses, size: this.entries.size };
  }
}
