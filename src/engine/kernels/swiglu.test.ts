import { describe, it, expect, afterEach } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { dot, numericGrad, random64 } from '../../testing/finiteDiff';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { swigluForward, swigluBackward } from './swiglu';
import * as ref from '../reference/swiglu';

// Tolerances: GPU vs reference rtol 1e-5, atol 1e-6 (elementwise, one exp each); reference vs float64 central
// differences rtol 1e-6, atol 1e-8.
const TOL = { rtol: 1e-5, atol: 1e-6 };
const EXTREMES = [0, -0, 1e-3, -1e-3, 20, -20, 100, -100, 1000, -1000];

afterEach(async () => (await testGpu()).buffers.releasePool('test'));

describe('swiglu', () => {
  it('reference backward matches finite differences (float64), including large |gate|', () => {
    const N = 16;
    const gate = random64(N, 1, 4), up = random64(N, 2), dout = random64(N, 3);
    gate.set([30, -30, 0], 0);
    const out = new Float64Array(N);
    const loss = () => (ref.swigluForward(out, gate, up, N), dot(out, dout));
    const dgate = new Float64Array(N), dup = new Float64Array(N);
    ref.swigluBackward(dgate, dup, dout, gate, up, N);
    expectClose(dgate, numericGrad(loss, gate), { rtol: 1e-6, atol: 1e-8 }, 'dgate');
    expectClose(dup, numericGrad(loss, up), { rtol: 1e-6, atol: 1e-8 }, 'dup');
  });

  it('GPU forward/backward match the reference (write and accumulate), no NaN at extremes', async () => {
    const gpu = await testGpu();
    const N = 1001;
    const gate = randomArray(N, 10, 6), up = randomArray(N, 11), dout = randomArray(N, 12);
    gate.set(EXTREMES, 0);
    const dg0 = randomArray(N, 13), du0 = randomArray(N, 14);
    const out = new Float32Array(N);
    ref.swigluForward(out, gate, up, N);
    const dgW = new Float32Array(N), duW = new Float32Array(N), dgA = dg0.slice(), duA = du0.slice();
    ref.swigluBackward(dgW, duW, dout, gate, up, N);
    ref.swigluBackward(dgA, duA, dout, gate, up, N, { accumulate: true });

    const up_ = (a: Float32Array) => gpu.buffers.fromData('test', 'x', a);
    const gOut = up_(new Float32Array(N)), gGate = up_(gate), gUp = up_(up), gDout = up_(dout);
    const gDgW = up_(dg0), gDuW = up_(du0), gDgA = up_(dg0), gDuA = up_(du0);
    const rec = new Recorder(gpu);
    swigluForward(rec, gOut, gGate, gUp, N);
    swigluBackward(rec, gDgW, gDuW, gDout, gGate, gUp, N);
    swigluBackward(rec, gDgA, gDuA, gDout, gGate, gUp, N, { accumulate: true });
    rec.submit();
    const read = (b: GPUBuffer) => readF32(gpu.device, b, 0, N);
    expectClose(await read(gOut), out, TOL, 'out');
    expectClose(await read(gDgW), dgW, TOL, 'dgate (write)');
    expectClose(await read(gDuW), duW, TOL, 'dup (write)');
    expectClose(await read(gDgA), dgA, TOL, 'dgate (accumulate)');
    expectClose(await read(gDuA), duA, TOL, 'dup (accumulate)');
  });

  it('rejects bad sizes', async () => {
    const gpu = await testGpu();
    const b = gpu.buffers.storage('test', 'small', 16);
    const rec = new Recorder(gpu);
    expect(() => swigluForward(rec, b, b, b, 5)).toThrow(/out holds 4 f32 but needs 5/);
    expect(() => swigluBackward(rec, b, b, b, b, b, 0)).toThrow(/N must be a positive integer/);
  });
});
