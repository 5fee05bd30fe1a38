import { describe, it, expect, afterEach } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { dot, numericGrad, random64 } from '../../testing/finiteDiff';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { biasBackward } from './bias';
import { biasBackward as biasBackwardRef } from '../reference/bias';

// Tolerances: GPU vs reference rtol 1e-5, atol 1e-5 (column sums of ≤ 300 O(1) values);
// reference vs float64 central differences rtol 1e-6, atol 1e-8.
afterEach(async () => (await testGpu()).buffers.releasePool('test'));

describe('bias backward', () => {
  it('reference is the gradient of out = inp + bias (finite differences, float64)', () => {
    const N = 4, C = 3;
    const inp = random64(N * C, 1), bias = random64(C, 2), dout = random64(N * C, 3);
    const loss = () => {
      const out = new Float64Array(N * C);
      for (let i = 0; i < N * C; i++) out[i] = inp[i] + bias[i % C];
      return dot(out, dout);
    };
    const db = new Float64Array(C);
    biasBackwardRef(db, dout, N, C);
    expectClose(db, numericGrad(loss, bias), { rtol: 1e-6, atol: 1e-8 }, 'dbias');
  });

  for (const [N, C] of [[7, 37], [301, 5], [1, 577]]) {
    it(`GPU accumulates column sums like the reference, N=${N} C=${C}`, async () => {
      const gpu = await testGpu();
      const dout = randomArray(N * C, 20), db0 = randomArray(C, 21);
      const expected = db0.slice();
      biasBackwardRef(expected, dout, N, C);
      const gDb = gpu.buffers.fromData('test', 'db', db0), gDout = gpu.buffers.fromData('test', 'dout', dout);
      const rec = new Recorder(gpu);
      biasBackward(rec, gDb, gDout, N, C);
      rec.submit();
      expectClose(await readF32(gpu.device, gDb, 0, C), expected, { rtol: 1e-5, atol: 1e-5 }, 'dbias');
    });
  }

  it('rejects bad sizes', async () => {
    const gpu = await testGpu();
    const b = gpu.buffers.storage('test', 'small', 16);
    const rec = new Recorder(gpu);
    expect(() => biasBackward(rec, b, b, 0, 4)).toThrow(/N must be a positive integer/);
    expect(() => biasBackward(rec, b, b, 2, 4)).toThrow(/dout holds 4 f32 but needs 8/);
  });
});
