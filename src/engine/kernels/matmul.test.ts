import { describe, it, expect } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import type { Gpu } from '../gpu/device';
import { matmul, type MatmulOptions } from './matmul';
import { matmul as matmulRef } from '../reference/matmul';
import { packF16, roundToF16 } from '../transformer/weights';

/** Every operand layout the matmul kernel supports. */
const LAYOUTS = [
  { transA: false, transB: false },
  { transA: false, transB: true },
  { transA: true, transB: false },
  { transA: true, transB: true },
];

// Inputs are uniform(-1, 1) and K ≤ 150, so f32 accumulation error stays well below 1e-4 (measured max ~3e-6 at
// K = 61; the GPU sums in a different order than the f64 reference).
const TOL = { rtol: 1e-4, atol: 1e-4 };

interface Case {
  M: number;
  K: number;
  N: number;
  opts: MatmulOptions;
  bias: boolean;
}

/** Runs one case on the GPU and on the CPU reference; returns both results. */
async function runCase(gpu: Gpu, c: Case, seed: number): Promise<{ got: Float32Array; want: Float32Array }> {
  const { M, K, N, opts } = c;
  const a = randomArray(M * K, seed);
  // An f16 b is uploaded packed; the reference then uses the same f16-rounded values (so TOL stays tight).
  const f16 = opts.bFormat === 'f16';
  const b = f16 ? roundToF16(randomArray(K * N, seed + 1)) : randomArray(K * N, seed + 1);
  const bias = c.bias ? randomArray(N, seed + 2) : null;
  const init = randomArray(M * N, seed + 3);
  const bufs = {
    a: gpu.buffers.fromData('test', 'a', a),
    b: gpu.buffers.fromData('test', 'b', f16 ? packF16(b) : b),
    bias: bias ? gpu.buffers.fromData('test', 'bias', bias) : null,
    out: gpu.buffers.fromData('test', 'out', init),
  };
  const rec = new Recorder(gpu);
  matmul(rec, bufs.out, bufs.a, bufs.b, bufs.bias, M, K, N, opts);
  rec.submit();
  const got = await readF32(gpu.device, bufs.out, 0, M * N);
  gpu.buffers.releasePool('test');
  rec.destroy();
  const want = init.slice();
  matmulRef(want, a, b, bias, M, K, N, opts);
  return { got, want };
}

const describeCase = (c: Case) =>
  `${c.M}x${c.K}x${c.N} transA=${!!c.opts.transA} transB=${!!c.opts.transB} alpha=${c.opts.alpha ?? 1} ` +
  `accumulate=${!!c.opts.accumulate} bias=${c.bias} b=${c.opts.bFormat ?? 'f32'}`;

describe('matmul', () => {
  // Odd sizes, sizes below / across the 8x8 register block and the 64x64 workgroup tile, K not a multiple of 4.
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [8, 8, 8],
    [13, 4, 9],
    [9, 61, 66],
    [70, 33, 5],
    [65, 150, 130],
  ];

  for (const layout of LAYOUTS) {
    it(`matches the reference, transA=${layout.transA} transB=${layout.transB}`, async () => {
      const gpu = await testGpu();
      let seed = 100;
      for (const [M, K, N] of shapes) {
        seed += 10;
        // Vary alpha / accumulate / bias across shapes so every layout sees each combination.
        const c: Case = {
          M,
          K,
          N,
          opts: { ...layout, alpha: seed % 20 === 0 ? 1 : -0.37, accumulate: seed % 30 === 0 },
          bias: seed % 20 !== 0,
        };
        const { got, want } = await runCase(gpu, c, seed);
        expectClose(got, want, TOL, describeCase(c));
      }
    });
  }

  it('covers plain overwrite, accumulate with bias, and LoRA-style rank-1..3 updates', async () => {
    const gpu = await testGpu();
    const cases: Case[] = [
      { M: 17, K: 12, N: 23, opts: {}, bias: false },
      { M: 17, K: 12, N: 23, opts: { accumulate: true, alpha: 2.5 }, bias: true },
      { M: 33, K: 1, N: 19, opts: { transB: true, alpha: 0.5, accumulate: true }, bias: false }, // B (N, r=1)
      { M: 3, K: 40, N: 27, opts: { transA: true, accumulate: true }, bias: false }, // dA += dhᵀ x, r = 3
    ];
    let seed = 7;
    for (const c of cases) {
      const { got, want } = await runCase(gpu, c, (seed += 10));
      expectClose(got, want, TOL, describeCase(c));
    }
  });

  it('really uses the layout flags (a transposed product differs from a plain one)', async () => {
    const gpu = await testGpu();
    const c: Case = { M: 6, K: 6, N: 6, opts: { transB: true }, bias: false };
    const { got } = await runCase(gpu, c, 3);
    // Same inputs, plain layout on the CPU: must NOT match, or the flag would be ignored.
    const a = randomArray(36, 3);
    const b = randomArray(36, 4);
    const plain = randomArray(36, 6);
    matmulRef(plain, a, b, null, 6, 6, 6);
    let diff = 0;
    for (let i = 0; i < 36; i++) diff = Math.max(diff, Math.abs(plain[i] - got[i]));
    expect(diff).toBeGreaterThan(0.01);
  });

  it('does nothing for M = 0 or N = 0 and writes alpha·0 + bias for K = 0', async () => {
    const gpu = await testGpu();
    const { got, want } = await runCase(gpu, { M: 5, K: 0, N: 6, opts: { alpha: 3 }, bias: true }, 11);
    expectClose(got, want, TOL, 'K = 0');
    const rec = new Recorder(gpu);
    const buf = gpu.buffers.storage('test', 'x', 16);
    matmul(rec, buf, gpu.buffers.storage('test', 'y', 16), gpu.buffers.storage('test', 'z', 16), null, 0, 4, 4);
    expect(rec.count).toBe(0);
    gpu.buffers.releasePool('test');
  });

  it('rejects bad input with a clear error', async () => {
    const gpu = await testGpu();
    const rec = new Recorder(gpu);
    const small = gpu.buffers.storage('test', 'small', 16);
    const out = gpu.buffers.storage('test', 'out', 64);
    const other = gpu.buffers.storage('test', 'other', 64);
    expect(() => matmul(rec, out, small, other, null, 4, 4, 4)).toThrow(/a \(M=4, K=4\) needs 64 bytes but its buffer has 16/);
    expect(() => matmul(rec, out, other, other, small, 4, 4, 8)).toThrow(/out \(M=4, N=8\) needs 128 bytes/);
    expect(() => matmul(rec, out, other, other, null, 2.5, 4, 4)).toThrow(/M must be a non-negative integer/);
    expect(() => matmul(rec, out, out, other, null, 4, 4, 4)).toThrow(/must not be the same buffer/);
    expect(() => matmul(rec, out, other, other, null, 4, 4, 4, { alpha: NaN })).toThrow(/alpha must be finite/);
    // An operand beyond maxStorageBufferBindingSize names the limit (checked before any buffer size).
    const limit = gpu.device.limits.maxStorageBufferBindingSize;
    const K = Math.ceil(limit / 4 / 1024) + 1; // a (1024, K) is just over the limit
    const out1024 = gpu.buffers.storage('test', 'out1024', 1024 * 4);
    expect(() => matmul(rec, out1024, other, other, null, 1024, K, 1)).toThrow(/matmul a \(M=1024, K=\d+\) needs \d+ but the device's maxStorageBufferBindingSize/);
    expect(rec.count).toBe(0);
    gpu.buffers.releasePool('test');
  });
});

// b stored as f16 packed two per u32 (frozen base weights). Three code paths: TRANS_B with an even K (words along
// k), plain with an even N (words along n, edge blocks clamped by pairs), and per-element unpacking otherwise.
// Odd K·N leaves a padding half in the last word. The reference multiplies the same f16-rounded b in f64.
describe('matmul with an f16-packed b', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1], // one word, half of it padding
    [3, 5, 7], // odd K and N: per-element path in every layout
    [8, 8, 8],
    [5, 12, 2], // N = 2: the edge pair clamp reaches column 0
    [13, 61, 9],
    [9, 62, 66], // even K with a tail of 2; N = 66: partial last column block on the pair path
    [70, 33, 5],
    [65, 150, 130],
  ];
  for (const layout of LAYOUTS) {
    it(`matches the reference on f16-rounded b, transA=${layout.transA} transB=${layout.transB}`, async () => {
      const gpu = await testGpu();
      let seed = 500;
      for (const [M, K, N] of shapes) {
        seed += 10;
        const c: Case = {
          M, K, N, bias: seed % 20 !== 0,
          opts: { ...layout, bFormat: 'f16', alpha: seed % 20 === 0 ? 1 : -0.37, accumulate: seed % 30 === 0 },
        };
        const { got, want } = await runCase(gpu, c, seed);
        expectClose(got, want, TOL, describeCase(c));
      }
    });
  }

  it('reads b as f16 (the f32 reference on unrounded b differs by about f16 precision)', async () => {
    const gpu = await testGpu();
    const M = 16, K = 64, N = 24;
    const { got } = await runCase(gpu, { M, K, N, opts: { transB: true, bFormat: 'f16' }, bias: false }, 77);
    const unrounded = new Float32Array(M * N);
    matmulRef(unrounded, randomArray(M * K, 77), randomArray(K * N, 78), null, M, K, N, { transB: true });
    let diff = 0;
    for (let i = 0; i < M * N; i++) diff = Math.max(diff, Math.abs(unrounded[i] - got[i]));
    // |b| < 1 rounds by at most 2^-12 per element: a visible but small difference, never zero, never large.
    expect(diff).toBeGreaterThan(1e-5);
    expect(diff).toBeLessThan(K * 2 ** -12);
  });

  it('sizes an f16 b in whole words and says so in errors', async () => {
    const gpu = await testGpu();
    const rec = new Recorder(gpu);
    const out = gpu.buffers.storage('test', 'out', 5 * 7 * 4);
    const a = gpu.buffers.storage('test', 'a', 5 * 5 * 4);
    // K·N = 35 halves → 18 words = 72 bytes.
    expect(() => matmul(rec, out, a, gpu.buffers.storage('test', 'b68', 68), null, 5, 5, 7, { bFormat: 'f16' }))
      .toThrow(/b \(K=5, N=7\) f16 needs 72 bytes but its buffer has 68/);
    expect(() => matmul(rec, out, a, gpu.buffers.storage('test', 'b68t', 68), null, 5, 5, 7, { transB: true, bFormat: 'f16' }))
      .toThrow(/b \(N=7, K=5\) f16 needs 72 bytes/);
    expect(() => matmul(rec, out, a, a, null, 5, 5, 7, { bFormat: 'bf16' as 'f16' })).toThrow(/bFormat must be 'f32' or 'f16', got bf16/);
    expect(rec.count).toBe(0);
    matmul(rec, out, a, gpu.buffers.storage('test', 'b72', 72), null, 5, 5, 7, { bFormat: 'f16' });
    expect(rec.count).toBe(1);
    rec.clear();
    rec.destroy();
    gpu.buffers.releasePool('test');
  });

  it('takes the whole-word entry points when the layout allows (transB with even K, plain with even N)', async () => {
    const gpu = await testGpu();
    const rec = new Recorder(gpu);
    const buf = gpu.buffers.storage('test', 'any', 4096);
    const other = gpu.buffers.storage('test', 'other', 4096);
    const label = (K: number, N: number, opts: MatmulOptions) => {
      matmul(rec, buf, other, other, null, 3, K, N, opts);
      return rec.labels.at(-1)?.replace(/ wg\d+x\d+$/, ''); // (the workgroup shape is matmulPlan's business)
    };
    expect(label(6, 5, { transB: true, bFormat: 'f16' })).toBe('matmul 3x6x5 tB b16 f16_k');
    expect(label(5, 6, { transB: true, bFormat: 'f16' })).toBe('matmul 3x5x6 tB b16');
    expect(label(5, 6, { bFormat: 'f16' })).toBe('matmul 3x5x6 b16 f16_n');
    expect(label(6, 5, { transA: true, bFormat: 'f16' })).toBe('matmul 3x6x5 tA b16');
    expect(label(6, 6, { transB: true })).toBe('matmul 3x6x6 tB');
    rec.clear();
    rec.destroy();
    gpu.buffers.releasePool('test');
  });
});

// Offsets place each matrix inside a larger buffer (the chunked LM head reads and writes row blocks this way): the
// product must equal the plain one, and nothing outside out's range may change. Every layout, f32 and f16 b (an even
// bOffset: whole words), on shapes that take each f16 entry point.
describe('matmul with element offsets', () => {
  const shapes: [number, number, number][] = [[3, 5, 7], [9, 62, 66], [10, 16, 8]];
  for (const bFormat of ['f32', 'f16'] as const) {
    it(`matches the plain product at aOffset / bOffset / outOffset, b ${bFormat}`, async () => {
      const gpu = await testGpu();
      let seed = 900;
      for (const layout of LAYOUTS) {
        for (const [M, K, N] of shapes) {
          seed += 10;
          const [aOff, bOff, outOff] = [13, bFormat === 'f16' ? 6 : 11, 7];
          const a = randomArray(M * K, seed);
          const b = bFormat === 'f16' ? roundToF16(randomArray(K * N, seed + 1)) : randomArray(K * N, seed + 1);
          const init = randomArray(M * N, seed + 2);
          const pad = (x: Float32Array, off: number, fill: number) => {
            const out = new Float32Array(off + x.length + 5).fill(fill);
            out.set(x, off);
            return out;
          };
          const bPadded = pad(b, bOff, 0.25);
          const opts: MatmulOptions = { ...layout, bFormat, accumulate: seed % 20 === 0, alpha: 0.75, aOffset: aOff, bOffset: bOff, outOffset: outOff };
          const bufs = {
            a: gpu.buffers.fromData('test', 'a', pad(a, aOff, 9)),
            b: gpu.buffers.fromData('test', 'b', bFormat === 'f16' ? packF16(bPadded) : bPadded),
            out: gpu.buffers.fromData('test', 'out', pad(init, outOff, 5)),
          };
          const rec = new Recorder(gpu);
          matmul(rec, bufs.out, bufs.a, bufs.b, null, M, K, N, opts);
          rec.submit();
          rec.destroy();
          const got = await readF32(gpu.device, bufs.out);
          gpu.buffers.releasePool('test');
          const want = init.slice();
          matmulRef(want, a, b, null, M, K, N, opts);
          const what = `${M}x${K}x${N} transA=${layout.transA} transB=${layout.transB} b=${bFormat}`;
          expectClose(got.subarray(outOff, outOff + M * N), want, TOL, what);
          expect([...got.subarray(0, outOff), ...got.subarray(outOff + M * N)].every((v) => v === 5), `${what}: outside out`).toBe(true);
        }
      }
    });
  }

  it('checks the buffers hold offset + elements, and an f16 b an even bOffset', async () => {
    const gpu = await testGpu();
    const rec = new Recorder(gpu);
    const buf = gpu.buffers.storage('test', 'x', 64);
    const out = gpu.buffers.storage('test', 'out', 64);
    expect(() => matmul(rec, out, buf, buf, null, 4, 4, 4, { aOffset: 1 })).toThrow(/a \(M=4, K=4\) needs 68 bytes but its buffer has 64/);
    expect(() => matmul(rec, out, buf, buf, null, 2, 2, 2, { outOffset: 13 })).toThrow(/out \(M=2, N=2\) needs 68 bytes/);
    expect(() => matmul(rec, out, buf, buf, null, 2, 2, 2, { bFormat: 'f16', bOffset: 3 })).toThrow(/even bOffset/);
    expect(rec.count).toBe(0);
    gpu.buffers.releasePool('test');
  });
});
