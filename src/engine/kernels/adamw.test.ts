import { describe, it, expect } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { adamwStep, type AdamWHyper } from './adamw';
import { gradNormBegin, gradNormAccumulate, gradNormFinish, GRAD_NORM_STATUS_BYTES } from './grad_norm';
import { adamwStep as adamwRef } from '../reference/adamw';

const N = 1000;
const HP: Omit<AdamWHyper, 'step'> = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
// Larger eps and decay than the defaults so that where eps and the decay enter the update shows in the result.
const GPU_HP: Omit<AdamWHyper, 'step'> = { ...HP, eps: 1e-4, weightDecay: 0.5 };

describe('AdamW reference', () => {
  it('moves each weight by about lr·sign(g) on the first step (bias correction from t = 1)', () => {
    const p = Float64Array.from([1, -2, 3]), g = Float64Array.from([0.5, -1e-3, 2]);
    const m = new Float64Array(3), v = new Float64Array(3);
    adamwRef(p, g, m, v, Float64Array.from([0, 1, 0]), 3, { ...HP, weightDecay: 0, step: 1 });
    expectClose(p, [1 - 1e-2, -2 + 1e-2, 3 - 1e-2], { rtol: 0, atol: 1e-6 }, 'first step');
  });

  it('decays the weight itself (decoupled), not through the moments', () => {
    const p = Float64Array.from([2, -4]), zero = new Float64Array(2);
    const m = new Float64Array(2), v = new Float64Array(2);
    adamwRef(p, zero, m, v, Float64Array.from([0, 1, 0]), 2, { ...HP, step: 5 });
    expect(Array.from(p)).toEqual([2 * (1 - 1e-3), -4 * (1 - 1e-3)]);
    expect(Array.from(m)).toEqual([0, 0]);
  });

  it('does nothing when the status says non-finite', () => {
    const p = Float64Array.from([1]), m = Float64Array.from([0.1]), v = Float64Array.from([0.2]);
    adamwRef(p, Float64Array.from([NaN]), m, v, Float64Array.from([NaN, 0, 1]), 1, { ...HP, step: 1 });
    expect([p[0], m[0], v[0]]).toEqual([1, 0.1, 0.2]);
  });
});

describe('AdamW on the GPU', () => {
  it('matches the float64 reference over three steps with gradient clipping', async () => {
    const gpu = await testGpu();
    const p0 = randomArray(N, 1), m0 = new Float32Array(N), v0 = new Float32Array(N);
    const [pB, mB, vB] = [p0, m0, v0].map((a, i) => gpu.buffers.fromData('scratch', `s${i}`, a));
    const status = gpu.buffers.storage('scratch', 'status', GRAD_NORM_STATUS_BYTES);
    const rp = Float64Array.from(p0), rm = new Float64Array(N), rv = new Float64Array(N);
    for (let step = 1; step <= 3; step++) {
      const g = randomArray(N, 10 + step, 0.2);
      const gB = gpu.buffers.fromData('scratch', 'g', g);
      const rec = new Recorder(gpu);
      gradNormBegin(rec, status);
      gradNormAccumulate(rec, status, gB, N);
      gradNormFinish(rec, status, 1);
      adamwStep(rec, pB, gB, mB, vB, status, N, { ...GPU_HP, step });
      rec.submit();
      const st = Float64Array.from(await readF32(gpu.device, status, 0, 3));
      expect(st[1]).toBeLessThan(1); // ‖g‖ ≈ 3.6 > 1: the clip factor is in play
      adamwRef(rp, Float64Array.from(g), rm, rv, st, N, { ...GPU_HP, step });
      gpu.buffers.release(gB);
    }
    expectClose(await readF32(gpu.device, pB), rp, { rtol: 1e-5, atol: 1e-6 }, 'params');
    expectClose(await readF32(gpu.device, mB), rm, { rtol: 1e-5, atol: 1e-8 }, 'm');
    expectClose(await readF32(gpu.device, vB), rv, { rtol: 1e-5, atol: 1e-10 }, 'v');
    for (const b of [pB, mB, vB, status]) gpu.buffers.release(b);
  });

  it('leaves params and moments bitwise unchanged on a NaN step', async () => {
    const gpu = await testGpu();
    const p0 = randomArray(N, 2), m0 = randomArray(N, 3, 0.1), v0 = randomArray(N, 4, 0.01).map(Math.abs);
    const [pB, mB, vB] = [p0, m0, v0].map((a, i) => gpu.buffers.fromData('scratch', `s${i}`, a));
    const g = randomArray(N, 5);
    g[N - 1] = NaN;
    const gB = gpu.buffers.fromData('scratch', 'g', g);
    const status = gpu.buffers.storage('scratch', 'status', GRAD_NORM_STATUS_BYTES);
    const rec = new Recorder(gpu);
    gradNormBegin(rec, status);
    gradNormAccumulate(rec, status, gB, N);
    gradNormFinish(rec, status, 1);
    adamwStep(rec, pB, gB, mB, vB, status, N, { ...HP, step: 7 });
    rec.submit();
    expect((await readF32(gpu.device, status, 0, 3))[2]).toBe(1);
    expect(await readF32(gpu.device, pB)).toEqual(p0);
    expect(await readF32(gpu.device, mB)).toEqual(m0);
    expect(await readF32(gpu.device, vB)).toEqual(v0);
    for (const b of [pB, mB, vB, gB, status]) gpu.buffers.release(b);
  });

  it('rejects bad hyperparameters and sizes with a clear error', async () => {
    const gpu = await testGpu();
    const b = gpu.buffers.storage('scratch', 'b', 64);
    const rec = new Recorder(gpu);
    const call = (hp: Partial<AdamWHyper>, n = 4) => () => adamwStep(rec, b, b, b, b, b, n, { ...HP, step: 1, ...hp });
    expect(call({ step: 0 })).toThrow(/step must be an integer ≥ 1/);
    expect(call({ beta2: 1 })).toThrow(/beta2 must be in \[0, 1\)/);
    expect(call({ lr: NaN })).toThrow(/lr must be/);
    expect(call({}, 17)).toThrow(/params needs 68 bytes/);
    expect(rec.count).toBe(0);
    gpu.buffers.release(b);
  });
});
