/**
 * The matmul epilogue terms (addend = residual, lowRank = a LoRA update folded into the base product) against
 * (1) the CPU reference (reference/matmul.ts) and (2) the unfused GPU sequence they replace —
 * copy + accumulate, and base product + a separate accumulating rank-r product — which they must equal bit for bit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { matmul, type MatmulOptions } from './matmul';
import { copy } from './residual';
import { dropoutBackward } from './dropout';
import * as dropoutRef from '../reference/dropout';
import { matmul as matmulRef } from '../reference/matmul';
import { packF16, roundToF16 } from '../transformer/weights';

const TOL = { rtol: 1e-4, atol: 1e-4 };

afterEach(async () => (await testGpu()).buffers.releasePool('test'));

interface Case {
  name: string;
  M: number;
  K: number;
  N: number;
  r: number;
  transB: boolean;
  /** lowRank V: 'Bt' = B (N, r) read transposed (LoRA forward), 'A' = A (r, N) (LoRA backward); null: none. */
  v: 'Bt' | 'A' | null;
  residual: boolean;
  accumulate: boolean;
  bias: boolean;
  f16?: boolean;
  alpha?: number;
}

const CASES: Case[] = [
  { name: 'LoRA forward into the residual (o_proj), odd sizes', M: 13, K: 37, N: 22, r: 3, transB: true, v: 'Bt', residual: true, accumulate: false, bias: false },
  { name: 'LoRA forward with bias (c_attn-like conv1d: plain b), r 8', M: 19, K: 24, N: 30, r: 8, transB: false, v: 'Bt', residual: false, accumulate: false, bias: true },
  { name: 'residual + bias, no LoRA (GPT-2 c_proj)', M: 9, K: 40, N: 17, r: 1, transB: false, v: null, residual: true, accumulate: false, bias: true },
  { name: 'LoRA backward dx += du·A, accumulating (k after q)', M: 21, K: 15, N: 26, r: 5, transB: false, v: 'A', residual: false, accumulate: true, bias: false },
  { name: 'LoRA backward, written, f16 base weight, vec4 layout', M: 16, K: 32, N: 24, r: 8, transB: true, v: 'A', residual: false, accumulate: false, bias: false, f16: true },
  { name: 'LoRA forward, f16 base weight, K multiple of 4 (main_k4 / f16 words), alpha 0.5', M: 12, K: 64, N: 40, r: 4, transB: true, v: 'Bt', residual: true, accumulate: false, bias: true, alpha: 0.5 },
];

describe('matmul epilogue: residual addend and folded rank-r update', () => {
  for (const c of CASES) {
    it(`${c.name}: = reference, and = the unfused dispatches bit for bit`, async () => {
      const gpu = await testGpu();
      const { M, K, N, r } = c;
      const seed = M * 7 + K;
      const a = randomArray(M * K, seed);
      const b = c.f16 ? roundToF16(randomArray(K * N, seed + 1)) : randomArray(K * N, seed + 1);
      const bias = c.bias ? randomArray(N, seed + 2) : null;
      const init = randomArray(M * N, seed + 3); // out's previous value (accumulate) or the residual (addend)
      const u = randomArray(M * r, seed + 4);
      const v = randomArray(r * N, seed + 5); // B (N, r) or A (r, N), both N·r values
      const s = 1.75;
      const base: MatmulOptions = { transB: c.transB, bFormat: c.f16 ? 'f16' : 'f32', alpha: c.alpha };
      const lrOpts: MatmulOptions =
        c.v === 'Bt' ? { transB: true, alpha: s, accumulate: true } : { transB: false, alpha: s, accumulate: true };
      const buf = (what: string, x: Float32Array | Uint32Array) => gpu.buffers.fromData('test', what, x);
      const gA = buf('a', a), gB = buf('b', c.f16 ? packF16(b) : b), gBias = bias ? buf('bias', bias) : null;
      const gInit = buf('init', init), gU = buf('u', u), gV = buf('v', v);
      const fused = buf('fused', c.residual ? new Float32Array(M * N) : init), unfused = buf('unfused', c.residual ? new Float32Array(M * N) : init);

      const rec = new Recorder(gpu);
      matmul(rec, fused, gA, gB, gBias, M, K, N, {
        ...base,
        accumulate: c.accumulate,
        addend: c.residual ? gInit : undefined,
        lowRank: c.v ? { u: gU, v: gV, r, alpha: s, vStrideJ: c.v === 'Bt' ? 1 : N, vStrideN: c.v === 'Bt' ? r : 1 } : undefined,
      });
      if (c.residual) copy(rec, unfused, gInit, M * N);
      matmul(rec, unfused, gA, gB, gBias, M, K, N, { ...base, accumulate: c.accumulate || c.residual });
      if (c.v) matmul(rec, unfused, gU, gV, null, M, r, N, lrOpts);
      expect(rec.labels[0]).toMatch(c.v ? new RegExp(`\\+rank${r}$`) : /\+residual$/);
      rec.submit();
      const got = await readF32(gpu.device, fused, 0, M * N);
      const want = await readF32(gpu.device, unfused, 0, M * N);
      expect(Array.from(got)).toEqual(Array.from(want));

      const ref = init.slice();
      matmulRef(ref, a, b, bias, M, K, N, { ...base, accumulate: c.accumulate || c.residual });
      if (c.v) matmulRef(ref, u, v, null, M, r, N, lrOpts);
      expectClose(got, ref, TOL, c.name);
    });
  }

  for (const [p, accumulate] of [[0.1, true], [0.5, false]] as const) {
    it(`LoRA backward with dropout p=${p}: dx ${accumulate ? '+' : ''}= dy·W + dropout'(du·A) = matmul into scratch + dropout_backward, bit for bit`, async () => {
      const gpu = await testGpu();
      const M = 23, K = 19, N = 34, r = 6, seed = 0xdeadbeef;
      const a = randomArray(M * K, 1), b = randomArray(K * N, 2), init = randomArray(M * N, 3);
      const u = randomArray(M * r, 4), v = randomArray(r * N, 5);
      const buf = (what: string, x: Float32Array) => gpu.buffers.fromData('test', what, x);
      const gA = buf('a', a), gB = buf('b', b), gU = buf('u', u), gV = buf('v', v);
      const fused = buf('fused', init), unfused = buf('unfused', init), scratch = buf('scratch', new Float32Array(M * N));
      const rec = new Recorder(gpu);
      matmul(rec, fused, gA, gB, null, M, K, N, { accumulate, lowRank: { u: gU, v: gV, r, alpha: 1, vStrideJ: N, vStrideN: 1, dropout: { p, seed } } });
      matmul(rec, unfused, gA, gB, null, M, K, N, { accumulate });
      matmul(rec, scratch, gU, gV, null, M, r, N, {});
      dropoutBackward(rec, unfused, scratch, M * N, p, seed, { accumulate: true });
      rec.submit();
      const got = await readF32(gpu.device, fused, 0, M * N);
      expect(Array.from(got)).toEqual(Array.from(await readF32(gpu.device, unfused, 0, M * N)));

      const ref = accumulate ? init.slice() : new Float32Array(M * N);
      matmulRef(ref, a, b, null, M, K, N, { accumulate: true });
      const t = new Float32Array(M * N);
      matmulRef(t, u, v, null, M, r, N, {});
      dropoutRef.dropoutBackward(ref, t, M * N, p, seed, { accumulate: true });
      expectClose(got, ref, TOL, 'vs reference');
      let dropped = 0;
      for (let i = 0; i < M * N; i++) if (!dropoutRef.dropoutKeep(seed, i, p)) dropped++;
      expect(dropped / (M * N)).toBeGreaterThan(p / 2); // the mask really drops
    });
  }

  it('rejects epilogues it cannot apply', async () => {
    const gpu = await testGpu();
    const x = gpu.buffers.storage('test', 'x', 4 * 64), y = gpu.buffers.storage('test', 'y', 4 * 64), w = gpu.buffers.storage('test', 'w', 4 * 64);
    const rec = new Recorder(gpu);
    expect(() => matmul(rec, y, x, w, null, 4, 4, 4, { addend: x, accumulate: true })).toThrow(/addend and accumulate/);
    expect(() => matmul(rec, y, x, w, null, 4, 4, 4, { addend: y })).toThrow(/addend must not be out/);
    expect(() => matmul(rec, y, x, w, null, 4, 4, 4, { lowRank: { u: x, v: w, r: 0, alpha: 1, vStrideJ: 1, vStrideN: 1 } })).toThrow(/lowRank.r/);
    expect(() => matmul(rec, y, x, w, null, 4, 4, 4, { lowRank: { u: x, v: w, r: 20, alpha: 1, vStrideJ: 1, vStrideN: 20 } })).toThrow(/lowRank u \(M=4, r=20\) needs 320 bytes/);
    expect(() => matmul(rec, y, x, w, null, 4, 4, 4, { addend: gpu.buffers.storage('test', 'small', 16) })).toThrow(/addend \(M=4, N=4\) needs 64 bytes/);
    const lr = { u: x, v: w, r: 2, alpha: 1, vStrideJ: 4, vStrideN: 1 };
    expect(() => matmul(rec, y, x, w, null, 2, 2, 4, { lowRank: { ...lr, dropout: { p: 1, seed: 1 } } })).toThrow(/dropout.p must be in \(0, 1\)/);
    expect(() => matmul(rec, y, x, w, null, 2, 2, 4, { lowRank: { ...lr, dropout: { p: 0.1, seed: -1 } } })).toThrow(/seed must be a u32/);
    expect(() => matmul(rec, y, x, w, null, 2, 2, 4, { outOffset: 4, lowRank: { ...lr, dropout: { p: 0.1, seed: 1 } } })).toThrow(/outOffset must be 0/);
    expect(rec.count).toBe(0);
  });
});
