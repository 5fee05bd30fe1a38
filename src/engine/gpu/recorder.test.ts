// The recorder encodes every dispatch into one compute pass unless timing (then one pass per dispatch), and a chain of
// dependent dispatches in that one pass still sees each earlier dispatch's writes.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { f32, Recorder, recorderPolicy, type Binding } from './recorder';
import { readF32 } from './buffers';
import { matmul } from '../kernels/matmul';
import { fill } from '../kernels/fill';
import { matmul as matmulRef } from '../reference/matmul';

/** An encoder that counts the compute passes begun on it. */
function countingEncoder(encoder: GPUCommandEncoder): { encoder: GPUCommandEncoder; passes: () => number } {
  let n = 0;
  const proxy = new Proxy(encoder, {
    get(target, prop) {
      if (prop === 'beginComputePass')
        return (d?: GPUComputePassDescriptor) => {
          n++;
          return target.beginComputePass(d);
        };
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { encoder: proxy, passes: () => n };
}

describe('Recorder', () => {
  it('puts dependent dispatches in one compute pass and each sees the previous one’s output', async () => {
    const gpu = await testGpu();
    const n = 12;
    const w = randomArray(n * n, 1).map((v) => v / 4);
    const x0 = randomArray(n * n, 2);
    const W = gpu.buffers.fromData('test', 'w', w);
    const ping = gpu.buffers.fromData('test', 'ping', x0);
    const pong = gpu.buffers.storage('test', 'pong', n * n * 4);
    const rec = new Recorder(gpu);
    // pong = 7, then ping ↔ pong six times: dst ← src·W + dst, every step reading the last two steps' outputs.
    fill(rec, pong, n * n, 7);
    let [src, dst] = [ping, pong];
    for (let i = 0; i < 6; i++) {
      matmul(rec, dst, src, W, null, n, n, n, { accumulate: true });
      [src, dst] = [dst, src];
    }
    const enc = countingEncoder(gpu.device.createCommandEncoder());
    rec.encode(enc.encoder);
    expect(enc.passes()).toBe(1);
    gpu.device.queue.submit([enc.encoder.finish()]);
    const got = await readF32(gpu.device, src, 0, n * n);
    let [want, other] = [x0.slice(), new Float32Array(n * n).fill(7)];
    for (let i = 0; i < 6; i++) {
      matmulRef(other, want, w, null, n, n, n, { accumulate: true });
      [want, other] = [other, want];
    }
    expectClose(got, want, { rtol: 1e-4, atol: 1e-4 });
    rec.destroy();
    gpu.buffers.releasePool('test');
  });

  it('gives every dispatch its own pass when timestamp writes are asked for', async () => {
    const gpu = await testGpu();
    const buf = gpu.buffers.storage('test', 'b', 64);
    const rec = new Recorder(gpu);
    for (let i = 0; i < 3; i++) fill(rec, buf, 16, i);
    const enc = countingEncoder(gpu.device.createCommandEncoder());
    const asked: string[] = [];
    rec.encode(enc.encoder, (i, label) => {
      asked.push(`${i}:${label}`);
      return undefined;
    });
    expect(enc.passes()).toBe(3);
    expect(asked).toEqual(['0:fill', '1:fill', '2:fill']);
    gpu.device.queue.submit([enc.encoder.finish()]);
    expect(Array.from(await readF32(gpu.device, buf, 0, 16))).toEqual(new Array(16).fill(2));
    rec.destroy();
    gpu.buffers.releasePool('test');
  });

  it('reuses bind groups when the same sequence is recorded again, and makes a new one when a binding changes', async () => {
    const gpu = await testGpu();
    const n = 128, half = n / 2; // floats; a sub-range binding starts at half (256 bytes: the offset alignment)
    const a = gpu.buffers.storage('test', 'a', n * 4);
    const b = gpu.buffers.storage('test', 'b', n * 4);
    const rec = new Recorder(gpu);
    const read = async () => [Array.from(await readF32(gpu.device, a, 0, n)), Array.from(await readF32(gpu.device, b, 0, n))];
    // fill over a sub-range binding {buffer, offset, size}
    const fillRange = (binding: Binding, count: number, v: number) => rec.dispatch({ shader: 'fill', params: [count, f32(v)], bindings: [binding], workgroups: [1] });
    const run = async (va: number, vb: number) => {
      fill(rec, a, n, va);
      fill(rec, b, n, vb);
      fillRange({ buffer: a, offset: half * 4, size: half * 4 }, half, va + 0.5);
      rec.submit();
      return read();
    };
    const want = (va: number, vb: number) => [[...new Array(half).fill(va), ...new Array(half).fill(va + 0.5)], new Array(n).fill(vb)];
    expect(await run(1, 2)).toEqual(want(1, 2));
    expect(rec.bindGroupsCreated).toBe(3);
    // Same dispatches, other uniform values: every bind group comes from the cache, and the new values are used.
    expect(await run(3, 4)).toEqual(want(3, 4));
    expect(rec.bindGroupsCreated).toBe(3);
    expect(rec.bindGroupCache.hits).toBe(3);
    // One binding differs: b in place of a, then a's other half as the sub-range: one new bind group each.
    fill(rec, b, n, 5);
    rec.submit();
    expect(rec.bindGroupsCreated).toBe(4);
    fillRange({ buffer: a, offset: 0, size: half * 4 }, half, 6);
    rec.submit();
    expect(rec.bindGroupsCreated).toBe(5);
    expect(await read()).toEqual([[...new Array(half).fill(6), ...new Array(half).fill(3.5)], new Array(n).fill(5)]);
    // With the cache turned off every dispatch gets a fresh bind group.
    recorderPolicy.cacheBindGroups = false;
    try {
      expect(await run(7, 8)).toEqual(want(7, 8));
      expect(rec.bindGroupsCreated).toBe(8);
    } finally {
      recorderPolicy.cacheBindGroups = true;
    }
    rec.destroy();
    gpu.buffers.releasePool('test');
  });

  it('never returns a bind group over a released buffer, even when a new buffer takes its place', async () => {
    const gpu = await testGpu();
    const rec = new Recorder(gpu);
    const keep = gpu.buffers.storage('test', 'keep', 64);
    const old = gpu.buffers.storage('test-gone', 'old', 64);
    fill(rec, keep, 16, 2);
    fill(rec, old, 16, 1);
    rec.submit();
    expect(rec.bindGroupCache.size).toBe(2);
    gpu.buffers.releasePool('test-gone');
    // The next encode sweeps every entry holding the released buffer before looking anything up.
    fill(rec, keep, 16, 3);
    rec.submit();
    expect(rec.bindGroupCache.size).toBe(1);
    expect(rec.bindGroupCache.hits).toBe(1);
    // A buffer allocated after the release (same pool name, same size) is a new identity: a miss, and a bind group
    // over the new buffer (its contents prove the dispatch wrote there).
    const created = rec.bindGroupsCreated;
    const fresh = gpu.buffers.storage('test-gone', 'old', 64);
    fill(rec, fresh, 16, 9);
    rec.submit();
    expect(rec.bindGroupsCreated).toBe(created + 1);
    expect(Array.from(await readF32(gpu.device, fresh, 0, 16))).toEqual(new Array(16).fill(9));
    expect(Array.from(await readF32(gpu.device, keep, 0, 16))).toEqual(new Array(16).fill(3));
    rec.destroy();
    expect(rec.bindGroupCache.size).toBe(0);
    gpu.buffers.releasePool('test');
    gpu.buffers.releasePool('test-gone');
  });

  it('keeps every dispatch reading its own params when the uniform buffer grows between encodes', async () => {
    const gpu = await testGpu();
    const rec = new Recorder(gpu);
    const n = 100; // more than the first uniform buffer's 64 slots
    const bufs = Array.from({ length: n }, (_, i) => gpu.buffers.storage('test', `b${i}`, 16));
    fill(rec, bufs[0], 4, -1);
    rec.submit(); // a 64-slot uniform buffer, one cached bind group over it
    bufs.forEach((b, i) => fill(rec, b, 4, i));
    rec.submit(); // grows: the old buffer's bind group must not be used for slot 0
    const got = await Promise.all(bufs.map((b) => readF32(gpu.device, b, 0, 4)));
    expect(got.map((g) => g[0])).toEqual(bufs.map((_, i) => i));
    rec.destroy();
    gpu.buffers.releasePool('test');
  });
});
