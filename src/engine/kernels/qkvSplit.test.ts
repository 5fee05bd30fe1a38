import { describe, it, expect } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { randomArray } from '../../testing/compare';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { qkvSplitForward, qkvSplitBackward } from './qkvSplit';
import * as ref from '../reference/qkvSplit';

describe('qkvSplit', () => {
  it('split and concat match the CPU reference exactly', async () => {
    const gpu = await testGpu();
    const N = 7, C = 37;
    const qkv = randomArray(N * 3 * C, 1);
    const g = (name: string, n: number) => gpu.buffers.storage('test', name, n * 4);
    const [q, k, v, back] = [g('q', N * C), g('k', N * C), g('v', N * C), g('back', N * 3 * C)];
    const src = gpu.buffers.fromData('test', 'qkv', qkv);
    const rec = new Recorder(gpu);
    qkvSplitForward(rec, q, k, v, src, N, C);
    qkvSplitBackward(rec, back, q, k, v, N, C);
    rec.submit();
    const [rq, rk, rv] = [new Float32Array(N * C), new Float32Array(N * C), new Float32Array(N * C)];
    ref.qkvSplitForward(rq, rk, rv, qkv, N, C);
    expect(Array.from(await readF32(gpu.device, k))).toEqual(Array.from(rk));
    expect(Array.from(await readF32(gpu.device, v))).toEqual(Array.from(rv));
    expect(Array.from(await readF32(gpu.device, q))).toEqual(Array.from(rq));
    const rback = new Float32Array(N * 3 * C);
    ref.qkvSplitBackward(rback, rq, rk, rv, N, C);
    expect(Array.from(rback)).toEqual(Array.from(qkv)); // the reference pair is an exact round trip
    expect(Array.from(await readF32(gpu.device, back))).toEqual(Array.from(rback));
    gpu.buffers.releasePool('test');
  });
});
