/**
 * One LoRA linear module, forward and backward, on the GPU against a CPU computation of PEFT's formulas with the
 * reference kernels (reference/matmul.ts, reference/dropout.ts): both layouts, LoRA dropout on and off, the residual
 * input, accumulated dx, and both the matvec rows of a decoding step (unfused) and the matmul rows of training
 * (LoRA terms folded into the base product's epilogue, or separate dispatches: linearFoldPolicy, both forced here).
 * The whole-model tests (families.test.ts) run dropout 0 only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { matmul as mm } from '../reference/matmul';
import { dropoutBackward, dropoutForward } from '../reference/dropout';
import { linearBackward, linearFoldPolicy, linearForward, type Linear } from './linear';

const TOL = { rtol: 1e-4, atol: 1e-5 };

const DEFAULT_FOLD = linearFoldPolicy.fold;
afterEach(async () => {
  linearFoldPolicy.fold = DEFAULT_FOLD;
  (await testGpu()).buffers.releasePool('test');
});

interface Case {
  layout: 'linear' | 'conv1d';
  N: number;
  dropout: number;
  residual: boolean;
  accumulateDx: boolean;
}

const CASES: Case[] = [
  { layout: 'linear', N: 11, dropout: 0, residual: true, accumulateDx: false },
  { layout: 'linear', N: 11, dropout: 0.3, residual: false, accumulateDx: true },
  { layout: 'conv1d', N: 13, dropout: 0.2, residual: true, accumulateDx: false },
  { layout: 'conv1d', N: 9, dropout: 0, residual: false, accumulateDx: true },
  { layout: 'linear', N: 3, dropout: 0.25, residual: true, accumulateDx: true }, // matvec rows (forward unfused)
];

describe('linear module with LoRA: GPU vs CPU formulas', () => {
  for (const fold of ['on', 'off'] as const) for (const c of CASES) {
    it(`${c.layout}, N ${c.N}, dropout ${c.dropout}${c.residual ? ', residual' : ''}${c.accumulateDx ? ', dx accumulated' : ''}, fold ${fold}`, async () => {
      linearFoldPolicy.fold = fold;
      const gpu = await testGpu();
      const { N } = c;
      const inF = 14, outF = 10, r = 3, scale = 1.5, seed = 12345;
      const W = randomArray(inF * outF, 1), bias = randomArray(outF, 2), A = randomArray(r * inF, 3), B = randomArray(outF * r, 4);
      const x = randomArray(N * inF, 5), res = randomArray(N * outF, 6), dy = randomArray(N * outF, 7);
      const dx0 = randomArray(N * inF, 8), dA0 = randomArray(r * inF, 9), dB0 = randomArray(outF * r, 10);
      const buf = (what: string, v: Float32Array) => gpu.buffers.fromData('test', what, v);
      const lin: Linear = {
        path: 'test.proj', inF, outF, layout: c.layout, weight: buf('W', W), weightFormat: 'f32', bias: buf('bias', bias),
        dWeight: null, dBias: null,
        lora: { r, scale, dropout: c.dropout, A: buf('A', A), B: buf('B', B), dA: buf('dA', dA0), dB: buf('dB', dB0) },
      };
      const s = { u: buf('u', new Float32Array(N * r)), du: buf('du', new Float32Array(N * r)), xDrop: buf('xDrop', new Float32Array(N * inF)), seed };
      const gY = buf('y', new Float32Array(N * outF)), gX = buf('x', x), gRes = buf('res', res), gDy = buf('dy', dy), gDx = buf('dx', dx0);
      const rec = new Recorder(gpu);
      linearForward(rec, gY, gX, lin, N, s, false, c.residual ? gRes : null);
      linearBackward(rec, gDx, gDy, gX, lin, N, s, c.accumulateDx);
      rec.submit();
      const read = (b: GPUBuffer, n: number) => readF32(gpu.device, b, 0, n);

      // CPU: PEFT's y = x·op(W) + b + s·(dropout(x)·Aᵀ)·Bᵀ (+ residual) and its gradients.
      const transB = c.layout === 'linear';
      const xd = new Float32Array(N * inF);
      dropoutForward(xd, x, N * inF, c.dropout, seed);
      const u = new Float32Array(N * r);
      mm(u, xd, A, null, N, inF, r, { transB: true });
      const y = c.residual ? res.slice() : new Float32Array(N * outF);
      mm(y, x, W, bias, N, inF, outF, { transB, accumulate: true });
      mm(y, u, B, null, N, r, outF, { transB: true, alpha: scale, accumulate: true });
      const du = new Float32Array(N * r);
      mm(du, dy, B, null, N, outF, r, { alpha: scale });
      const dx = c.accumulateDx ? dx0.slice() : new Float32Array(N * inF);
      mm(dx, dy, W, null, N, outF, inF, { transB: !transB, accumulate: true });
      const duA = new Float32Array(N * inF);
      mm(duA, du, A, null, N, r, inF, {});
      dropoutBackward(dx, duA, N * inF, c.dropout, seed, { accumulate: true });
      const dA = dA0.slice(), dB = dB0.slice();
      mm(dA, du, xd, null, r, N, inF, { transA: true, accumulate: true });
      mm(dB, dy, u, null, outF, N, r, { transA: true, alpha: scale, accumulate: true });

      expectClose(await read(gY, N * outF), y, TOL, 'y');
      expectClose(await read(s.u, N * r), u, TOL, 'u');
      expectClose(await read(gDx, N * inF), dx, TOL, 'dx');
      expectClose(await read(lin.lora!.dA!, r * inF), dA, TOL, 'dA');
      expectClose(await read(lin.lora!.dB!, outF * r), dB, TOL, 'dB');
      if (c.dropout > 0) expect(Array.from(xd)).toContain(0); // the mask really drops
    });
  }
});
