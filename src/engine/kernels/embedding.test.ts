import { describe, it, expect, afterEach } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { expectClose, randomArray } from '../../testing/compare';
import { dot, numericGrad, random64 } from '../../testing/finiteDiff';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { embeddingForward, embeddingBackward } from './embedding';
import * as ref from '../reference/embedding';
import { packF16, roundToF16 } from '../transformer/weights';

// Tolerances: the forward is a copy (+ one add) and is compared exactly; the backward sums ≤ N values per element in
// the same order as the reference: rtol 1e-6, atol 1e-6. With a token scale s, the scaled terms are O(s), so where
// they are rounded and then summed (dwte, or scale·wte + wpe, possibly fused on the GPU) atol grows to 1e-6·s.
// Reference vs float64 central differences: rtol 1e-6, atol 1e-8.
const TOL = { rtol: 1e-6, atol: 1e-6 };
const scaledTol = (scale = 1) => ({ rtol: 1e-6, atol: 1e-6 * scale });

afterEach(async () => (await testGpu()).buffers.releasePool('test'));

/** Ids in [0, max) with repeats, plus out-of-range ones at the end (≥ max and 0xffffffff). */
function ids(N: number, seed: number, max: number): Uint32Array {
  const a = Uint32Array.from(randomArray(N, seed), (v) => Math.floor(((v + 1) / 2) * max) % max);
  a[N - 1] = max + 3;
  a[N - 2] = 0xffffffff;
  a[0] = a[1]; // a guaranteed repeat
  return a;
}

describe('embedding reference', () => {
  for (const scale of [undefined, Math.sqrt(3)]) {
    it(`backward is the gradient of the forward w.r.t. wte and wpe (finite differences, float64), scale ${scale ?? 'default'}`, () => {
      const N = 6, C = 3, V = 4, P = 5;
      const tokens = ids(N, 1, V), positions = ids(N, 2, P);
      const wte = random64(V * C, 3), wpe = random64(P * C, 4), dout = random64(N * C, 5);
      const loss = () => {
        const out = new Float64Array(N * C);
        ref.embeddingForward(out, tokens, wte, wpe, positions, N, C, undefined, { scale });
        return dot(out, dout);
      };
      const dwte = new Float64Array(V * C), dwpe = new Float64Array(P * C);
      ref.embeddingBackward(dwte, dwpe, dout, tokens, positions, N, C, V, { scale });
      expectClose(dwte, numericGrad(loss, wte), { rtol: 1e-6, atol: 1e-8 }, 'dwte');
      expectClose(dwpe, numericGrad(loss, wpe), { rtol: 1e-6, atol: 1e-8 }, 'dwpe');
    });
  }

  it('scale multiplies the token row only (Gemma: f32(√hidden))', () => {
    const C = 2;
    const out = new Float64Array(C);
    ref.embeddingForward(out, new Uint32Array([1]), new Float64Array([1, 2, 3, 4]), new Float64Array([10, 20]), new Uint32Array([0]), 1, C, undefined, { scale: 4 });
    expect(Array.from(out)).toEqual([22, 36]);
    const s = Math.fround(Math.sqrt(C));
    ref.embeddingForward(out, new Uint32Array([0]), new Float64Array([1, 2]), null, new Uint32Array([0]), 1, C, undefined, { scale: Math.sqrt(C) });
    expect(Array.from(out), 'the scale is rounded to f32, as the kernel receives it').toEqual([s, 2 * s]);
  });
});

describe('embedding GPU vs reference', () => {
  // scale: undefined leaves the option out; √C is Gemma's (not representable in f32, so the f32 rounding matters).
  const cases: [number, number, number, number, number | undefined][] = [
    [7, 37, 11, 9, undefined], [300, 577, 40, 64, undefined], [7, 37, 11, 9, Math.sqrt(37)], [300, 577, 40, 64, Math.sqrt(577)],
  ];
  for (const [N, C, V, P, scale] of cases) {
    it(`forward (with and without wpe) and backward, N=${N} C=${C} V=${V} P=${P} scale ${scale?.toFixed(4) ?? 'default'}`, async () => {
      const gpu = await testGpu();
      const opts = scale === undefined ? undefined : { scale };
      const tokens = ids(N, 10, V), positions = ids(N, 11, P);
      const wte = randomArray(V * C, 12), wpe = randomArray(P * C, 13), dout = randomArray(N * C, 14);
      const dwte0 = randomArray(V * C, 15), dwpe0 = randomArray(P * C, 16);

      const outTok = new Float32Array(N * C), outPos = new Float32Array(N * C);
      ref.embeddingForward(outTok, tokens, wte, null, positions, N, C, undefined, opts);
      ref.embeddingForward(outPos, tokens, wte, wpe, positions, N, C, undefined, opts);
      const dwte = dwte0.slice(), dwpe = dwpe0.slice(), dwteOnly = dwte0.slice(), dwpeOnly = dwpe0.slice();
      ref.embeddingBackward(dwte, dwpe, dout, tokens, positions, N, C, V, opts);
      ref.embeddingBackward(dwteOnly, null, dout, tokens, positions, N, C, V, opts);
      ref.embeddingBackward(null, dwpeOnly, dout, tokens, positions, N, C, V, opts);

      const up = (a: Float32Array | Uint32Array) => gpu.buffers.fromData('test', 'x', a);
      const gTok = up(tokens), gPos = up(positions), gWte = up(wte), gWpe = up(wpe), gDout = up(dout);
      const gOutTok = up(new Float32Array(N * C).fill(9)), gOutPos = up(new Float32Array(N * C).fill(9));
      const gDwte = up(dwte0), gDwpe = up(dwpe0), gDwteOnly = up(dwte0), gDwpeOnly = up(dwpe0);
      const rec = new Recorder(gpu);
      if (opts) {
        embeddingForward(rec, gOutTok, gTok, gWte, null, gPos, N, C, undefined, opts);
        embeddingForward(rec, gOutPos, gTok, gWte, gWpe, gPos, N, C, V, opts);
        embeddingBackward(rec, gDwte, gDwpe, gDout, gTok, gPos, N, C, V, opts);
        embeddingBackward(rec, gDwteOnly, null, gDout, gTok, gPos, N, C, V, opts);
      } else {
        embeddingForward(rec, gOutTok, gTok, gWte, null, gPos, N, C);
        embeddingForward(rec, gOutPos, gTok, gWte, gWpe, gPos, N, C);
        embeddingBackward(rec, gDwte, gDwpe, gDout, gTok, gPos, N, C, V);
        embeddingBackward(rec, gDwteOnly, null, gDout, gTok, gPos, N, C, V);
      }
      const before = rec.count;
      embeddingBackward(rec, null, gDwpeOnly, gDout, gTok, gPos, N, C, V, opts);
      expect(rec.count - before, 'null dwte records only the wpe scatter').toBe(1);
      embeddingBackward(rec, null, null, gDout, gTok, gPos, N, C, V, opts);
      expect(rec.count - before, 'both null records nothing').toBe(1);
      rec.submit();

      const read = (b: GPUBuffer, n: number) => readF32(gpu.device, b, 0, n);
      // A lookup times one f32 is exact; with wpe and a scale, the GPU may or may not fuse the multiply-add.
      expect(Array.from(await read(gOutTok, N * C)), 'forward, tokens only').toEqual(Array.from(outTok));
      if (opts) expectClose(await read(gOutPos, N * C), outPos, scaledTol(scale), 'forward, tokens + positions');
      else expect(Array.from(await read(gOutPos, N * C)), 'forward, tokens + positions').toEqual(Array.from(outPos));
      expectClose(await read(gDwte, V * C), dwte, scaledTol(scale), 'dwte');
      expectClose(await read(gDwpe, P * C), dwpe, TOL, 'dwpe');
      expectClose(await read(gDwteOnly, V * C), dwteOnly, scaledTol(scale), 'dwte alone');
      expectClose(await read(gDwpeOnly, P * C), dwpeOnly, TOL, 'dwpe alone (unscaled)');
    });
  }

  it('rejects bad sizes', async () => {
    const gpu = await testGpu();
    const b = gpu.buffers.storage('test', 'small', 16);
    const rec = new Recorder(gpu);
    expect(() => embeddingForward(rec, b, b, b, null, b, 2, 4)).toThrow(/out holds 4 elements but needs 8/);
    expect(() => embeddingForward(rec, b, b, b, null, b, 1, 8)).toThrow(/V must be a positive integer, got 0/);
    expect(() => embeddingBackward(rec, b, null, b, b, b, 1, 4, 2)).toThrow(/dwte holds 4 elements but needs 8/);
    expect(() => embeddingForward(rec, b, b, b, null, b, 1, 4, 1, { scale: NaN })).toThrow(/embeddingForward: scale must be a finite number, got NaN/);
    expect(() => embeddingBackward(rec, b, null, b, b, b, 1, 4, 1, { scale: -Infinity })).toThrow(/embeddingBackward: scale must be a finite number/);
    expect(rec.count).toBe(0);
  });

  // Frozen tables stored as f16 packed two per u32: the gather unpacks exactly, so the result equals the reference on
  // the f16-rounded tables bit for bit. V·C and P·C are odd (37 columns), so the last word holds a padding half.
  // With a scale (Gemma's √hidden) the token-only entry point stays exact (one f32 multiply); tok_pos is compared
  // within rounding (the multiply-add may be fused).
  for (const scale of [undefined, Math.sqrt(37)]) {
    it(`forward with f16-packed wte and/or wpe matches the reference on f16-rounded tables, scale ${scale?.toFixed(4) ?? 'default'}`, async () => {
      const gpu = await testGpu();
      const N = 23, C = 37, V = 11, P = 9;
      const tokens = ids(N, 20, V), positions = ids(N, 21, P);
      const wte = roundToF16(randomArray(V * C, 22)), wpe = roundToF16(randomArray(P * C, 23));
      const up = (a: Float32Array | Uint32Array) => gpu.buffers.fromData('test', 'x', a);
      const gTok = up(tokens), gPos = up(positions);
      const tables = { f32: { wte: up(wte), wpe: up(wpe) }, f16: { wte: up(packF16(wte)), wpe: up(packF16(wpe)) } };
      expect(tables.f16.wte.size).toBe(Math.ceil((V * C) / 2) * 4);
      const rec = new Recorder(gpu);
      const combos = [
        { wteFormat: 'f16', wpeFormat: null },
        { wteFormat: 'f16', wpeFormat: 'f16' },
        { wteFormat: 'f16', wpeFormat: 'f32' },
        { wteFormat: 'f32', wpeFormat: 'f16' },
      ] as const;
      const outs = combos.map((f) => {
        const out = up(new Float32Array(N * C).fill(9));
        const wpe = f.wpeFormat ? tables[f.wpeFormat].wpe : null;
        // V is left to its default: the rows the f16 table holds.
        const formats = { wteFormat: f.wteFormat, wpeFormat: f.wpeFormat ?? 'f32' } as const;
        embeddingForward(rec, out, gTok, tables[f.wteFormat].wte, wpe, gPos, N, C, undefined, scale === undefined ? formats : { ...formats, scale });
        return out;
      });
      rec.submit();
      for (let i = 0; i < combos.length; i++) {
        const want = new Float32Array(N * C);
        ref.embeddingForward(want, tokens, wte, combos[i].wpeFormat ? wpe : null, positions, N, C, undefined, { scale });
        const got = await readF32(gpu.device, outs[i], 0, N * C);
        if (scale !== undefined && combos[i].wpeFormat) expectClose(got, want, scaledTol(scale), JSON.stringify(combos[i]));
        else expect(Array.from(got), JSON.stringify(combos[i])).toEqual(Array.from(want));
      }
    });
  }

  it('rejects an f16 table that is too small, naming the format', async () => {
    const gpu = await testGpu();
    const rec = new Recorder(gpu);
    const out = gpu.buffers.storage('test', 'out', 4 * 37 * 4);
    const ids4 = gpu.buffers.storage('test', 'ids', 16);
    // 11 x 37 = 407 halves need 204 words = 816 bytes.
    const small = gpu.buffers.storage('test', 'wte', 812);
    expect(() => embeddingForward(rec, out, ids4, small, null, ids4, 4, 37, 11, { wteFormat: 'f16' }))
      .toThrow(/wte \(f16\) needs 816 bytes for 407 elements but its buffer has 812/);
    expect(() => embeddingForward(rec, out, ids4, small, null, ids4, 4, 37, 11, { wteFormat: 'half' as 'f16' })).toThrow(/table format must be/);
    expect(rec.count).toBe(0);
  });
});
