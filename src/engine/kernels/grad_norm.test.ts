import { describe, it, expect } from 'vitest';
import { ADAPTER_KINDS, testGpu, testGpuAs } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import type { Gpu } from '../gpu/device';
import { gradNormBegin, gradNormAccumulate, gradNormFinish, gradNormGroups, GRAD_NORM_STATUS_BYTES } from './grad_norm';
import * as ref from '../reference/grad_norm';

// sizes: tiny, one workgroup, several strided workgroups, and more than 256·256·4 elements (the partial cap)
const SIZES = [5, 1000, 70_001, 300_007];

async function gpuNorm(gpu: Gpu, tensors: Float32Array[], maxNorm: number): Promise<Float32Array> {
  const status = gpu.buffers.storage('scratch', 'status', GRAD_NORM_STATUS_BYTES);
  const bufs = tensors.map((t, i) => gpu.buffers.fromData('scratch', `g${i}`, t));
  const rec = new Recorder(gpu);
  gradNormBegin(rec, status);
  tensors.forEach((t, i) => gradNormAccumulate(rec, status, bufs[i], t.length));
  gradNormFinish(rec, status, maxNorm);
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

  it('restarts at gradNormBegin (a second step does not add to the first)', async () => {
    const gpu = await testGpu();
    const t = [randomArray(777, 3)];
    const a = await gpuNorm(gpu, t, 1);
    const b = await gpuNorm(gpu, t, 1);
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
    const fine = await gpuNorm(gpu, [randomArray(100, 1)], 1);
    expect(fine[2]).toBe(0);
  });

  it('rejects a status buffer too small for the partials', async () => {
    const gpu = await testGpu();
    const small = gpu.buffers.storage('scratch', 'status', 16);
    const rec = new Recorder(gpu);
    expect(() => gradNormBegin(rec, small)).toThrow(/status needs 1040 bytes \(GRAD_NORM_STATUS_BYTES\)/);
    expect(() => gradNormAccumulate(rec, small, small, 4)).toThrow(/status needs/);
    const status = gpu.buffers.storage('scratch', 'status', GRAD_NORM_STATUS_BYTES);
    expect(() => gradNormAccumulate(rec, status, small, 5)).toThrow(/grads needs 20 bytes/);
    expect(() => gradNormFinish(rec, status, NaN)).toThrow(/maxNorm must be finite/);
    expect(rec.count).toBe(0);
    gpu.buffers.release(small);
    gpu.buffers.release(status);
  });
});
