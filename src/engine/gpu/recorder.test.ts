// The recorder encodes every dispatch into one compute pass unless timing (then one pass per dispatch), and a chain of
// dependent dispatches in that one pass still sees each earlier dispatch's writes.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { Recorder } from './recorder';
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
});
