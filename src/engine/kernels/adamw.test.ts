import { describe, it, expect } from 'vitest';
import { ADAPTER_KINDS, testGpu, testGpuAs } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { adamwStep, type AdamWHyper } from './adamw';
import type { Gpu } from '../gpu/device';
import { gradNormClip, paramNorms } from './grad_norm';
import { adamwGroups, optimizerStatusLayout, OPTIMIZER_WG, type OptimizerStatusLayout } from './optimizerStatus';
import { reductionThreads } from './reductionThreads';
import { adamwStep as adamwRef } from '../reference/adamw';

const N = 1000;
// one element, one short workgroup, and tensors long enough that AdamW's workgroups loop over strided shares
const ODD = [1, 5, 1000, 4099, 70_001];
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

function layoutFor(gpu: Gpu, sizes: number[]): OptimizerStatusLayout {
  return optimizerStatusLayout(sizes, reductionThreads(gpu, OPTIMIZER_WG));
}

const sumSq = (a: ArrayLike<number>) => Array.from(a).reduce((s, x) => s + x * x, 0);

describe('AdamW on the GPU', () => {
  it('matches the float64 reference over three steps with gradient clipping, and measures Σ p² before and after', async () => {
    const gpu = await testGpu();
    const p0 = randomArray(N, 1), m0 = new Float32Array(N), v0 = new Float32Array(N);
    const [pB, mB, vB] = [p0, m0, v0].map((a, i) => gpu.buffers.fromData('scratch', `s${i}`, a));
    const layout = layoutFor(gpu, [N]);
    const status = gpu.buffers.storage('scratch', 'status', layout.floats * 4);
    const rp = Float64Array.from(p0), rm = new Float64Array(N), rv = new Float64Array(N);
    for (let step = 1; step <= 3; step++) {
      const g = randomArray(N, 10 + step, 0.2);
      const gB = gpu.buffers.fromData('scratch', 'g', g);
      const rec = new Recorder(gpu);
      const before = sumSq(await readF32(gpu.device, pB));
      gradNormClip(rec, status, layout, [gB], 1);
      adamwStep(rec, pB, gB, mB, vB, status, layout, 0, { ...GPU_HP, step });
      paramNorms(rec, status, layout);
      rec.submit();
      const st = Float64Array.from(await readF32(gpu.device, status, 0, 5));
      expect(st[1]).toBeLessThan(1); // ‖g‖ ≈ 3.6 > 1: the clip factor is in play
      adamwRef(rp, Float64Array.from(g), rm, rv, st, N, { ...GPU_HP, step });
      expectClose([st[3], st[4]], [before, sumSq(await readF32(gpu.device, pB))], { rtol: 1e-5, atol: 0 }, 'Σ p² before and after');
      expect((await readF32(gpu.device, gB)).every((x) => x === 0)).toBe(true); // ready for the next accumulation
      gpu.buffers.release(gB);
    }
    expectClose(await readF32(gpu.device, pB), rp, { rtol: 1e-5, atol: 1e-6 }, 'params');
    expectClose(await readF32(gpu.device, mB), rm, { rtol: 1e-5, atol: 1e-8 }, 'm');
    expectClose(await readF32(gpu.device, vB), rv, { rtol: 1e-5, atol: 1e-10 }, 'v');
    for (const b of [pB, mB, vB, status]) gpu.buffers.release(b);
  });

  for (const kind of ADAPTER_KINDS) it(`updates many tensors of odd lengths like the reference, clipping on and off, ${kind} reduction width`, async () => {
    const gpu = await testGpuAs(kind);
    const layout = layoutFor(gpu, ODD);
    expect(ODD.map((n) => adamwGroups(n, layout.wg))).toEqual(layout.param.map((p) => p.groups));
    const status = gpu.buffers.storage('scratch', 'status', layout.floats * 4);
    for (const maxNorm of [0.3, 0]) {
      const ps = ODD.map((n, i) => randomArray(n, 200 + i));
      const ms = ODD.map((n, i) => randomArray(n, 300 + i, 0.01));
      const vs = ODD.map((n, i) => randomArray(n, 400 + i, 1e-3).map(Math.abs));
      const gs = ODD.map((n, i) => randomArray(n, 500 + i, 0.05));
      const bufs = ODD.map((_, i) => [ps[i], gs[i], ms[i], vs[i]].map((a, k) => gpu.buffers.fromData('scratch', `t${i}.${k}`, a)));
      const rec = new Recorder(gpu);
      gradNormClip(rec, status, layout, bufs.map((b) => b[1]), maxNorm);
      bufs.forEach(([p, g, m, v], i) => adamwStep(rec, p, g, m, v, status, layout, i, { ...GPU_HP, step: 4 }));
      paramNorms(rec, status, layout);
      expect(rec.count).toBe(2 * ODD.length + 2);
      rec.submit();
      const st = Float64Array.from(await readF32(gpu.device, status, 0, 5));
      if (maxNorm > 0) expect(st[1]).toBeLessThan(1);
      else expect(st[1]).toBe(1);
      let after = 0;
      for (const [i, [p, g, m, v]] of bufs.entries()) {
        expect((await readF32(gpu.device, g)).every((x) => x === 0), `grads ${i} zeroed`).toBe(true);
        const rp = Float64Array.from(ps[i]), rm = Float64Array.from(ms[i]), rv = Float64Array.from(vs[i]);
        adamwRef(rp, Float64Array.from(gs[i]), rm, rv, st, ODD[i], { ...GPU_HP, step: 4 });
        const gotP = await readF32(gpu.device, p);
        after += sumSq(gotP);
        expectClose(gotP, rp, { rtol: 1e-5, atol: 1e-6 }, `params ${i} (${ODD[i]})`);
        expectClose(await readF32(gpu.device, m), rm, { rtol: 1e-5, atol: 1e-8 }, `m ${i}`);
        expectClose(await readF32(gpu.device, v), rv, { rtol: 1e-5, atol: 1e-10 }, `v ${i}`);
      }
      expectClose([st[3], st[4]], [ps.reduce((a, p) => a + sumSq(p), 0), after], { rtol: 1e-5, atol: 0 }, 'Σ p² before and after');
      for (const b of bufs.flat()) gpu.buffers.release(b);
    }
    gpu.buffers.release(status);
  });

  it('leaves params and moments bitwise unchanged on a NaN step (and Σ p² after equals before), and zeroes the gradient', async () => {
    const gpu = await testGpu();
    const p0 = randomArray(N, 2), m0 = randomArray(N, 3, 0.1), v0 = randomArray(N, 4, 0.01).map(Math.abs);
    const [pB, mB, vB] = [p0, m0, v0].map((a, i) => gpu.buffers.fromData('scratch', `s${i}`, a));
    const g = randomArray(N, 5);
    g[N - 1] = NaN;
    const gB = gpu.buffers.fromData('scratch', 'g', g);
    const layout = layoutFor(gpu, [N]);
    const status = gpu.buffers.storage('scratch', 'status', layout.floats * 4);
    const rec = new Recorder(gpu);
    gradNormClip(rec, status, layout, [gB], 1);
    adamwStep(rec, pB, gB, mB, vB, status, layout, 0, { ...HP, step: 7 });
    paramNorms(rec, status, layout);
    rec.submit();
    const st = await readF32(gpu.device, status, 0, 5);
    expect(st[2]).toBe(1);
    expect(st[4]).toBe(st[3]);
    expect((await readF32(gpu.device, gB)).every((x) => x === 0)).toBe(true); // zeroed on a skipped step too
    expect(await readF32(gpu.device, pB)).toEqual(p0);
    expect(await readF32(gpu.device, mB)).toEqual(m0);
    expect(await readF32(gpu.device, vB)).toEqual(v0);
    for (const b of [pB, mB, vB, gB, status]) gpu.buffers.release(b);
  });

  it('rejects bad hyperparameters, sizes and tensor indices with a clear error', async () => {
    const gpu = await testGpu();
    const b = gpu.buffers.storage('scratch', 'b', 64);
    const layout = layoutFor(gpu, [4, 17]);
    const status = gpu.buffers.storage('scratch', 'status', layout.floats * 4);
    const rec = new Recorder(gpu);
    const call = (hp: Partial<AdamWHyper>, i = 0, st = status) => () => adamwStep(rec, b, b, b, b, st, layout, i, { ...HP, step: 1, ...hp });
    expect(call({ step: 0 })).toThrow(/step must be an integer ≥ 1/);
    expect(call({ beta2: 1 })).toThrow(/beta2 must be in \[0, 1\)/);
    expect(call({ lr: NaN })).toThrow(/lr must be/);
    expect(call({}, 1)).toThrow(/params needs 68 bytes/);
    expect(call({}, 2)).toThrow(/tensor 2 is not in the layout \(2 tensors\)/);
    expect(call({}, 0, b)).toThrow(/status needs/);
    expect(rec.count).toBe(0);
    gpu.buffers.release(b);
    gpu.buffers.release(status);
  });
});
