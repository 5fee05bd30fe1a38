import { describe, it, expect } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { randomArray } from '../../testing/compare';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { kvAppend } from './kvAppend';
import { kvAppend as ref } from '../reference/kvAppend';

describe('kvAppend', () => {
  it('copies at a float offset that is not 256-byte aligned and leaves the rest', async () => {
    const gpu = await testGpu();
    const cache = randomArray(100, 1), src = randomArray(13, 2);
    const c = gpu.buffers.fromData('test', 'cache', cache), s = gpu.buffers.fromData('test', 'src', src);
    const rec = new Recorder(gpu);
    kvAppend(rec, c, s, 37, 13);
    rec.submit();
    ref(cache, src, 37, 13);
    expect(Array.from(await readF32(gpu.device, c))).toEqual(Array.from(cache));
    expect(() => kvAppend(rec, c, s, 95, 13)).toThrow(/overflow/);
    gpu.buffers.releasePool('test');
  });
});
