import { describe, it, expect, afterEach } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { dot, numericGrad, random64 } from '../../testing/finiteDiff';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { ropeForward, ropeBackward, ropeForwardQK, ropeBackwardQK } from './rope';
import * as ref from '../reference/rope';

// Tolerances: GPU vs reference atol 2e-6 + rtol 1e-5 on O(1) inputs. Both use the same f32 angle; the GPU then
// range-reduces it and evaluates its own f32 cos/sin polynomials (measured here to 1e-6 absolute, whereas
// SwiftShader's built-in cos is off by ~2e-4 in [−π, π] and ~6e-3 at 1e5 rad), the reference float64 Math.cos.
// Reference backward vs float64 central differences: rtol 1e-6, atol 1e-8 (RoPE is linear in x).
const TOL = { rtol: 1e-5, atol: 2e-6 };

afterEach(async () => (await testGpu()).buffers.releasePool('test'));

function randomPositions(N: number, seed: number, max: number): Uint32Array {
  return Uint32Array.from(randomArray(N, seed), (v) => Math.floor(((v + 1) / 2) * max));
}

describe('rope reference', () => {
  it('rotates the pair (i, i + d/2) by position·invFreq[i] (rotate-half convention)', () => {
    const x = new Float64Array([1, 0, 0, 0, 0, 1, 0, 0]); // 2 heads, headDim 4
    ref.ropeForward(x, new Uint32Array([3]), new Float32Array([1, 0.5]), 1, 2, 4);
    const a = Math.fround(3), b = Math.fround(1.5);
    expectClose(x, [Math.cos(a), 0, Math.sin(a), 0, 0, Math.cos(b), 0, Math.sin(b)], { rtol: 1e-12, atol: 1e-12 });
  });

  it('ropeInvFreq follows 1 / theta^(2i/d)', () => {
    const f = ref.ropeInvFreq(64, 10000);
    expect(f.length).toBe(32);
    expect(f[0]).toBe(1);
    expectClose(f, Array.from({ length: 32 }, (_, i) => 1 / Math.pow(10000, (2 * i) / 64)), { rtol: 1e-6, atol: 0 });
    expect(() => ref.ropeInvFreq(63, 10000)).toThrow(/even/);
  });

  for (const R of [6, 4, 2]) {
    it(`backward is the gradient of the forward (finite differences, float64), headDim 6, rotaryDim ${R}`, () => {
      const N = 3, H = 2, D = 6;
      const x = random64(N * H * D, 1), dout = random64(N * H * D, 2);
      const pos = new Uint32Array([0, 7, 123]), inv = ref.ropeInvFreq(R, 10000);
      const loss = () => {
        const y = x.slice();
        ref.ropeForward(y, pos, inv, N, H, D, { rotaryDim: R });
        return dot(y, dout);
      };
      const dx = dout.slice();
      ref.ropeBackward(dx, pos, inv, N, H, D, { rotaryDim: R });
      expectClose(dx, numericGrad(loss, x), { rtol: 1e-6, atol: 1e-8 }, 'dx');
    });
  }

  it('partial rotary: the first rotaryDim dims of each head rotate as a full RoPE of that width, the rest pass through', () => {
    const N = 4, H = 3, D = 10, R = 6;
    const x = random64(N * H * D, 3), pos = new Uint32Array([0, 5, 77, 1000]), inv = ref.ropeInvFreq(R, 10000);
    const y = x.slice();
    ref.ropeForward(y, pos, inv, N, H, D, { rotaryDim: R });
    // The rotated part: gather the leading R dims of every head into an (N, H·R) tensor and rotate it in full.
    const rot = new Float64Array(N * H * R);
    for (let r = 0; r < N * H; r++) rot.set(x.subarray(r * D, r * D + R), r * R);
    ref.ropeForward(rot, pos, inv, N, H, R);
    for (let r = 0; r < N * H; r++) {
      expect(Array.from(y.subarray(r * D, r * D + R)), `head row ${r}, rotated dims`).toEqual(Array.from(rot.subarray(r * R, r * R + R)));
      expect(Array.from(y.subarray(r * D + R, r * D + D)), `head row ${r}, pass-through dims`).toEqual(Array.from(x.subarray(r * D + R, r * D + D)));
    }
    expect(() => ref.ropeForward(y, pos, inv, N, H, D, { rotaryDim: 12 })).toThrow(/rotaryDim must be a positive even integer ≤ headDim \(10\), got 12/);
  });
});

describe('rope GPU vs reference', () => {
  const cases: [string, number, number, number, number, number, number | undefined][] = [
    // name, N, nHeads, headDim, theta, max position, rotaryDim (undefined: option left out, full RoPE)
    ['odd sizes', 7, 3, 10, 10000, 2000, undefined],
    ['SmolLM2-like 9×64, large positions', 5, 9, 64, 100000, 100000, undefined],
    ['rotaryDim = headDim given explicitly', 3, 2, 16, 10000, 500, 16],
    ['partial, odd sizes (rotaryDim 4 of 10)', 7, 3, 10, 10000, 2000, 4],
    ['partial, Phi-4-mini-like (rotaryDim 96 of 128)', 5, 3, 128, 10000, 100000, 96],
    ['partial, a single pair (rotaryDim 2 of 6)', 4, 2, 6, 10000, 300, 2],
  ];
  for (const [name, N, H, D, theta, maxPos, rotaryDim] of cases) {
    it(`forward and backward in place, ${name}`, async () => {
      const gpu = await testGpu();
      const R = rotaryDim ?? D;
      const opts = rotaryDim === undefined ? undefined : { rotaryDim };
      const x = randomArray(N * H * D, 30), dy = randomArray(N * H * D, 31);
      const pos = randomPositions(N, 32, maxPos);
      pos[0] = 0;
      pos[N - 1] = maxPos;
      const inv = ref.ropeInvFreq(R, theta);
      const y = x.slice(), dx = dy.slice();
      ref.ropeForward(y, pos, inv, N, H, D, opts);
      ref.ropeBackward(dx, pos, inv, N, H, D, opts);

      const gX = gpu.buffers.fromData('test', 'x', x), gDx = gpu.buffers.fromData('test', 'dx', dy);
      const gPos = gpu.buffers.fromData('test', 'pos', pos), gInv = gpu.buffers.fromData('test', 'inv', inv);
      const rec = new Recorder(gpu);
      ropeForward(rec, gX, gPos, gInv, N, H, D, opts);
      ropeBackward(rec, gDx, gPos, gInv, N, H, D, opts);
      rec.submit();
      const gotY = await readF32(gpu.device, gX, 0, N * H * D), gotDx = await readF32(gpu.device, gDx, 0, N * H * D);
      expectClose(gotY, y, TOL, 'forward');
      expectClose(gotDx, dx, TOL, 'backward');
      for (let r = 0; r < N * H; r++)
        for (let i = R; i < D; i++) {
          expect(gotY[r * D + i], `forward pass-through at head row ${r}, dim ${i}`).toBe(x[r * D + i]);
          expect(gotDx[r * D + i], `backward pass-through at head row ${r}, dim ${i}`).toBe(dy[r * D + i]);
        }

      const rec2 = new Recorder(gpu);
      ropeBackward(rec2, gX, gPos, gInv, N, H, D, opts); // undo the forward rotation
      rec2.submit();
      expectClose(await readF32(gpu.device, gX, 0, N * H * D), x, TOL, 'backward ∘ forward = identity');
    });
  }

  it('cos/sin of the f32 angle to 1e-6 absolute for positions up to 2·10^5', async () => {
    const gpu = await testGpu();
    const N = 1001; // headDim 2, invFreq 1: x = (1, 0) rotates to (cos p, sin p)
    const pos = Uint32Array.from({ length: N }, (_, n) => (n === N - 1 ? 200000 : Math.floor(n * 199.7 + (n % 7))));
    const x = new Float32Array(2 * N).map((_, i) => (i % 2 === 0 ? 1 : 0));
    const gX = gpu.buffers.fromData('test', 'x', x), gPos = gpu.buffers.fromData('test', 'pos', pos);
    const gInv = gpu.buffers.fromData('test', 'inv', new Float32Array([1]));
    const rec = new Recorder(gpu);
    ropeForward(rec, gX, gPos, gInv, N, 1, 2);
    rec.submit();
    const expected = new Float64Array(2 * N);
    pos.forEach((p, n) => ((expected[2 * n] = Math.cos(Math.fround(p))), (expected[2 * n + 1] = Math.sin(Math.fround(p)))));
    expectClose(await readF32(gpu.device, gX, 0, 2 * N), expected, { rtol: 0, atol: 1e-6 }, 'cos/sin');
  });

  for (const [name, N, H, KV, D, R] of [
    ['GQA 3/1 heads, odd sizes', 7, 3, 1, 10, 10],
    ['SmolLM2-like 9/3 heads of 64', 5, 9, 3, 64, 64],
    ['partial rotary 4 of 10, 2/2 heads', 6, 2, 2, 10, 4],
  ] as const) {
    it(`q and k in one dispatch = each alone, bit for bit, and = the reference (${name})`, async () => {
      const gpu = await testGpu();
      const opts = { rotaryDim: R };
      const q = randomArray(N * H * D, 40), k = randomArray(N * KV * D, 41);
      const pos = randomPositions(N, 42, 5000);
      const inv = ref.ropeInvFreq(R, 10000);
      const gPos = gpu.buffers.fromData('test', 'pos', pos), gInv = gpu.buffers.fromData('test', 'inv', inv);
      const buf = (what: string, v: Float32Array) => gpu.buffers.fromData('test', what, v);
      const [q1, k1, q2, k2] = [buf('q1', q), buf('k1', k), buf('q2', q), buf('k2', k)];
      const rec = new Recorder(gpu);
      ropeForwardQK(rec, q1, k1, gPos, gInv, N, H, KV, D, opts);
      ropeForward(rec, q2, gPos, gInv, N, H, D, opts);
      ropeForward(rec, k2, gPos, gInv, N, KV, D, opts);
      rec.submit();
      const read = (b: GPUBuffer, n: number) => readF32(gpu.device, b, 0, n);
      const [gq1, gk1, gq2, gk2] = await Promise.all([read(q1, q.length), read(k1, k.length), read(q2, q.length), read(k2, k.length)]);
      expect(Array.from(gq1), 'q forward').toEqual(Array.from(gq2));
      expect(Array.from(gk1), 'k forward').toEqual(Array.from(gk2));
      const yq = q.slice(), yk = k.slice();
      ref.ropeForward(yq, pos, inv, N, H, D, opts);
      ref.ropeForward(yk, pos, inv, N, KV, D, opts);
      expectClose(gq1, yq, TOL, 'q vs reference');
      expectClose(gk1, yk, TOL, 'k vs reference');

      const rec2 = new Recorder(gpu);
      ropeBackwardQK(rec2, q1, k1, gPos, gInv, N, H, KV, D, opts);
      ropeBackward(rec2, q2, gPos, gInv, N, H, D, opts);
      ropeBackward(rec2, k2, gPos, gInv, N, KV, D, opts);
      rec2.submit();
      const [bq1, bk1, bq2, bk2] = await Promise.all([read(q1, q.length), read(k1, k.length), read(q2, q.length), read(k2, k.length)]);
      expect(Array.from(bq1), 'q backward').toEqual(Array.from(bq2));
      expect(Array.from(bk1), 'k backward').toEqual(Array.from(bk2));
      expectClose(bq1, q, TOL, 'q: backward ∘ forward = identity');
      expectClose(bk1, k, TOL, 'k: backward ∘ forward = identity');
    });
  }

  it('rejects bad sizes', async () => {
    const gpu = await testGpu();
    const b = gpu.buffers.storage('test', 'small', 64);
    const rec = new Recorder(gpu);
    expect(() => ropeForward(rec, b, b, b, 1, 1, 5)).toThrow(/headDim must be even/);
    expect(() => ropeForward(rec, b, b, b, 2, 2, 8)).toThrow(/x holds 16 elements but needs 32/);
    expect(() => ropeBackward(rec, b, b, b, 0, 1, 2)).toThrow(/N must be a positive integer/);
    expect(() => ropeForward(rec, b, b, b, 1, 1, 8, { rotaryDim: 10 })).toThrow(/rope_forward: rotaryDim must be ≤ headDim \(8\), got 10/);
    expect(() => ropeForward(rec, b, b, b, 1, 1, 8, { rotaryDim: 5 })).toThrow(/rotaryDim must be even/);
    expect(() => ropeBackward(rec, b, b, b, 1, 1, 8, { rotaryDim: 0 })).toThrow(/rotaryDim must be a positive integer, got 0/);
    const inv1 = gpu.buffers.storage('test', 'inv1', 4);
    expect(() => ropeForward(rec, b, b, inv1, 1, 1, 8, { rotaryDim: 4 })).toThrow(/invFreq holds 1 elements but needs 2/);
    expect(() => ropeForwardQK(rec, b, b, b, b, 1, 1, 1, 4)).toThrow(/q and k must be different buffers/);
    expect(() => ropeBackwardQK(rec, b, gpu.buffers.storage('test', 'k8', 8), b, b, 1, 1, 1, 4)).toThrow(/rope_qk_backward: k holds 2 elements but needs 4/);
    expect(rec.count).toBe(0);
    // An odd headDim is fine when the rotary part is even, and invFreq then needs only rotaryDim/2 entries.
    ropeForward(new Recorder(gpu), b, b, gpu.buffers.storage('test', 'inv2', 8), 1, 1, 5, { rotaryDim: 4 });
  });
});
