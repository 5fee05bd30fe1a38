import { describe, it, expect, afterEach } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { dot, numericGrad, random64 } from '../../testing/finiteDiff';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { dropoutForward, dropoutBackward } from './dropout';
import * as ref from '../reference/dropout';

// Written outputs are compared bit-exactly (same hash, same f32 scale, one correctly rounded multiply); accumulated
// ones with rtol 1e-6 (the reference adds in float64). Statistical checks use ±4σ bounds on N = 100 003 draws.

afterEach(async () => (await testGpu()).buffers.releasePool('test'));

async function runDropout(N: number, p: number, seed: number, src: Float32Array, backward = false): Promise<Float32Array> {
  const gpu = await testGpu();
  const gDst = gpu.buffers.fromData('test', 'dst', new Float32Array(N)), gSrc = gpu.buffers.fromData('test', 'src', src);
  const rec = new Recorder(gpu);
  if (backward) dropoutBackward(rec, gDst, gSrc, N, p, seed);
  else dropoutForward(rec, gDst, gSrc, N, p, seed);
  rec.submit();
  const out = await readF32(gpu.device, gDst, 0, N);
  gpu.buffers.release(gDst);
  gpu.buffers.release(gSrc);
  return out;
}

describe('dropout', () => {
  it('reference backward is the gradient of the forward (finite differences, float64)', () => {
    const N = 12, p = 0.4, seed = 99;
    const x = random64(N, 1), dout = random64(N, 2);
    const loss = () => {
      const out = new Float64Array(N);
      ref.dropoutForward(out, x, N, p, seed);
      return dot(out, dout);
    };
    const dx = new Float64Array(N);
    ref.dropoutBackward(dx, dout, N, p, seed);
    expectClose(dx, numericGrad(loss, x), { rtol: 1e-6, atol: 1e-8 }, 'dinp');
  });

  it('GPU matches the reference bit for bit (forward, backward) and within rtol 1e-6 when accumulating', async () => {
    const gpu = await testGpu();
    const N = 1001, p = 0.1, seed = 1234;
    const x = randomArray(N, 10), dout = randomArray(N, 11), d0 = randomArray(N, 12);
    const out = new Float32Array(N), dW = new Float32Array(N), dA = d0.slice();
    ref.dropoutForward(out, x, N, p, seed);
    ref.dropoutBackward(dW, dout, N, p, seed);
    ref.dropoutBackward(dA, dout, N, p, seed, { accumulate: true });
    const up = (a: Float32Array) => gpu.buffers.fromData('test', 'x', a);
    const gOut = up(new Float32Array(N)), gX = up(x), gDout = up(dout), gDW = up(d0), gDA = up(d0);
    const rec = new Recorder(gpu);
    dropoutForward(rec, gOut, gX, N, p, seed);
    dropoutBackward(rec, gDW, gDout, N, p, seed);
    dropoutBackward(rec, gDA, gDout, N, p, seed, { accumulate: true });
    rec.submit();
    const read = (b: GPUBuffer) => readF32(gpu.device, b, 0, N);
    expect(Array.from(await read(gOut)), 'forward').toEqual(Array.from(out));
    expect(Array.from(await read(gDW)), 'backward').toEqual(Array.from(dW));
    expectClose(await read(gDA), dA, { rtol: 1e-6, atol: 1e-7 }, 'backward (accumulate)');
  });

  for (const p of [0.05, 0.3, 0.9]) {
    it(`drops a fraction ≈ p = ${p}, keeps values scaled by 1/(1−p), uncorrelated neighbours`, async () => {
      const N = 100003;
      const out = await runDropout(N, p, 7, new Float32Array(N).fill(1));
      const scale = Math.fround(1 / (1 - p));
      let dropped = 0, badScale = 0, bothKept = 0;
      for (let i = 0; i < N; i++) {
        if (out[i] === 0) dropped++;
        else if (out[i] !== scale) badScale++;
        if (i > 0 && out[i] !== 0 && out[i - 1] !== 0) bothKept++;
      }
      expect(badScale, 'kept values equal 1/(1−p)').toBe(0);
      expect(Math.abs(dropped / N - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / N));
      // P(two neighbours both kept) = (1−p)² if independent; overlapping pairs inflate the variance, so allow 8σ.
      const q = (1 - p) * (1 - p);
      expect(Math.abs(bothKept / (N - 1) - q)).toBeLessThan(8 * Math.sqrt((q * (1 - q)) / N));
    });
  }

  it('backward uses the identical mask; same seed reproduces, another seed gives a different mask', async () => {
    const N = 100003, p = 0.3;
    const ones = new Float32Array(N).fill(1);
    const fwd = await runDropout(N, p, 42, ones);
    const bwd = await runDropout(N, p, 42, ones, true);
    const again = await runDropout(N, p, 42, ones);
    const other = await runDropout(N, p, 43, ones);
    expect(Array.from(bwd)).toEqual(Array.from(fwd));
    expect(Array.from(again)).toEqual(Array.from(fwd));
    let differ = 0;
    for (let i = 0; i < N; i++) if ((fwd[i] === 0) !== (other[i] === 0)) differ++;
    const expected = 2 * p * (1 - p); // independent masks disagree this often
    expect(Math.abs(differ / N - expected)).toBeLessThan(0.01);
  });

  it('p = 0 is a plain copy (and accumulates when asked)', async () => {
    const gpu = await testGpu();
    const N = 301;
    const x = randomArray(N, 20), d0 = randomArray(N, 21);
    expect(Array.from(await runDropout(N, 0, 5, x))).toEqual(Array.from(x));
    const gD = gpu.buffers.fromData('test', 'd', d0), gX = gpu.buffers.fromData('test', 'x', x);
    const rec = new Recorder(gpu);
    dropoutBackward(rec, gD, gX, N, 0, 5, { accumulate: true });
    rec.submit();
    expectClose(await readF32(gpu.device, gD, 0, N), d0.map((v, i) => v + x[i]), { rtol: 1e-6, atol: 1e-7 }, 'accumulate');
  });

  it('rejects bad arguments', async () => {
    const gpu = await testGpu();
    const b = gpu.buffers.storage('test', 'small', 16);
    const rec = new Recorder(gpu);
    expect(() => dropoutForward(rec, b, b, 4, 1, 0)).toThrow(/p must be in \[0, 1\)/);
    expect(() => dropoutForward(rec, b, b, 4, -0.1, 0)).toThrow(/p must be in/);
    expect(() => dropoutBackward(rec, b, b, 4, 0.5, -1)).toThrow(/seed must be a u32/);
    expect(() => dropoutBackward(rec, b, b, 5, 0.5, 1)).toThrow(/dinp holds 4 f32 but needs 5/);
  });
});
