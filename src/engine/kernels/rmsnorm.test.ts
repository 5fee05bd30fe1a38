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
  for (const weightOffset of [0, 1, -0.5]) {
    it(`backward matches central finite differences of the forward (float64), weightOffset ${weightOffset}`, () => {
      const N = 3, C = 5;
      const inp = random64(N * C, 1), w = random64(C, 2), dout = random64(N * C, 3);
      const out = new Float64Array(N * C), rstd = new Float64Array(N);
      const loss = () => (ref.rmsnormForward(out, rstd, inp, w, N, C, EPS, { weightOffset }), dot(out, dout));
      loss();
      const dinp = new Float64Array(N * C), dw = new Float64Array(C);
      ref.rmsnormBackward(dinp, dw, dout, inp, w, rstd, N, C, { weightOffset });
      expectClose(dinp, numericGrad(loss, inp), FD, 'dinp');
      expectClose(dw, numericGrad(loss, w), FD, 'dweight');
    });
  }

  it('weightOffset 1 with weight w equals weightOffset 0 with weight 1 + w (Gemma)', () => {
    const N = 2, C = 6;
    const inp = random64(N * C, 4), w = random64(C, 5), dout = random64(N * C, 6);
    const w1 = w.map((v) => 1 + v);
    const [outA, outB, rA, rB] = [new Float64Array(N * C), new Float64Array(N * C), new Float64Array(N), new Float64Array(N)];
    ref.rmsnormForward(outA, rA, inp, w, N, C, EPS, { weightOffset: 1 });
    ref.rmsnormForward(outB, rB, inp, w1, N, C, EPS);
    expectClose(outA, outB, { rtol: 1e-14, atol: 1e-14 }, 'out');
    const [dA, dB, dwA, dwB] = [new Float64Array(N * C), new Float64Array(N * C), new Float64Array(C), new Float64Array(C)];
    ref.rmsnormBackward(dA, dwA, dout, inp, w, rA, N, C, { weightOffset: 1 });
    ref.rmsnormBackward(dB, dwB, dout, inp, w1, rB, N, C);
    expectClose(dA, dB, { rtol: 1e-14, atol: 1e-14 }, 'dinp');
    expectClose(dwA, dwB, { rtol: 1e-14, atol: 1e-14 }, 'dweight');
  });
});

/** Forward, backward (write, with dweight) and backward (accumulate, no dweight) on the GPU vs the reference. */
async function gpuVsReference(kind: (typeof ADAPTER_KINDS)[number], N: number, C: number, weightOffset: number | undefined, seed: number) {
  const gpu = await testGpuAs(kind);
  const up = (a: Float32Array) => gpu.buffers.fromData('test', 'x', a);
  const read = (b: GPUBuffer, n: number) => readF32(gpu.device, b, 0, n);
  const inp = randomArray(N * C, seed, 2), w = randomArray(C, seed + 1), dout = randomArray(N * C, seed + 2);
  const dinp0 = randomArray(N * C, seed + 3), dw0 = randomArray(C, seed + 4);
  const o = weightOffset === undefined ? {} : { weightOffset };

  const out = new Float32Array(N * C), rstd = new Float32Array(N);
  ref.rmsnormForward(out, rstd, inp, w, N, C, EPS, o);
  const dinpW = dinp0.slice(), dinpA = dinp0.slice(), dw = dw0.slice();
  ref.rmsnormBackward(dinpW, dw, dout, inp, w, rstd, N, C, o);
  ref.rmsnormBackward(dinpA, null, dout, inp, w, rstd, N, C, { ...o, accumulate: true });

  const gOut = up(new Float32Array(N * C)), gRstd = up(new Float32Array(N)), gInp = up(inp), gW = up(w), gDout = up(dout);
  const gDinpW = up(dinp0), gDinpA = up(dinp0), gDw = up(dw0);
  const rec = new Recorder(gpu);
  if (weightOffset === undefined) {
    rmsnormForward(rec, gOut, gRstd, gInp, gW, N, C, EPS);
    rmsnormBackward(rec, gDinpW, gDw, gDout, gInp, gW, gRstd, N, C);
  } else {
    rmsnormForward(rec, gOut, gRstd, gInp, gW, N, C, EPS, o);
    rmsnormBackward(rec, gDinpW, gDw, gDout, gInp, gW, gRstd, N, C, o);
  }
  const before = rec.count;
  rmsnormBackward(rec, gDinpA, null, gDout, gInp, gW, gRstd, N, C, { ...o, accumulate: true });
  expect(rec.count - before, 'null dweight records only the dinp dispatch').toBe(1);
  rec.submit();

  expectClose(await read(gOut, N * C), out, TOL, 'out');
  expectClose(await read(gRstd, N), rstd, TOL, 'rstd');
  expectClose(await read(gDinpW, N * C), dinpW, TOL, 'dinp (write)');
  expectClose(await read(gDinpA, N * C), dinpA, TOL, 'dinp (accumulate)');
  expectClose(await read(gDw, C), dw, TOL, 'dweight (+=)');
  return { inp, w, out: await read(gOut, N * C) };
}

describe('rmsnorm GPU vs reference', () => {
  // [N, C, weightOffset] (undefined: the option left out, i.e. the Llama form)
  const cases: [number, number, number | undefined][] = [[7, 37, undefined], [5, 577, undefined], [3, 1, undefined], [7, 37, 1], [5, 577, 1], [4, 9, -0.25]];
  for (const [N, C, weightOffset] of cases) for (const kind of ADAPTER_KINDS) {
    it(`forward and backward, N=${N} C=${C} weightOffset ${weightOffset ?? 'default'}, ${kind} reduction width`, async () => {
      await gpuVsReference(kind, N, C, weightOffset, 10);
    });
  }

  // Per-head q/k norms (Qwen3, Gemma 3, OLMo 2-style): q (N, nHeads·headDim) normalised head by head with one
  // (headDim) weight is the same kernel over N·nHeads rows of width headDim.
  for (const headDim of [8, 16, 64, 256]) for (const weightOffset of [0, 1]) for (const kind of ADAPTER_KINDS) {
    it(`per-head norm: N=5, 3 heads of headDim ${headDim}, weightOffset ${weightOffset}, ${kind} reduction width`, async () => {
      const N = 5, H = 3;
      const { inp, w, out } = await gpuVsReference(kind, N * H, headDim, weightOffset, 40 + headDim);
      // The (N·H, headDim) view is head-by-head normalisation of the (N, H·headDim) tensor.
      const want = new Float32Array(N * H * headDim);
      for (let n = 0; n < N; n++)
        for (let h = 0; h < H; h++) {
          const at = (n * H + h) * headDim;
          const head = inp.subarray(at, at + headDim), y = new Float32Array(headDim);
          ref.rmsnormForward(y, new Float32Array(1), head, w, 1, headDim, EPS, { weightOffset });
          want.set(y, at);
        }
      expectClose(out, want, TOL, 'per-head out');
    });
  }

  it('rejects bad sizes with a clear error', async () => {
    const gpu = await testGpu();
    const b = gpu.buffers.storage('test', 'small', 16);
    const rec = new Recorder(gpu);
    expect(() => rmsnormForward(rec, b, b, b, b, 0, 4, EPS)).toThrow(/N must be a positive integer/);
    expect(() => rmsnormForward(rec, b, b, b, b, 2, 4, EPS)).toThrow(/out holds 4 f32 but needs 8/);
    expect(() => rmsnormBackward(rec, b, b, b, b, b, b, 1, 4.5)).toThrow(/C must be a positive integer/);
    expect(() => rmsnormForward(rec, b, b, b, b, 1, 4, EPS, { weightOffset: NaN })).toThrow(/weightOffset must be a finite number, got NaN/);
    expect(() => rmsnormBackward(rec, b, b, b, b, b, b, 1, 4, { weightOffset: Infinity })).toThrow(/rmsnorm: weightOffset must be a finite number/);
    expect(rec.count).toBe(0);
  });
});
