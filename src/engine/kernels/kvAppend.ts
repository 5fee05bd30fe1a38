import type { Recorder } from '../gpu/recorder';
import { grid1d } from './grid';

/** cache[offset .. offset+n) = src[0 .. n): append new keys/values to a KV cache (floats, not bytes). */
export function kvAppend(rec: Recorder, cache: GPUBuffer, src: GPUBuffer, offset: number, n: number): void {
  if ((offset + n) * 4 > cache.size) throw new Error(`KV cache overflow: ${offset + n} floats into a cache of ${cache.size / 4}`);
  rec.dispatch({ shader: 'kv_append', params: [offset, n], bindings: [cache, src], workgroups: grid1d(n, 256), label: 'kv_append' });
}
