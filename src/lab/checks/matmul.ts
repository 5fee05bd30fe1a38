/**
 * matmul on the page's WebGPU adapter vs the CPU reference: odd random shapes (not multiples of the 8x8 block, the
 * 64x64 workgroup tile or 4) in all four layouts, with alpha, bias and accumulate varied per case.
 */
import type { Gpu } from '../../engine/gpu/device';
import { Recorder } from '../../engine/gpu/recorder';
import { readF32 } from '../../engine/gpu/buffers';
import { matmul } from '../../engine/kernels/matmul';
import { matmul as matmulRef } from '../../engine/reference/matmul';
import { maxError, randomArray, randomInts } from '../../testing/numeric';
import type { CheckCase, CheckOptions } from './types';

// uniform(−1, 1) inputs, K < 200: f32 sums stay far inside this (see matmul.test.ts).
const TOLERANCE = { rtol: 1e-4, atol: 1e-4 };

export async function run(gpu: Gpu, { seed = 1 }: CheckOptions) {
  const int = randomInts(seed);
  const odd = (lo: number, hi: number) => int(lo, hi) | 1;
  // Fixed corner cases, then random odd shapes; one spans several workgroups in both directions.
  const shapes: [number, number, number][] = [[1, 1, 1], [67, 45, 131]];
  for (let i = 0; i < 6; i++) shapes.push([odd(1, 90), odd(1, 120), odd(1, 90)]);

  const cases: CheckCase[] = [];
  let caseSeed = seed * 1000;
  for (const [M, K, N] of shapes) {
    for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]]) {
      caseSeed += 10;
      const opts = { transA, transB, alpha: int(0, 1) ? 1 : -0.7, accumulate: int(0, 1) === 1 };
      const withBias = int(0, 1) === 1;
      const a = randomArray(M * K, caseSeed);
      const b = randomArray(K * N, caseSeed + 1);
      const bias = withBias ? randomArray(N, caseSeed + 2) : null;
      const init = randomArray(M * N, caseSeed + 3);

      const rec = new Recorder(gpu);
      const out = gpu.buffers.fromData('lab', 'out', init);
      matmul(rec, out, gpu.buffers.fromData('lab', 'a', a), gpu.buffers.fromData('lab', 'b', b),
        bias ? gpu.buffers.fromData('lab', 'bias', bias) : null, M, K, N, opts);
      rec.submit();
      const got = await readF32(gpu.device, out, 0, M * N);
      gpu.buffers.releasePool('lab');
      rec.destroy();

      const want = init.slice();
      matmulRef(want, a, b, bias, M, K, N, opts);
      const worst = maxError(got, want, TOLERANCE, false);
      const label = `${M}x${K}x${N} transA=${transA} transB=${transB} alpha=${opts.alpha} accumulate=${opts.accumulate} bias=${withBias} (seed ${caseSeed})`;
      cases.push({ label, ok: worst.excess <= 0, worst });
    }
  }
  return { tolerance: TOLERANCE, cases, ok: cases.every((c) => c.ok) };
}
