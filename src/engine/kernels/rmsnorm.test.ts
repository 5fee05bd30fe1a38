import { describe, it, expect, afterEach } from 'vitest';
import { ADAPTER_KINDS, testGpu, testGpuAs } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { dot, numericGrad, random64 } from '../../testing/finiteDiff';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { rmsnormForward, rmsnormBackward } from './rmsnorm';
import * as ref from '../reference/rmsnorm';

// Tolerances: GPU f32 vs the reference (f32 storage, float64 intermediates): rtol 1e-4, atol 1e-5 on O(1) values.
// Reference backward vs float64 central differences: rtol 1e-6, atol 1e-8.
const TOL = { rtol: 1e-4, atol: 1e-5 };
const FD = { rtol: 1e-6, atol: 1e-8 };
const EPS = 1e-5;

afterEach(async () => (await testGpu()).buffers.releasePool('test'));

describe('rmsnorm reference', () => {
  it('backward matches central finite differences of the forward (float64)', () => {
    const N = 3, C = 5;
    const inp = random64(N * C, 1), w = random64(C, 2), dout = random64(N * C, 3);
    const out = new Float64Array(N * C), rstd = new Float64Array(N);
    const loss = () => (ref.rmsnormForward(out, rstd, inp, w, N, C, EPS), dot(out, dout));
    loss();
    const dinp = new Float64Array(N * C), dw = new Float64Array(C);
    ref.rmsnormBackward(dinp, dw, dout, inp, w, rstd, N, C);
    expectClose(dinp, numericGrad(loss, inp), FD, 'dinp');
    expectClose(dw, numericGrad(loss, w), FD, 'dweight');
  });
});

describe('rmsnorm GPU vs reference', () => {
  for (const [N, C] of [[7, 37], [5, 577], [3, 1]]) for (const kind of ADAPTER_KINDS) {
    it(`forward and backward, N=${N} C=${C}, ${kind} reduction width`, async () => {
      const gpu = await testGpuAs(kind);
      const up = (a: Float32Array) => gpu.buffers.fromData('test', 'x', a);
      const read = (b: GPUBuffer, n: number) => readF32(gpu.device, b, 0, n);
      const inp = randomArray(N * C, 10, 2), w = randomArray(C, 11), dout = randomArray(N * C, 12);
      const dinp0 = randomArray(N * C, 13), dw0 = randomArray(C, 14);

      const out = new Float32Array(N * C), rstd = new Float32Array(N);
      ref.rmsnormForward(out, rstd, inp, w, N, C, EPS);
      const dinpW = dinp0.slice(), dinpA = dinp0.slice(), dw = dw0.slice();
      ref.rmsnormBackward(dinpW, dw, dout, inp, w, rstd, N, C);
      ref.rmsnormBackward(dinpA, null, dout, inp, w, rstd, N, C, { accumulate: true });

      const gOut = up(new Float32Array(N * C)), gRstd = up(new Float32Array(N)), gInp = up(inp), gW = up(w), gDout = up(dout);
      const gDinpW = up(dinp0), gDinpA = up(dinp0), gDw = up(dw0);
      const rec = new Recorder(gpu);
      rmsnormForward(rec, gOut, gRstd, gInp, gW, N, C, EPS);
      rmsnormBackward(rec, gDinpW, gDw, gDout, gInp, gW, gRstd, N, C);
      const before = rec.count;
      rmsnormBackward(rec, gDinpA, null, gDout, gInp, gW, gRstd, N, C, { accumulate: true });
      expect(rec.count - before, 'null dweight records only the dinp dispatch').toBe(1);
      rec.submit();

      expectClose(await read(gOut, N * C), out, TOL, 'out');
      expectClose(await read(gRstd, N), rstd, TOL, 'rstd');
      expectClose(await read(gDinpW, N * C), dinpW, TOL, 'dinp (write)');
      expectClose(await read(gDinpA, N * C), dinpA, TOL, 'dinp (accumulate)');
      expectClose(await read(gDw, C), dw, TOL, 'dweight (+=)');
    });
  }

  it('rejects bad sizes with a clear error', async () => {
    const gpu = await testGpu();
    const b = gpu.buffers.storage('test', 'small', 16);
    const rec = new Recorder(gpu);
    expect(() => rmsnormForward(rec, b, b, b, b, 0, 4, EPS)).toThrow(/N must be a positive integer/);
    expect(() => rmsnormForward(rec, b, b, b, b, 2, 4, EPS)).toThrow(/out holds 4 f32 but needs 8/);
    expect(() => rmsnormBackward(rec, b, b, b, b, b, b, 1, 4.5)).toThrow(/C must be a positive integer/);
    expect(rec.count).toBe(0);
  });
});
