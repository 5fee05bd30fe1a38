import { describe, it, expect } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { fill } from './fill';
import { fill as fillRef } from '../reference/fill';
import { grid1d } from './grid';

describe('fill', () => {
  it('writes the value to the first n elements and leaves the rest', async () => {
    const gpu = await testGpu();
    for (const n of [1, 255, 257, 1000]) {
      const init = new Float32Array(n + 3).fill(7);
      const buf = gpu.buffers.fromData('test', 'fill', init);
      const rec = new Recorder(gpu);
      fill(rec, buf, n, -1.5);
      rec.submit();
      const expected = init.slice();
      fillRef(expected, n, -1.5);
      expect(Array.from(await readF32(gpu.device, buf))).toEqual(Array.from(expected));
      gpu.buffers.release(buf);
    }
  });

  it('spills large 1D grids into y', () => {
    expect(grid1d(100, 256)).toEqual([1, 1]);
    const [x, y] = grid1d(256 * 70000, 256);
    expect(x).toBeLessThanOrEqual(65535);
    expect(x * y).toBeGreaterThanOrEqual(70000);
  });
});
