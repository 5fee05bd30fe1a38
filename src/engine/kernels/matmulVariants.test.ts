// Every matmul kernel variant (matmulPlan.ts) against the f64 reference: the vec4-along-k entry point, skinny and
// square workgroups, split-K with forced and automatic chunking — on the products of a LoRA linear at awkward sizes
// (ranks 1, 8, 16, 64; hidden sizes 576 and 896; token counts that no chunk length divides).
import { afterEach, describe, expect, it } from 'vitest';
import { testGpu, testGpuAs } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import type { Gpu } from '../gpu/device';
import { matmul, type MatmulOptions } from './matmul';
import { forceMatmulKernels, parseMatmulChoice, planMatmul, SPLITK_SCRATCH_FLOATS, type MatmulKernelChoice } from './matmulPlan';
import { matmul as matmulRef } from '../reference/matmul';
import { packF16, roundToF16 } from '../transformer/weights';

// K reaches 896 here (inputs uniform(-1, 1)): f32 sums in another order than the f64 reference stay within ~1e-5·√K.
const TOL = { rtol: 2e-4, atol: 2e-4 };

interface Product {
  M: number;
  K: number;
  N: number;
  opts: MatmulOptions;
}

/** The five products of a LoRA linear with in = out = C, rank r, T tokens (see src/engine/transformer/linear.ts). */
function loraProducts(T: number, C: number, r: number): Product[] {
  return [
    { M: T, K: C, N: r, opts: { transB: true, splitK: true } }, // u = x·Aᵀ
    { M: T, K: r, N: C, opts: { transB: true, alpha: 2, accumulate: true, splitK: true } }, // y += s·u·Bᵀ
    { M: C, K: T, N: r, opts: { transA: true, alpha: 2, accumulate: true, splitK: true } }, // dB += s·dyᵀ·u
    { M: T, K: C, N: r, opts: { alpha: 2, splitK: true } }, // du = s·dy·B
    { M: r, K: T, N: C, opts: { transA: true, accumulate: true, splitK: true } }, // dA += duᵀ·x
  ];
}

async function run(gpu: Gpu, p: Product, seed: number, bias = false): Promise<{ got: Float32Array; want: Float32Array; labels: string[] }> {
  const { M, K, N, opts } = p;
  const f16 = opts.bFormat === 'f16';
  const a = randomArray(M * K, seed);
  const b = f16 ? roundToF16(randomArray(K * N, seed + 1)) : randomArray(K * N, seed + 1);
  const bs = bias ? randomArray(N, seed + 2) : null;
  const init = randomArray(M * N, seed + 3);
  const rec = new Recorder(gpu);
  const out = gpu.buffers.fromData('test', 'out', init);
  matmul(rec, out, gpu.buffers.fromData('test', 'a', a), gpu.buffers.fromData('test', 'b', f16 ? packF16(b) : b),
    bs ? gpu.buffers.fromData('test', 'bias', bs) : null, M, K, N, opts);
  const labels = rec.labels;
  rec.submit();
  const got = await readF32(gpu.device, out, 0, M * N);
  gpu.buffers.releasePool('test');
  rec.destroy();
  const want = init.slice();
  matmulRef(want, a, b, bs, M, K, N, opts);
  return { got, want, labels };
}

const name = (p: Product) =>
  `${p.M}x${p.K}x${p.N}${p.opts.transA ? ' tA' : ''}${p.opts.transB ? ' tB' : ''}${p.opts.bFormat === 'f16' ? ' f16' : ''}`;

afterEach(() => forceMatmulKernels(null));

describe('matmul variants on LoRA products', () => {
  const choices: Partial<MatmulKernelChoice>[] = [
    { vec4: 'on', splitK: 'off', wgShape: 'auto' },
    { vec4: 'off', splitK: 'off', wgShape: 'square' },
    { vec4: 'on', splitK: 8, wgShape: 'auto' },
    { vec4: 'off', splitK: 64, wgShape: 'square' },
    { vec4: 'on', splitK: 100, wgShape: 'auto' },
  ];
  const sizes: [number, number, number][] = [
    [37, 576, 1],
    [301, 576, 8],
    [130, 896, 16],
    [67, 576, 64],
  ];
  choices.forEach((choice, ci) => {
    it(`match the reference with ${JSON.stringify(choice)}`, async () => {
      const gpu = await testGpu();
      forceMatmulKernels(choice);
      const [T, C, r] = sizes[ci % sizes.length];
      let seed = 1000 * ci;
      for (const p of loraProducts(T, C, r)) {
        const { got, want, labels } = await run(gpu, p, (seed += 10));
        expectClose(got, want, TOL, `${name(p)} ${labels.join(' / ')}`);
        if (typeof choice.splitK === 'number' && p.K > choice.splitK) expect(labels.join(' / ')).toContain('splitK sum');
        if (choice.vec4 === 'on' && p.opts.transB && p.K % 4 === 0) expect(labels[0]).toContain(' k4');
        if (choice.vec4 === 'off') expect(labels.join(' / ')).not.toContain(' k4');
        if (choice.splitK === 'off') expect(labels.join(' / ')).not.toContain('splitK');
      }
    });
  });

  it('split the long-K LoRA gradients automatically on a hardware adapter, never on a CPU one, with equal results', async () => {
    const hw = await testGpuAs('gpu');
    const cpu = await testGpuAs('cpu');
    let seed = 7;
    for (const p of loraProducts(1029, 576, 8)) {
      const onGpu = await run(hw, p, (seed += 10));
      expectClose(onGpu.got, onGpu.want, TOL, `gpu-class ${name(p)} ${onGpu.labels.join(' / ')}`);
      // K = B·T (dB, dA) or K = C (u, du): few output blocks, long K — split; the LoRA-up product (K = r) never.
      expect(onGpu.labels.some((l) => l.includes('splitK')), onGpu.labels.join()).toBe(p.K > 64);
      const onCpu = await run(cpu, p, seed);
      expect(onCpu.labels.some((l) => l.includes('splitK'))).toBe(false);
      expectClose(onCpu.got, onGpu.want, TOL, `cpu-class ${name(p)}`);
    }
  });

  it('split-K keeps bias, f16 b, offsets and both transposes; results are bitwise repeatable', async () => {
    const gpu = await testGpu();
    forceMatmulKernels({ splitK: 12 });
    const products: Product[] = [
      { M: 19, K: 61, N: 33, opts: { transA: true, transB: true, alpha: -0.5, splitK: true } },
      { M: 9, K: 50, N: 70, opts: { transB: true, bFormat: 'f16', accumulate: true, splitK: true } },
      { M: 9, K: 50, N: 70, opts: { bFormat: 'f16', alpha: 3, splitK: true } },
      { M: 70, K: 13, N: 5, opts: { splitK: true } },
    ];
    let seed = 500;
    for (const p of products) {
      const first = await run(gpu, p, (seed += 10), true);
      expectClose(first.got, first.want, TOL, `${name(p)} ${first.labels.join(' / ')}`);
      expect(first.labels.at(-1)).toContain('splitK sum');
      const again = await run(gpu, p, seed, true);
      expect(again.got).toEqual(first.got);
    }
  });

  it('split-K writes only out[outOffset, outOffset + M·N) and reads a / b at their offsets', async () => {
    const gpu = await testGpu();
    forceMatmulKernels({ splitK: 8, vec4: 'on' });
    const [M, K, N, aOffset, bOffset, outOffset] = [6, 40, 10, 12, 8, 5];
    const a = randomArray(aOffset + M * K, 1);
    const b = randomArray(bOffset + K * N, 2);
    const init = randomArray(outOffset + M * N + 7, 3);
    const out = gpu.buffers.fromData('test', 'out', init);
    const rec = new Recorder(gpu);
    const opts: MatmulOptions = { transB: true, accumulate: true, aOffset, bOffset, outOffset, splitK: true };
    matmul(rec, out, gpu.buffers.fromData('test', 'a', a), gpu.buffers.fromData('test', 'b', b), null, M, K, N, opts);
    expect(rec.labels.join(' / ')).toMatch(/k4.*splitK 5x8.*splitK sum/);
    rec.submit();
    const got = await readF32(gpu.device, out, 0, init.length);
    gpu.buffers.releasePool('test');
    rec.destroy();
    const want = init.slice();
    const part = want.slice(outOffset, outOffset + M * N);
    matmulRef(part, a.subarray(aOffset), b.subarray(bOffset), null, M, K, N, { transB: true, accumulate: true });
    want.set(part, outOffset);
    expectClose(got, want, TOL);
  });

  it('runs a row-wise product in row blocks when its partials overflow the scratch; other products never split', async () => {
    const gpu = await testGpu();
    forceMatmulKernels({ splitK: 4 });
    const p: Product = { M: 300, K: 200, N: 256, opts: { alpha: 0.5, accumulate: true, splitK: true } };
    const { got, want, labels } = await run(gpu, p, 77);
    expectClose(got, want, TOL);
    expect(labels.filter((l) => l.includes('splitK 50x4 rows')).length).toBe(Math.ceil(300 / Math.floor(SPLITK_SCRATCH_FLOATS / (50 * 256))));
    const plain = await run(gpu, { ...p, opts: { ...p.opts, splitK: false } }, 77);
    expect(plain.labels.join()).not.toContain('splitK');
    expectClose(plain.got, want, TOL);
  });
});

describe('matmulPlan', () => {
  const base = { transA: false, transB: false, bFormat: 'f32' as const, aOffset: 0, bOffset: 0, splitK: true };
  it('splits allowed long-K products on hardware, into chunks that cover K and fit the scratch', () => {
    for (const transA of [false, true]) {
      for (const [M, K, N] of [[576, 2048, 8], [8, 2048, 576], [2048, 576, 8], [64, 65536, 4096], [8, 257, 8]]) {
        const plan = planMatmul({ ...base, transA, M, K, N }, false);
        const what = `${M}x${K}x${N} transA=${transA}`;
        expect(plan.chunks, what).toBeGreaterThan(1);
        expect(plan.kChunk % 4).toBe(0);
        expect((plan.chunks - 1) * plan.kChunk).toBeLessThan(K);
        expect(plan.chunks * plan.kChunk).toBeGreaterThanOrEqual(K);
        expect(plan.chunks * plan.rows * N, what).toBeLessThanOrEqual(SPLITK_SCRATCH_FLOATS);
        if (transA) expect(plan.rows).toBe(M);
        expect(planMatmul({ ...base, transA, M, K, N }, true).chunks).toBe(1); // never on a CPU adapter
        expect(planMatmul({ ...base, transA, M, K, N, splitK: false }, false).chunks).toBe(1); // nor when not allowed
      }
    }
    expect(planMatmul({ ...base, transA: true, M: 2048, K: 4096, N: 2048 }, false).chunks).toBe(1); // enough blocks already
    expect(planMatmul({ ...base, M: 2048, K: 8, N: 576 }, false).chunks).toBe(1); // short K
  });

  it('chunks a row-wise product by K alone, so a row does not depend on how many rows come with it', () => {
    const one = planMatmul({ ...base, M: 1, K: 576, N: 8 }, false);
    for (const M of [7, 512, 2048, 100000]) expect(planMatmul({ ...base, M, K: 576, N: 8 }, false)).toMatchObject({ kChunk: one.kChunk, chunks: one.chunks });
  });

  it('gives skinny products skinny workgroups and takes main_k4 only for aligned f32 x·Wᵀ', () => {
    expect(planMatmul({ ...base, M: 2048, K: 576, N: 8 }, true)).toMatchObject({ wgX: 1, wgY: 64 });
    expect(planMatmul({ ...base, M: 8, K: 2048, N: 576 }, true)).toMatchObject({ wgX: 64, wgY: 1 });
    expect(planMatmul({ ...base, M: 2048, K: 576, N: 16 }, true)).toMatchObject({ wgX: 2, wgY: 32 });
    expect(planMatmul({ ...base, M: 512, K: 576, N: 576 }, true)).toMatchObject({ wgX: 8, wgY: 8 });
    const tB = { ...base, transB: true, M: 64, K: 64, N: 64 };
    expect(planMatmul(tB, false).entryPoint).toBe('main_k4');
    expect(planMatmul({ ...tB, K: 62 }, false).entryPoint).toBe('main');
    expect(planMatmul({ ...tB, aOffset: 2 }, false).entryPoint).toBe('main');
    expect(planMatmul({ ...tB, transA: true }, false).entryPoint).toBe('main');
    expect(planMatmul({ ...tB, bFormat: 'f16' }, false).entryPoint).toBe('main_f16_k');
    forceMatmulKernels({ vec4: 'off' });
    expect(planMatmul(tB, false).entryPoint).toBe('main');
  });

  it('reads STUDIO_MATMUL-style choices and rejects typos', () => {
    expect(parseMatmulChoice('vec4=on, splitK=8,wgShape=square')).toEqual({ vec4: 'on', splitK: 8, wgShape: 'square' });
    expect(parseMatmulChoice('splitK=auto')).toEqual({ splitK: 'auto' });
    expect(() => parseMatmulChoice('splitK=6')).toThrow(/multiple of 4/);
    expect(() => parseMatmulChoice('vec=on')).toThrow(/vec=on/);
  });
});
