import { describe, it, expect, afterEach } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { dot, numericGrad, random64 } from '../../testing/finiteDiff';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { swigluForward, swigluBackward, swigluForwardFused, swigluBackwardFused, type GatedActivation } from './swiglu';
import * as ref from '../reference/swiglu';
import * as gelu from '../reference/gelu';

// Tolerances: GPU vs reference rtol 1e-5, atol 1e-6 (elementwise, one exp each); reference vs float64 central
// differences rtol 1e-6, atol 1e-8.
const TOL = { rtol: 1e-5, atol: 1e-6 };
const EXTREMES = [0, -0, 1e-3, -1e-3, 20, -20, 100, -100, 1000, -1000];
const ACTIVATIONS: (GatedActivation | undefined)[] = [undefined, 'silu', 'gelu_tanh'];

afterEach(async () => (await testGpu()).buffers.releasePool('test'));

describe('swiglu / geglu reference', () => {
  for (const activation of ACTIVATIONS) {
    it(`backward matches finite differences (float64), including large |gate|, activation ${activation ?? 'default'}`, () => {
      const N = 16;
      const gate = random64(N, 1, 4), up = random64(N, 2), dout = random64(N, 3);
      gate.set([30, -30, 0], 0);
      const out = new Float64Array(N);
      const loss = () => (ref.swigluForward(out, gate, up, N, { activation }), dot(out, dout));
      const dgate = new Float64Array(N), dup = new Float64Array(N);
      ref.swigluBackward(dgate, dup, dout, gate, up, N, { activation });
      expectClose(dgate, numericGrad(loss, gate), { rtol: 1e-6, atol: 1e-8 }, 'dgate');
      expectClose(dup, numericGrad(loss, up), { rtol: 1e-6, atol: 1e-8 }, 'dup');
    });
  }

  it('gelu_tanh is reference/gelu.ts times up, and its gradient is gelu.ts backward (same formula as gelu_*.wgsl)', () => {
    const N = 32;
    const gate = random64(N, 4, 6), up = random64(N, 5), dout = random64(N, 6);
    const out = new Float64Array(N), g = new Float64Array(N);
    ref.swigluForward(out, gate, up, N, { activation: 'gelu_tanh' });
    gelu.geluForward(g, gate, N);
    expectClose(out, g.map((v, i) => v * up[i]), { rtol: 1e-15, atol: 1e-15 }, 'out');
    const dgate = new Float64Array(N), dup = new Float64Array(N), dg = new Float64Array(N);
    ref.swigluBackward(dgate, dup, dout, gate, up, N, { activation: 'gelu_tanh' });
    gelu.geluBackward(dg, dout.map((v, i) => v * up[i]), gate, N);
    expectClose(dgate, dg, { rtol: 1e-14, atol: 1e-15 }, 'dgate');
    expectClose(dup, g.map((v, i) => v * dout[i]), { rtol: 1e-15, atol: 1e-15 }, 'dup');
  });

  it('gelu_tanh matches torch gelu(approximate="tanh") at known points (up = 1)', () => {
    const gate = new Float64Array([0, 1, -1, 3]), out = new Float64Array(4);
    ref.swigluForward(out, gate, new Float64Array([1, 1, 1, 1]), 4, { activation: 'gelu_tanh' });
    expectClose(out, [0, 0.841192, -0.158808, 2.996363], { rtol: 1e-6, atol: 0 });
  });
});

describe('swiglu / geglu GPU vs reference', () => {
  for (const activation of ACTIVATIONS) {
    it(`forward/backward match the reference (write and accumulate), no NaN at extremes, activation ${activation ?? 'default'}`, async () => {
      const gpu = await testGpu();
      const N = 1001;
      const gate = randomArray(N, 10, 6), up = randomArray(N, 11), dout = randomArray(N, 12);
      gate.set(EXTREMES, 0);
      const dg0 = randomArray(N, 13), du0 = randomArray(N, 14);
      const out = new Float32Array(N);
      ref.swigluForward(out, gate, up, N, { activation });
      const dgW = new Float32Array(N), duW = new Float32Array(N), dgA = dg0.slice(), duA = du0.slice();
      ref.swigluBackward(dgW, duW, dout, gate, up, N, { activation });
      ref.swigluBackward(dgA, duA, dout, gate, up, N, { activation, accumulate: true });

      const up_ = (a: Float32Array) => gpu.buffers.fromData('test', 'x', a);
      const gOut = up_(new Float32Array(N)), gGate = up_(gate), gUp = up_(up), gDout = up_(dout);
      const gDgW = up_(dg0), gDuW = up_(du0), gDgA = up_(dg0), gDuA = up_(du0);
      const rec = new Recorder(gpu);
      if (activation === undefined) {
        swigluForward(rec, gOut, gGate, gUp, N);
        swigluBackward(rec, gDgW, gDuW, gDout, gGate, gUp, N);
      } else {
        swigluForward(rec, gOut, gGate, gUp, N, { activation });
        swigluBackward(rec, gDgW, gDuW, gDout, gGate, gUp, N, { activation });
      }
      swigluBackward(rec, gDgA, gDuA, gDout, gGate, gUp, N, { activation, accumulate: true });
      expect(rec.labels).toEqual(activation === 'gelu_tanh' ? ['geglu_forward', 'geglu_backward', 'geglu_backward'] : ['swiglu_forward', 'swiglu_backward', 'swiglu_backward']);
      rec.submit();
      const read = (b: GPUBuffer) => readF32(gpu.device, b, 0, N);
      expectClose(await read(gOut), out, TOL, 'out');
      expectClose(await read(gDgW), dgW, TOL, 'dgate (write)');
      expectClose(await read(gDuW), duW, TOL, 'dup (write)');
      expectClose(await read(gDgA), dgA, TOL, 'dgate (accumulate)');
      expectClose(await read(gDuA), duA, TOL, 'dup (accumulate)');
    });
  }

  for (const activation of ['silu', 'gelu_tanh'] as const) {
    it(`fused [gate | up] layout (Phi-3 gate_up_proj) = the split layout bit for bit, and = the reference, ${activation}`, async () => {
      const gpu = await testGpu();
      const rows = 13, W = 37, n = rows * W;
      const gateUp = randomArray(2 * n, 20, 6), dout = randomArray(n, 21), init = randomArray(2 * n, 22);
      gateUp.set(EXTREMES, 0);
      const gate = new Float32Array(n), up = new Float32Array(n);
      for (let r = 0; r < rows; r++) {
        gate.set(gateUp.subarray(r * 2 * W, r * 2 * W + W), r * W);
        up.set(gateUp.subarray(r * 2 * W + W, (r + 1) * 2 * W), r * W);
      }
      const buf = (a: Float32Array) => gpu.buffers.fromData('test', 'x', a);
      const gGU = buf(gateUp), gGate = buf(gate), gUp = buf(up), gDout = buf(dout);
      const gOutF = buf(new Float32Array(n)), gOut = buf(new Float32Array(n));
      const gDguW = buf(init), gDguA = buf(init), gDg = buf(new Float32Array(n)), gDu = buf(new Float32Array(n));
      const rec = new Recorder(gpu);
      swigluForwardFused(rec, gOutF, gGU, rows, W, { activation });
      swigluForward(rec, gOut, gGate, gUp, n, { activation });
      swigluBackwardFused(rec, gDguW, gDout, gGU, rows, W, { activation });
      swigluBackwardFused(rec, gDguA, gDout, gGU, rows, W, { activation, accumulate: true });
      swigluBackward(rec, gDg, gDu, gDout, gGate, gUp, n, { activation });
      expect(rec.labels[0]).toBe(activation === 'silu' ? 'swiglu_fused_forward' : 'geglu_fused_forward');
      rec.submit();
      const read = (b: GPUBuffer, len: number) => readF32(gpu.device, b, 0, len);
      const [outF, out, dguW, dguA, dg, du] = await Promise.all([read(gOutF, n), read(gOut, n), read(gDguW, 2 * n), read(gDguA, 2 * n), read(gDg, n), read(gDu, n)]);
      expect(Array.from(outF), 'forward').toEqual(Array.from(out));
      const joined = new Float32Array(2 * n);
      for (let r = 0; r < rows; r++) {
        joined.set(dg.subarray(r * W, (r + 1) * W), r * 2 * W);
        joined.set(du.subarray(r * W, (r + 1) * W), r * 2 * W + W);
      }
      expect(Array.from(dguW), 'backward (write)').toEqual(Array.from(joined));
      expect(Array.from(dguA), 'backward (accumulate)').toEqual(Array.from(joined.map((v, i) => init[i] + v)));
      const want = new Float32Array(n);
      ref.swigluForward(want, gate, up, n, { activation });
      expectClose(outF, want, TOL, 'forward vs reference');
    });
  }

  it('rejects bad sizes and unknown activations', async () => {
    const gpu = await testGpu();
    const b = gpu.buffers.storage('test', 'small', 16);
    const rec = new Recorder(gpu);
    expect(() => swigluForward(rec, b, b, b, 5)).toThrow(/out holds 4 f32 but needs 5/);
    expect(() => swigluBackward(rec, b, b, b, b, b, 0)).toThrow(/N must be a positive integer/);
    expect(() => swigluForward(rec, b, b, b, 4, { activation: 'gelu' as GatedActivation })).toThrow(/swigluForward: activation must be 'silu' or 'gelu_tanh', got gelu/);
    expect(() => swigluBackward(rec, b, b, b, b, b, 4, { activation: 'relu' as GatedActivation })).toThrow(/swigluBackward: activation must be/);
    expect(() => swigluForwardFused(rec, b, b, 1, 2)).toThrow(/out and gateUp must be different buffers/);
    expect(() => swigluForwardFused(rec, b, gpu.buffers.storage('test', 'gu', 16), 1, 3)).toThrow(/swigluForwardFused: gateUp holds 4 f32 but needs 6/);
    expect(() => swigluBackwardFused(rec, b, b, b, 0, 2)).toThrow(/rows must be a positive integer/);
    expect(rec.count).toBe(0);
  });
});
