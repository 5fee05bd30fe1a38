/**
 * matvec vs the CPU reference (src/engine/reference/matmul.ts: matvec computes exactly matmul's product for small
 * M), at awkward sizes, both layouts of b, f32 and f16-packed b, offsets, bias/alpha/accumulate, and a LoRA step
 * (u = x·Aᵀ, y += s·u·Bᵀ) — at the CPU widths (SwiftShader as it is) and at the GPU widths (the same device
 * presented as hardware, so the workgroup trees run).
 */
import { describe, it, expect } from 'vitest';
import { ADAPTER_KINDS, testGpuAs } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import type { Gpu } from '../gpu/device';
import { matvec, linearProduct, matvecPolicy, MATVEC_MAX_M, type MatvecOptions } from './matvec';
import { matmul as matmulRef } from '../reference/matmul';
import { packF16, roundToF16 } from '../transformer/weights';

// uniform(-1, 1) inputs, K ≤ 1100: f32 sums in another order than the f64 reference stay well inside this.
const TOL = { rtol: 2e-4, atol: 2e-4 };

interface Case { M: number; K: number; N: number; opts: MatvecOptions; bias: boolean }

async function runCase(gpu: Gpu, c: Case, seed: number): Promise<{ got: Float32Array; want: Float32Array }> {
  const { M, K, N, opts } = c;
  const aOff = opts.aOffset ?? 0, bOff = opts.bOffset ?? 0, oOff = opts.outOffset ?? 0;
  const f16 = opts.bFormat === 'f16';
  const aAll = randomArray(aOff + M * K, seed);
  const bAll = f16 ? roundToF16(randomArray(bOff + K * N, seed + 1)) : randomArray(bOff + K * N, seed + 1);
  const bias = c.bias ? randomArray(N, seed + 2) : null;
  const init = randomArray(oOff + M * N, seed + 3);
  const bufs = {
    a: gpu.buffers.fromData('test', 'a', aAll),
    b: gpu.buffers.fromData('test', 'b', f16 ? packF16(bAll) : bAll),
    bias: bias ? gpu.buffers.fromData('test', 'bias', bias) : null,
    out: gpu.buffers.fromData('test', 'out', init),
  };
  const rec = new Recorder(gpu);
  matvec(rec, bufs.out, bufs.a, bufs.b, bufs.bias, M, K, N, opts);
  rec.submit();
  const got = await readF32(gpu.device, bufs.out, oOff, M * N);
  gpu.buffers.releasePool('test');
  rec.destroy();
  const want = init.slice(oOff);
  matmulRef(want, aAll.slice(aOff, aOff + M * K), bAll.slice(bOff, bOff + K * N), bias, M, K, N, { ...opts, transA: false });
  return { got, want };
}

const SIZES: [number, number, number][] = [
  [1, 1, 1], [1, 7, 3], [1, 33, 65], [2, 129, 31], [3, 61, 257], [4, 1024, 9], [1, 1100, 130], [4, 5, 1],
];

for (const kind of ADAPTER_KINDS) {
  describe(`matvec vs reference (${kind} widths)`, () => {
    for (const transB of [true, false]) {
      for (const bFormat of ['f32', 'f16'] as const) {
        it(`transB=${transB} b=${bFormat}: every size, bias/alpha/accumulate/offsets varied`, async () => {
          const gpu = await testGpuAs(kind);
          for (const [i, [M, K, N]] of SIZES.entries()) {
            const even = (v: number) => v - (v % 2);
            const opts: MatvecOptions = {
              transB, bFormat, alpha: i % 2 ? -0.37 : 1, accumulate: i % 3 === 1,
              aOffset: i % 2 ? 5 : 0, bOffset: i % 3 === 2 ? even(6) : 0, outOffset: i % 4 === 3 ? 3 : 0,
            };
            const { got, want } = await runCase(gpu, { M, K, N, opts, bias: i % 2 === 0 }, 100 * i + 7);
            expectClose(got, want, TOL, `${M}x${K}x${N} transB=${transB} ${bFormat}`);
          }
        });
      }
    }

    it('a head-like shape: many columns, f16, K not a multiple of the lanes', async () => {
      const gpu = await testGpuAs(kind);
      const { got, want } = await runCase(gpu, { M: 1, K: 70, N: 4099, opts: { transB: true, bFormat: 'f16' }, bias: false }, 3);
      expectClose(got, want, TOL, 'wide head');
    });

    it('LoRA on one row: u = x·Aᵀ (r = 8), then y += scale · u·Bᵀ', async () => {
      const gpu = await testGpuAs(kind);
      const inF = 97, outF = 45, r = 8, scale = 2;
      const x = randomArray(inF, 1), A = randomArray(r * inF, 2), B = randomArray(outF * r, 3), y0 = randomArray(outF, 4);
      const buf = (v: Float32Array) => gpu.buffers.fromData('test', 'v', v);
      const [bx, bA, bB, by, bu] = [buf(x), buf(A), buf(B), buf(y0), buf(new Float32Array(r))];
      const rec = new Recorder(gpu);
      matvec(rec, bu, bx, bA, null, 1, inF, r, { transB: true });
      matvec(rec, by, bu, bB, null, 1, r, outF, { transB: true, alpha: scale, accumulate: true });
      rec.submit();
      const got = await readF32(gpu.device, by, 0, outF);
      gpu.buffers.releasePool('test');
      rec.destroy();
      const u = new Float32Array(r), want = y0.slice();
      matmulRef(u, x, A, null, 1, inF, r, { transB: true });
      matmulRef(want, u, B, null, 1, r, outF, { transB: true, alpha: scale, accumulate: true });
      expectClose(got, want, TOL, 'LoRA y');
    });
  });
}

describe('matvec guards and the product choice', () => {
  it('rejects M above its limit and aliasing, and linearProduct sends larger M to matmul', async () => {
    const gpu = await testGpuAs('cpu');
    const a = gpu.buffers.fromData('test', 'a', randomArray(6 * 4, 1));
    const b = gpu.buffers.fromData('test', 'b', randomArray(4 * 3, 2));
    const out = gpu.buffers.fromData('test', 'o', new Float32Array(6 * 3));
    const rec = new Recorder(gpu);
    expect(() => matvec(rec, out, a, b, null, MATVEC_MAX_M + 1, 4, 3)).toThrow(/at most/);
    expect(() => matvec(rec, a, a, b, null, 1, 4, 3)).toThrow(/same buffer/);
    linearProduct(rec, out, a, b, null, 6, 4, 3);
    linearProduct(rec, out, a, b, null, 2, 4, 3);
    expect(rec.labels[0]).toMatch(/^matmul 6x4x3\b/);
    expect(rec.labels[1]).toMatch(/^matvec 2x4x3\b/);
    const saved = matvecPolicy.maxM;
    matvecPolicy.maxM = 0;
    linearProduct(rec, out, a, b, null, 1, 4, 3);
    matvecPolicy.maxM = saved;
    expect(rec.labels[2]).toMatch(/^matmul/);
    rec.clear();
    rec.destroy();
    gpu.buffers.releasePool('test');
  });
});
