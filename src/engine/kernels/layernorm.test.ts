import { describe, it, expect, afterEach } from 'vitest';
import { ADAPTER_KINDS, testGpu, testGpuAs } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { dot, numericGrad, random64 } from '../../testing/finiteDiff';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { layernormForward, layernormBackward } from './layernorm';
import * as ref from '../reference/layernorm';

// Tolerances: GPU vs reference rtol 1e-4, atol 1e-5 (inputs O(1), offset by +3 so the mean matters; the gradients
// sum over ≤ 577 terms). Reference backward vs float64 central differences: rtol 1e-6, atol 1e-8.
const TOL = { rtol: 1e-4, atol: 1e-5 };
const FD = { rtol: 1e-6, atol: 1e-8 };
const EPS = 1e-5;

afterEach(async () => (await testGpu()).buffers.releasePool('test'));

const offset = (a: Float32Array, by: number) => a.map((v) => v + by);

describe('layernorm reference', () => {
  it('backward matches central finite differences of the forward (float64)', () => {
    const N = 3, C = 6;
    const inp = random64(N * C, 1).map((v) => v + 0.5), w = random64(C, 2), b = random64(C, 3), dout = random64(N * C, 4);
    const out = new Float64Array(N * C), mean = new Float64Array(N), rstd = new Float64Array(N);
    const loss = () => (ref.layernormForward(out, mean, rstd, inp, w, b, N, C, EPS), dot(out, dout));
    loss();
    const dinp = new Float64Array(N * C), dw = new Float64Array(C), db = new Float64Array(C);
    ref.layernormBackward(dinp, dw, db, dout, inp, w, mean, rstd, N, C);
    expectClose(dinp, numericGrad(loss, inp), FD, 'dinp');
    expectClose(dw, numericGrad(loss, w), FD, 'dweight');
    expectClose(db, numericGrad(loss, b), FD, 'dbias');
  });
});

describe('layernorm GPU vs reference', () => {
  for (const [N, C] of [[7, 37], [5, 577], [2, 1]]) for (const kind of ADAPTER_KINDS) {
    it(`forward and backward, N=${N} C=${C}, ${kind} reduction width`, async () => {
      const gpu = await testGpuAs(kind);
      const up = (a: Float32Array) => gpu.buffers.fromData('test', 'x', a);
      const read = (b: GPUBuffer, n: number) => readF32(gpu.device, b, 0, n);
      const inp = offset(randomArray(N * C, 10, 2), 3), w = randomArray(C, 11), b = randomArray(C, 12);
      const dout = randomArray(N * C, 13), dinp0 = randomArray(N * C, 14), dw0 = randomArray(C, 15), db0 = randomArray(C, 16);

      const out = new Float32Array(N * C), mean = new Float32Array(N), rstd = new Float32Array(N);
      ref.layernormForward(out, mean, rstd, inp, w, b, N, C, EPS);
      const dinpW = dinp0.slice(), dinpA = dinp0.slice(), dw = dw0.slice(), db = db0.slice();
      const dwOnly = dw0.slice(), dbOnly = db0.slice();
      ref.layernormBackward(dinpW, dw, db, dout, inp, w, mean, rstd, N, C);
      ref.layernormBackward(dinpA, null, null, dout, inp, w, mean, rstd, N, C, { accumulate: true });
      ref.layernormBackward(new Float32Array(N * C), dwOnly, null, dout, inp, w, mean, rstd, N, C);
      ref.layernormBackward(new Float32Array(N * C), null, dbOnly, dout, inp, w, mean, rstd, N, C);

      const gOut = up(new Float32Array(N * C)), gMean = up(new Float32Array(N)), gRstd = up(new Float32Array(N));
      const gInp = up(inp), gW = up(w), gB = up(b), gDout = up(dout);
      const gDinpW = up(dinp0), gDinpA = up(dinp0), gDw = up(dw0), gDb = up(db0), gDwOnly = up(dw0), gDbOnly = up(db0);
      const scratch = up(new Float32Array(N * C));
      const rec = new Recorder(gpu);
      layernormForward(rec, gOut, gMean, gRstd, gInp, gW, gB, N, C, EPS);
      layernormBackward(rec, gDinpW, gDw, gDb, gDout, gInp, gW, gMean, gRstd, N, C);
      let before = rec.count;
      layernormBackward(rec, gDinpA, null, null, gDout, gInp, gW, gMean, gRstd, N, C, { accumulate: true });
      expect(rec.count - before, 'both grads null: only the dinp dispatch').toBe(1);
      layernormBackward(rec, scratch, gDwOnly, null, gDout, gInp, gW, gMean, gRstd, N, C);
      before = rec.count;
      layernormBackward(rec, scratch, null, gDbOnly, gDout, gInp, gW, gMean, gRstd, N, C);
      expect(rec.count - before, 'dbias only: dinp + bias dispatches').toBe(2);
      rec.submit();

      expectClose(await read(gOut, N * C), out, TOL, 'out');
      expectClose(await read(gMean, N), mean, TOL, 'mean');
      expectClose(await read(gRstd, N), rstd, TOL, 'rstd');
      expectClose(await read(gDinpW, N * C), dinpW, TOL, 'dinp (write)');
      expectClose(await read(gDinpA, N * C), dinpA, TOL, 'dinp (accumulate)');
      expectClose(await read(gDw, C), dw, TOL, 'dweight (+=)');
      expectClose(await read(gDb, C), db, TOL, 'dbias (+=)');
      expectClose(await read(gDwOnly, C), dwOnly, TOL, 'dweight alone');
      expectClose(await read(gDbOnly, C), dbOnly, TOL, 'dbias alone');
    });
  }

  it('rejects bad sizes with a clear error', async () => {
    const gpu = await testGpu();
    const b = gpu.buffers.storage('test', 'small', 16);
    const rec = new Recorder(gpu);
    expect(() => layernormForward(rec, b, b, b, b, b, b, 2, -1, EPS)).toThrow(/C must be a positive integer/);
    expect(() => layernormForward(rec, b, b, b, b, b, b, 1, 8, EPS)).toThrow(/out holds 4 f32 but needs 8/);
    expect(() => layernormBackward(rec, b, b, null, b, b, b, b, b, 1, 5)).toThrow(/dinp holds 4 f32 but needs 5/);
    expect(rec.count).toBe(0);
  });
});
