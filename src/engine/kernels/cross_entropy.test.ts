import { describe, it, expect } from 'vitest';
import { ADAPTER_KINDS, testGpu, testGpuAs } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { numericGrad, random64 } from '../../testing/finiteDiff';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import type { Gpu } from '../gpu/device';
import { crossEntropyFused, sumLoss } from './cross_entropy';
import { crossEntropyFused as ceRef, sumLoss as sumRef } from '../reference/cross_entropy';

const N = 9, V = 1001;
const TARGETS = new Int32Array([3, -100, 1000, 0, -100, 517, 42, -100, 999]);

function makeLogits(seed: number): Float32Array {
  const x = randomArray(N * V, seed, 4);
  for (let j = 0; j < V; j++) x[6 * V + j] *= 30; // a row with logits up to ±120: exp would overflow without the max
  return x;
}

async function runGpu(gpu: Gpu, logits: Float32Array, targets: Int32Array, backward: boolean, lossScale: number) {
  const lossBuf = gpu.buffers.storage('scratch', 'losses', N * 4);
  const logitBuf = gpu.buffers.fromData('scratch', 'logits', logits);
  const targetBuf = gpu.buffers.fromData('scratch', 'targets', targets);
  const totalBuf = gpu.buffers.storage('scratch', 'total', 4);
  const rec = new Recorder(gpu);
  crossEntropyFused(rec, lossBuf, logitBuf, targetBuf, N, V, { backward, lossScale });
  sumLoss(rec, totalBuf, lossBuf, N);
  rec.submit();
  const result = {
    losses: await readF32(gpu.device, lossBuf),
    logits: await readF32(gpu.device, logitBuf),
    total: (await readF32(gpu.device, totalBuf))[0],
  };
  for (const b of [lossBuf, logitBuf, targetBuf, totalBuf]) gpu.buffers.release(b);
  return result;
}

describe('cross-entropy reference', () => {
  it('backward is the gradient of the mean loss (finite differences, float64)', () => {
    const [n, v] = [5, 7];
    const targets = new Int32Array([2, -100, 6, 0, 3]);
    const scale = 1 / 4;
    const x = random64(n * v, 5, 3);
    const losses = new Float64Array(n);
    const loss = () => {
      ceRef(losses, x, targets, n, v, { backward: false, lossScale: scale });
      return losses.reduce((a, b) => a + b, 0) * scale;
    };
    const numeric = numericGrad(loss, x);
    const g = x.slice();
    ceRef(losses, g, targets, n, v, { backward: true, lossScale: scale });
    expectClose(g, numeric, { rtol: 1e-6, atol: 1e-9 }, 'dlogits vs finite differences');
    expect(Array.from(g.subarray(v, 2 * v))).toEqual(new Array(v).fill(0));
  });
});

describe('cross-entropy on the GPU', () => {
  for (const kind of ADAPTER_KINDS) it(`matches the float64 reference for loss, dlogits and the loss sum (V=1001, N=9, three ignored rows), ${kind} reduction width`, async () => {
    const gpu = await testGpuAs(kind);
    const logits = makeLogits(1);
    const valid = TARGETS.filter((t) => t !== -100).length;
    const scale = 1 / valid;
    const got = await runGpu(gpu, logits, TARGETS, true, scale);

    const refLosses = new Float64Array(N), refGrad = Float64Array.from(logits), refTotal = new Float64Array(1);
    ceRef(refLosses, refGrad, TARGETS, N, V, { backward: true, lossScale: scale });
    sumRef(refTotal, refLosses, N);
    expectClose(got.losses, refLosses, { rtol: 1e-5, atol: 1e-5 }, 'losses');
    // dlogits are ~1/(V·valid) ≈ 2e-4 away from the target column: compare at that scale
    expectClose(got.logits, refGrad, { rtol: 1e-4, atol: 1e-8 }, 'dlogits');
    expect(got.total).toBeCloseTo(refTotal[0], 4);
    for (const r of [1, 4, 7]) {
      expect(got.losses[r]).toBe(0);
      expect(got.logits.subarray(r * V, (r + 1) * V).every((x) => x === 0)).toBe(true);
    }
  });

  it('leaves logits untouched without backward', async () => {
    const gpu = await testGpu();
    const logits = makeLogits(2);
    const got = await runGpu(gpu, logits, TARGETS, false, 1);
    expect(got.logits).toEqual(logits);
    const refLosses = new Float64Array(N);
    ceRef(refLosses, Float64Array.from(logits), TARGETS, N, V, { backward: false, lossScale: 1 });
    expectClose(got.losses, refLosses, { rtol: 1e-5, atol: 1e-5 }, 'losses');
  });

  it('ignored rows influence nothing: new logits there change no loss and no other gradient', async () => {
    const gpu = await testGpu();
    const a = makeLogits(3);
    const b = a.slice();
    const other = randomArray(V, 99, 50);
    for (const r of [1, 4, 7]) b.set(other, r * V);
    const ga = await runGpu(gpu, a, TARGETS, true, 1 / 6);
    const gb = await runGpu(gpu, b, TARGETS, true, 1 / 6);
    expect(gb.losses).toEqual(ga.losses);
    expect(gb.logits).toEqual(ga.logits);
    expect(gb.total).toBe(ga.total);
  });

  it('gives NaN (not an out-of-bounds read) for a target outside the vocabulary', async () => {
    const gpu = await testGpu();
    const targets = TARGETS.slice();
    targets[2] = V;
    const got = await runGpu(gpu, makeLogits(4), targets, true, 1);
    expect(Number.isNaN(got.losses[2])).toBe(true);
    expect(Number.isNaN(got.logits[2 * V + 5])).toBe(true);
    expect(Number.isNaN(got.losses[0])).toBe(false);
  });

  for (const kind of ADAPTER_KINDS) it(`sums many losses deterministically (N not a multiple of the workgroup), ${kind} reduction width`, async () => {
    const gpu = await testGpuAs(kind);
    const n = 1000;
    const losses = randomArray(n, 8, 3).map(Math.abs);
    const lossBuf = gpu.buffers.fromData('scratch', 'l', losses);
    const total = gpu.buffers.storage('scratch', 't', 4);
    const rec = new Recorder(gpu);
    sumLoss(rec, total, lossBuf, n);
    rec.submit();
    const ref = new Float64Array(1);
    sumRef(ref, Float64Array.from(losses), n);
    expectClose(await readF32(gpu.device, total), ref, { rtol: 1e-6, atol: 0 }, 'sum');
    gpu.buffers.release(lossBuf);
    gpu.buffers.release(total);
  });

  it('row chunks (rowOffset) give exactly the losses and dlogits of the whole batch', async () => {
    const gpu = await testGpu();
    const logits = makeLogits(5);
    const whole = await runGpu(gpu, logits, TARGETS, true, 1 / 6);
    // Rows 0-3, 4-7, 8 through one 4-row logits buffer, as the chunked LM head runs them.
    const lossBuf = gpu.buffers.storage('scratch', 'losses', N * 4);
    const targetBuf = gpu.buffers.fromData('scratch', 'targets', TARGETS);
    const chunk = gpu.buffers.storage('scratch', 'chunk', 4 * V * 4);
    const dlogits = new Float32Array(N * V);
    for (let r0 = 0; r0 < N; r0 += 4) {
      const rows = Math.min(4, N - r0);
      gpu.device.queue.writeBuffer(chunk, 0, logits, r0 * V, rows * V);
      const rec = new Recorder(gpu);
      crossEntropyFused(rec, lossBuf, chunk, targetBuf, rows, V, { backward: true, lossScale: 1 / 6, rowOffset: r0 });
      rec.submit();
      rec.destroy();
      dlogits.set(await readF32(gpu.device, chunk, 0, rows * V), r0 * V);
    }
    expect(await readF32(gpu.device, lossBuf)).toEqual(whole.losses);
    expect(dlogits).toEqual(whole.logits);
    const rec = new Recorder(gpu);
    expect(() => crossEntropyFused(rec, lossBuf, chunk, targetBuf, 4, V, { backward: false, lossScale: 1, rowOffset: 6 })).toThrow(/losses needs 40 bytes/);
    for (const b of [lossBuf, targetBuf, chunk]) gpu.buffers.release(b);
  });

  it('rejects bad sizes with a clear error', async () => {
    const gpu = await testGpu();
    const small = gpu.buffers.storage('scratch', 's', 16);
    const rec = new Recorder(gpu);
    expect(() => crossEntropyFused(rec, small, small, small, 4, 0, { backward: false, lossScale: 1 })).toThrow(/positive integers/);
    expect(() => crossEntropyFused(rec, small, small, small, 2, 3, { backward: false, lossScale: 1 })).toThrow(/logits needs 24 bytes/);
    expect(() => crossEntropyFused(rec, small, small, small, 1, 4, { backward: true, lossScale: NaN })).toThrow(/lossScale/);
    expect(() => sumLoss(rec, small, small, 5)).toThrow(/losses needs 20 bytes/);
    expect(rec.count).toBe(0);
    gpu.buffers.release(small);
  });
});
