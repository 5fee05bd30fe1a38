import { describe, it, expect } from 'vitest';
import { ADAPTER_KINDS, testGpu, testGpuAs } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import type { Gpu } from '../gpu/device';
import { gradNormClip, gradNormGroups } from './grad_norm';
import { optimizerStatusBytes, optimizerStatusLayout, OPTIMIZER_WG, STATUS_HEADER_FLOATS } from './optimizerStatus';
import { reductionThreads } from './reductionThreads';
import * as ref from '../reference/grad_norm';

// sizes: tiny, one workgroup, several strided workgroups, and more than 256·256·4 elements (the partial cap)
const SIZES = [5, 1000, 70_001, 300_007];
// many tensors of odd lengths (a LoRA adapter's A/B shapes and stragglers)
const ODD = Array.from({ length: 37 }, (_, i) => 1 + ((i * 7919) % 4099) * (i % 3 === 0 ? 1 : 3));

async function gpuNorm(gpu: Gpu, tensors: Float32Array[], maxNorm: number): Promise<Float32Array> {
  const layout = optimizerStatusLayout(tensors.map((t) => t.length), reductionThreads(gpu, OPTIMIZER_WG));
  const status = gpu.buffers.storage('scratch', 'status', layout.floats * 4);
  // Garbage in the status buffer: nothing may depend on it being zeroed.
  gpu.device.queue.writeBuffer(status, 0, new Float32Array(layout.floats).fill(12345));
  const bufs = tensors.map((t, i) => gpu.buffers.fromData('scratch', `g${i}`, t));
  const rec = new Recorder(gpu);
  gradNormClip(rec, status, layout, bufs, maxNorm);
  expect(rec.count).toBe(tensors.length + 1); // one partial per tensor and one finish
  rec.submit();
  const out = await readF32(gpu.device, status, 0, 3);
  for (const b of [status, ...bufs]) gpu.buffers.release(b);
  return out;
}

function refNorm(tensors: Float32Array[], maxNorm: number): Float64Array {
  const s = new Float64Array(4);
  ref.gradNormBegin(s);
  for (const t of tensors) ref.gradNormAccumulate(s, Float64Array.from(t), t.length);
  ref.gradNormFinish(s, maxNorm);
  return s.subarray(0, 3);
}

describe('gradient norm and clipping', () => {
  it('uses more than one partial for big tensors and caps them', () => {
    expect(SIZES.map((n) => gradNormGroups(n))).toEqual([1, 1, 69, 256]);
    expect(SIZES.map((n) => gradNormGroups(n, 4))).toEqual([1, 63, 256, 256]);
  });

  it('lays the partials of every tensor out side by side after the header, in trainable order', () => {
    for (const wg of [4, 256]) {
      const layout = optimizerStatusLayout(ODD, wg);
      let at = STATUS_HEADER_FLOATS;
      layout.grad.forEach((g, i) => {
        expect(g).toEqual({ offset: at, groups: gradNormGroups(ODD[i], wg) });
        at += g.groups;
      });
      expect([layout.gradFrom, layout.gradCount]).toEqual([STATUS_HEADER_FLOATS, at - STATUS_HEADER_FLOATS]);
      layout.param.forEach((p) => {
        expect(p.before).toBe(at);
        expect(p.after).toBe(at + layout.paramCount);
        at += p.groups;
      });
      expect(layout.floats).toBe(at + layout.paramCount);
      expect(optimizerStatusBytes(ODD, wg === 4)).toBe(layout.floats * 4);
    }
    expect(() => optimizerStatusLayout([3, 0], 4)).toThrow(/tensor 1 must have a positive integer size, got 0/);
  });

  for (const kind of ADAPTER_KINDS) it(`matches the float64 reference over several tensors, with and without clipping, ${kind} reduction width`, async () => {
    const gpu = await testGpuAs(kind);
    const tensors = SIZES.map((n, i) => randomArray(n, 40 + i, 0.01 * (i + 1)));
    for (const maxNorm of [1, 1e6, 0, -1]) {
      const got = await gpuNorm(gpu, tensors, maxNorm);
      const want = refNorm(tensors, maxNorm);
      expectClose(got, want, { rtol: 1e-5, atol: 0 }, `status for maxNorm ${maxNorm}`);
      if (maxNorm === 1) expect(got[1]).toBeLessThan(0.5); // the norm is ≈ 6.3: clipping really happens
      if (maxNorm !== 1) expect(got[1]).toBe(1);
    }
  });

  for (const kind of ADAPTER_KINDS) it(`matches the reference over 37 tensors of odd lengths, bit-identical run to run, ${kind} reduction width`, async () => {
    const gpu = await testGpuAs(kind);
    const tensors = ODD.map((n, i) => randomArray(n, 100 + i, 0.1 / (1 + (i % 5))));
    const a = await gpuNorm(gpu, tensors, 0.5);
    expectClose(a, refNorm(tensors, 0.5), { rtol: 1e-5, atol: 0 }, 'status');
    expect(a[1]).toBeLessThan(1);
    const b = await gpuNorm(gpu, tensors, 0.5);
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('flags NaN and Inf anywhere as non-finite with clip scale 0', async () => {
    const gpu = await testGpu();
    for (const bad of [NaN, Infinity, -Infinity]) {
      const tensors = SIZES.map((n, i) => randomArray(n, 60 + i));
      tensors[2][12_345] = bad;
      const got = await gpuNorm(gpu, tensors, 1);
      expect(got[2], `nonFinite for ${bad}`).toBe(1);
      expect(got[1]).toBe(0);
      expect(Array.from(refNorm(tensors, 1).subarray(1))).toEqual([0, 1]);
    }
    // in the last tensor's last element, and with clipping off
    const tensors = ODD.map((n, i) => randomArray(n, 70 + i));
    tensors[ODD.length - 1][ODD.at(-1)! - 1] = NaN;
    expect(Array.from((await gpuNorm(gpu, tensors, 0)).subarray(1))).toEqual([0, 1]);
    const fine = await gpuNorm(gpu, [randomArray(100, 1)], 1);
    expect(fine[2]).toBe(0);
  });

  it('rejects a status buffer too small for the partials, a layout of other tensors and a bad maxNorm', async () => {
    const gpu = await testGpu();
    const layout = optimizerStatusLayout([4, 5], reductionThreads(gpu, OPTIMIZER_WG));
    const small = gpu.buffers.storage('scratch', 'small', 16);
    const status = gpu.buffers.storage('scratch', 'status', layout.floats * 4);
    const g = gpu.buffers.storage('scratch', 'g', 20);
    const rec = new Recorder(gpu);
    expect(() => gradNormClip(rec, small, layout, [g, g], 1)).toThrow(new RegExp(`status needs ${layout.floats * 4} bytes`));
    expect(() => gradNormClip(rec, status, layout, [g], 1)).toThrow(/the layout has 2 tensors but 1 gradients/);
    expect(() => gradNormClip(rec, status, layout, [g, small], 1)).toThrow(/gradient 1 needs 20 bytes/);
    expect(() => gradNormClip(rec, status, layout, [g, g], NaN)).toThrow(/maxNorm must be finite/);
    expect(rec.count).toBe(0);
    for (const b of [small, status, g]) gpu.buffers.release(b);
  });
});
