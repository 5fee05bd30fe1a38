import { describe, it, expect, afterEach } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { dot, numericGrad, random64 } from '../../testing/finiteDiff';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { addForward, accumulate, scaleInplace, copy } from './residual';
import * as ref from '../reference/residual';

// Tolerance: one f32 add/multiply per element; GPU vs reference rtol 1e-6, atol 1e-7 (copy and add are exact).
const TOL = { rtol: 1e-6, atol: 1e-7 };

afterEach(async () => (await testGpu()).buffers.releasePool('test'));

describe('residual helpers', () => {
  it('reference: the gradient of out = a + b is dout for both inputs (what copy/accumulate propagate)', () => {
    const N = 5;
    const a = random64(N, 1), b = random64(N, 2), dout = random64(N, 3);
    const loss = () => {
      const out = new Float64Array(N);
      ref.addForward(out, a, b, N);
      return dot(out, dout);
    };
    expectClose(numericGrad(loss, a), dout, { rtol: 1e-6, atol: 1e-8 }, 'da');
    expectClose(numericGrad(loss, b), dout, { rtol: 1e-6, atol: 1e-8 }, 'db');
  });

  it('GPU add / accumulate / scale / copy match the reference on the first N elements only', async () => {
    const gpu = await testGpu();
    const N = 1001, M = N + 5; // buffers longer than N: the tail must stay untouched
    const a = randomArray(M, 10), b = randomArray(M, 11), d = randomArray(M, 12), x = randomArray(M, 13), c = randomArray(M, 14);
    const up = (v: Float32Array) => gpu.buffers.fromData('test', 'x', v);
    const gOut = up(c), gA = up(a), gB = up(b), gD = up(d), gD1 = up(d), gX = up(x), gC = up(c);
    const rec = new Recorder(gpu);
    addForward(rec, gOut, gA, gB, N);
    accumulate(rec, gD, gA, N, -0.37);
    accumulate(rec, gD1, gA, N);
    scaleInplace(rec, gX, N, 1.25);
    copy(rec, gC, gB, N);
    rec.submit();

    const out = c.slice(), dd = d.slice(), dd1 = d.slice(), xx = x.slice(), cc = c.slice();
    ref.addForward(out, a, b, N);
    ref.accumulate(dd, a, N, Math.fround(-0.37));
    ref.accumulate(dd1, a, N);
    ref.scaleInplace(xx, N, 1.25);
    ref.copy(cc, b, N);
    const read = (g: GPUBuffer) => readF32(gpu.device, g, 0, M);
    expect(Array.from(await read(gOut)), 'add is exact').toEqual(Array.from(out));
    expectClose(await read(gD), dd, TOL, 'accumulate alpha=-0.37');
    expectClose(await read(gD1), dd1, TOL, 'accumulate alpha=1');
    expectClose(await read(gX), xx, TOL, 'scaleInplace');
    expect(Array.from(await read(gC)), 'copy is exact').toEqual(Array.from(cc));
  });

  it('rejects bad sizes and a buffer bound twice', async () => {
    const gpu = await testGpu();
    const s = gpu.buffers.storage('test', 'small', 16), t = gpu.buffers.storage('test', 't', 16);
    const rec = new Recorder(gpu);
    expect(() => addForward(rec, s, t, t, 0)).toThrow(/N must be a positive integer/);
    expect(() => copy(rec, s, t, 5)).toThrow(/dst holds 4 f32 but needs 5/);
    expect(() => accumulate(rec, s, s, 4)).toThrow(/same buffer/);
    expect(() => addForward(rec, s, s, t, 4)).toThrow(/same buffer/);
    expect(() => scaleInplace(rec, s, 4, NaN)).toThrow(/alpha must be finite/);
    expect(rec.count).toBe(0);
  });
});
