import { describe, it, expect, afterEach } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { dot, numericGrad, random64 } from '../../testing/finiteDiff';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { geluForward, geluBackward } from './gelu';
import * as ref from '../reference/gelu';

// Tolerances: GPU vs reference rtol 1e-5, atol 1e-6 (elementwise; the GPU's own tanh is exact to ~1 ulp of 1);
// reference vs float64 central differences rtol 1e-6, atol 1e-8.
const TOL = { rtol: 1e-5, atol: 1e-6 };
const EXTREMES = [0, 1e-4, -1e-4, 5, -5, 12, -12, 50, -50, 1e4, -1e4];

afterEach(async () => (await testGpu()).buffers.releasePool('test'));

describe('gelu (tanh approximation)', () => {
  it('reference matches known values of gelu_new', () => {
    const x = new Float64Array([0, 1, -1, 3]), out = new Float64Array(4);
    ref.geluForward(out, x, 4);
    // torch.nn.functional.gelu(x, approximate='tanh') at 0, 1, −1, 3, to 7 significant digits
    expectClose(out, [0, 0.841192, -0.158808, 2.996363], { rtol: 1e-6, atol: 0 });
  });

  it('reference backward matches finite differences (float64)', () => {
    const N = 16;
    const x = random64(N, 1, 4), dout = random64(N, 2);
    const out = new Float64Array(N);
    const loss = () => (ref.geluForward(out, x, N), dot(out, dout));
    const dx = new Float64Array(N);
    ref.geluBackward(dx, dout, x, N);
    expectClose(dx, numericGrad(loss, x), { rtol: 1e-6, atol: 1e-8 }, 'dinp');
  });

  it('GPU forward/backward match the reference (write and accumulate), no NaN at extremes', async () => {
    const gpu = await testGpu();
    const N = 1001;
    const x = randomArray(N, 10, 4), dout = randomArray(N, 11), d0 = randomArray(N, 12);
    x.set(EXTREMES, 0);
    const out = new Float32Array(N), dW = new Float32Array(N), dA = d0.slice();
    ref.geluForward(out, x, N);
    ref.geluBackward(dW, dout, x, N);
    ref.geluBackward(dA, dout, x, N, { accumulate: true });

    const up = (a: Float32Array) => gpu.buffers.fromData('test', 'x', a);
    const gOut = up(new Float32Array(N)), gX = up(x), gDout = up(dout), gDW = up(d0), gDA = up(d0);
    const rec = new Recorder(gpu);
    geluForward(rec, gOut, gX, N);
    geluBackward(rec, gDW, gDout, gX, N);
    geluBackward(rec, gDA, gDout, gX, N, { accumulate: true });
    rec.submit();
    const read = (b: GPUBuffer) => readF32(gpu.device, b, 0, N);
    expectClose(await read(gOut), out, TOL, 'out');
    expectClose(await read(gDW), dW, TOL, 'dinp (write)');
    expectClose(await read(gDA), dA, TOL, 'dinp (accumulate)');
  });

  it('rejects bad sizes', async () => {
    const gpu = await testGpu();
    const b = gpu.buffers.storage('test', 'small', 16);
    const rec = new Recorder(gpu);
    expect(() => geluForward(rec, b, b, 2.5)).toThrow(/N must be a positive integer/);
    expect(() => geluBackward(rec, b, b, b, 9)).toThrow(/dinp holds 4 f32 but needs 9/);
  });
});
