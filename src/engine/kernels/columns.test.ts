import { describe, it, expect, afterEach } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { randomArray } from '../../testing/compare';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { copyColumns, mergeColumns3, splitColumns3 } from './columns';
import * as ref from '../reference/columns';
import * as qkvRef from '../reference/qkvSplit';

// Tolerance: none. A copy is exact, and an accumulating copy is one f32 add per element, which the reference (one
// float64 add of two f32 values, rounded once on store) reproduces bit for bit.

afterEach(async () => (await testGpu()).buffers.releasePool('test'));

describe('copyColumns reference', () => {
  it('splitting [q | k | v] and writing it back is an exact round trip, and agrees with qkvSplit when all are C wide', () => {
    const N = 3, C = 4;
    const qkv = randomArray(N * 3 * C, 1);
    const parts = [0, 1, 2].map(() => new Float32Array(N * C));
    parts.forEach((p, i) => ref.copyColumns(p, qkv, N, C, { srcStride: 3 * C, srcOffset: i * C }));
    const [q, k, v] = [new Float32Array(N * C), new Float32Array(N * C), new Float32Array(N * C)];
    qkvRef.qkvSplitForward(q, k, v, qkv, N, C);
    expect(parts.map((p) => Array.from(p))).toEqual([q, k, v].map((p) => Array.from(p)));
    const back = new Float32Array(N * 3 * C);
    parts.forEach((p, i) => ref.copyColumns(back, p, N, C, { dstStride: 3 * C, dstOffset: i * C }));
    expect(Array.from(back)).toEqual(Array.from(qkv));
  });

  it('accumulates when asked and leaves the other columns alone', () => {
    const dst = new Float64Array([1, 2, 3, 4, 5, 6]); // (2, 3)
    ref.copyColumns(dst, new Float64Array([10, 20, 30, 40]), 2, 1, { dstStride: 3, dstOffset: 1, srcStride: 2, srcOffset: 1, accumulate: true });
    expect(Array.from(dst)).toEqual([1, 22, 3, 4, 45, 6]);
  });
});

describe('copyColumns GPU vs reference', () => {
  // Phi-3-like fused qkv_proj with GQA: q 3 heads, k and v 1 head each, headDim 7 (odd widths on purpose); and a
  // fused gate_up_proj (N, 2I).
  const N = 13, hd = 7, qW = 3 * hd, kvW = hd, W = qW + 2 * kvW, I = 19;
  const layout: [string, number, number][] = [['q', 0, qW], ['k', qW, kvW], ['v', qW + kvW, kvW]];

  it('splits a fused qkv (N, qW + 2·kvW) into q, k, v and writes / accumulates the gradients back', async () => {
    const gpu = await testGpu();
    const up = (a: Float32Array) => gpu.buffers.fromData('test', 'x', a);
    const read = (b: GPUBuffer, n: number) => readF32(gpu.device, b, 0, n);
    const qkv = randomArray(N * W, 1);
    const grads = layout.map(([, , w], i) => randomArray(N * w, 10 + i));
    const dqkv0 = randomArray(N * W, 20);

    const wantParts = layout.map(([, off, w]) => {
      const p = new Float32Array(N * w).fill(7);
      ref.copyColumns(p, qkv, N, w, { srcStride: W, srcOffset: off });
      return p;
    });
    const wantWrite = new Float32Array(N * W).fill(7), wantAcc = dqkv0.slice();
    layout.forEach(([, off, w], i) => {
      ref.copyColumns(wantWrite, grads[i], N, w, { dstStride: W, dstOffset: off });
      ref.copyColumns(wantAcc, grads[i], N, w, { dstStride: W, dstOffset: off, accumulate: true });
    });

    const gQkv = up(qkv), gGrads = grads.map(up), gWrite = up(new Float32Array(N * W).fill(7)), gAcc = up(dqkv0);
    const gParts = layout.map(([, , w]) => up(new Float32Array(N * w).fill(7)));
    const rec = new Recorder(gpu);
    layout.forEach(([, off, w], i) => copyColumns(rec, gParts[i], gQkv, N, w, { srcStride: W, srcOffset: off }));
    layout.forEach(([, off, w], i) => {
      copyColumns(rec, gWrite, gGrads[i], N, w, { dstStride: W, dstOffset: off });
      copyColumns(rec, gAcc, gGrads[i], N, w, { dstStride: W, dstOffset: off, accumulate: true });
    });
    rec.submit();
    for (let i = 0; i < layout.length; i++) {
      const [name, , w] = layout[i];
      expect(Array.from(await read(gParts[i], N * w)), name).toEqual(Array.from(wantParts[i]));
    }
    expect(Array.from(await read(gWrite, N * W)), 'dqkv (write)').toEqual(Array.from(wantWrite));
    expect(Array.from(await read(gAcc, N * W)), 'dqkv (accumulate)').toEqual(Array.from(wantAcc));
    expect(Array.from(wantWrite), 'the three writes cover every column').not.toContain(7);
  });

  for (const [name, widths] of [['GQA q 21, k 7, v 7', [qW, kvW, kvW]], ['equal thirds (GPT-2 c_attn), 3 × 9', [9, 9, 9]], ['unequal 1, 5, 2', [1, 5, 2]]] as const) {
    it(`splitColumns3 / mergeColumns3 = the three copyColumns, one dispatch each (${name})`, async () => {
      const gpu = await testGpu();
      const up = (a: Float32Array) => gpu.buffers.fromData('test', 'x', a);
      const read = (b: GPUBuffer, n: number) => readF32(gpu.device, b, 0, n);
      const Wf = widths[0] + widths[1] + widths[2];
      const offs = [0, widths[0], widths[0] + widths[1]];
      const fused = randomArray(N * Wf, 30);
      const grads = widths.map((w, i) => randomArray(N * w, 31 + i));
      const wantParts = widths.map((w, i) => {
        const p = new Float32Array(N * w);
        ref.copyColumns(p, fused, N, w, { srcStride: Wf, srcOffset: offs[i] });
        return p;
      });
      const wantMerged = new Float32Array(N * Wf).fill(7);
      widths.forEach((w, i) => ref.copyColumns(wantMerged, grads[i], N, w, { dstStride: Wf, dstOffset: offs[i] }));
      const gFused = up(fused), gParts = widths.map((w) => up(new Float32Array(N * w).fill(7))), gGrads = grads.map(up);
      const gMerged = up(new Float32Array(N * Wf).fill(7));
      const rec = new Recorder(gpu);
      splitColumns3(rec, [gParts[0], gParts[1], gParts[2]], gFused, N, [...widths]);
      mergeColumns3(rec, gMerged, [gGrads[0], gGrads[1], gGrads[2]], N, [...widths]);
      expect(rec.labels).toEqual(['copy_columns_split', 'copy_columns_merge']);
      rec.submit();
      for (let i = 0; i < 3; i++) expect(Array.from(await read(gParts[i], N * widths[i])), `part ${i}`).toEqual(Array.from(wantParts[i]));
      const merged = await read(gMerged, N * Wf);
      expect(Array.from(merged), 'merged').toEqual(Array.from(wantMerged));
      expect(Array.from(merged), 'every column written').not.toContain(7);
    });
  }

  it('splitColumns3 / mergeColumns3 reject aliasing and short buffers', async () => {
    const gpu = await testGpu();
    const a = gpu.buffers.storage('test', 'a', 64), b = gpu.buffers.storage('test', 'b', 64), c = gpu.buffers.storage('test', 'c', 64);
    const big = gpu.buffers.storage('test', 'big', 256);
    const rec = new Recorder(gpu);
    expect(() => splitColumns3(rec, [a, a, b], big, 2, [2, 2, 2])).toThrow(/four different buffers/);
    expect(() => splitColumns3(rec, [a, b, c], big, 2, [2, 0, 2])).toThrow(/width 1 must be a positive integer/);
    expect(() => mergeColumns3(rec, a, [b, c, big], 2, [4, 4, 2])).toThrow(/mergeColumns3: fused holds 16 f32 but needs 20/);
    expect(() => splitColumns3(rec, [a, b, c], big, 2, [9, 2, 2])).toThrow(/part 0 holds 16 f32 but needs 18/);
    expect(rec.count).toBe(0);
  });

  it('splits a fused gate_up (N, 2I) and writes a block into the middle of a wider matrix, leaving the rest untouched', async () => {
    const gpu = await testGpu();
    const up = (a: Float32Array) => gpu.buffers.fromData('test', 'x', a);
    const read = (b: GPUBuffer, n: number) => readF32(gpu.device, b, 0, n);
    const gateUp = randomArray(N * 2 * I, 2);
    const gate = new Float32Array(N * I), upPart = new Float32Array(N * I);
    ref.copyColumns(gate, gateUp, N, I, { srcStride: 2 * I });
    ref.copyColumns(upPart, gateUp, N, I, { srcStride: 2 * I, srcOffset: I });
    // A (N, 5) block from columns 3..7 of a (N, 11) source into columns 6..10 of a (N, 17) destination.
    const src = randomArray(N * 11, 3), dst0 = randomArray(N * 17, 4), dst = dst0.slice();
    ref.copyColumns(dst, src, N, 5, { dstStride: 17, dstOffset: 6, srcStride: 11, srcOffset: 3 });

    const gGateUp = up(gateUp), gGate = up(new Float32Array(N * I)), gUp = up(new Float32Array(N * I));
    const gSrc = up(src), gDst = up(dst0);
    const rec = new Recorder(gpu);
    copyColumns(rec, gGate, gGateUp, N, I, { srcStride: 2 * I });
    copyColumns(rec, gUp, gGateUp, N, I, { srcStride: 2 * I, srcOffset: I, dstStride: I, dstOffset: 0 });
    copyColumns(rec, gDst, gSrc, N, 5, { dstStride: 17, dstOffset: 6, srcStride: 11, srcOffset: 3 });
    rec.submit();
    expect(Array.from(await read(gGate, N * I)), 'gate').toEqual(Array.from(gate));
    expect(Array.from(await read(gUp, N * I)), 'up').toEqual(Array.from(upPart));
    expect(Array.from(await read(gDst, N * 17)), 'block').toEqual(Array.from(dst));
    for (let n = 0; n < N; n++) expect(dst[n * 17 + 5], 'column 5 kept').toBe(dst0[n * 17 + 5]);
  });

  it('handles a contiguous copy (default strides and offsets) larger than one workgroup row', async () => {
    const gpu = await testGpu();
    const n = 257, w = 301;
    const src = randomArray(n * w, 5), acc0 = randomArray(n * w, 6);
    const gSrc = gpu.buffers.fromData('test', 'src', src), gDst = gpu.buffers.fromData('test', 'dst', new Float32Array(n * w));
    const gAcc = gpu.buffers.fromData('test', 'acc', acc0);
    const rec = new Recorder(gpu);
    copyColumns(rec, gDst, gSrc, n, w);
    copyColumns(rec, gAcc, gSrc, n, w, { accumulate: true });
    rec.submit();
    const want = acc0.slice();
    ref.copyColumns(want, src, n, w, { accumulate: true });
    expect(Array.from(await readF32(gpu.device, gDst, 0, n * w))).toEqual(Array.from(src));
    expect(Array.from(await readF32(gpu.device, gAcc, 0, n * w))).toEqual(Array.from(want));
  });

  it('rejects bad sizes and layouts, naming the argument', async () => {
    const gpu = await testGpu();
    const a = gpu.buffers.storage('test', 'a', 64), b = gpu.buffers.storage('test', 'b', 64); // 16 f32 each
    const rec = new Recorder(gpu);
    expect(() => copyColumns(rec, a, b, 0, 4)).toThrow(/copyColumns: N must be a positive integer, got 0/);
    expect(() => copyColumns(rec, a, b, 2, 2.5)).toThrow(/width must be a positive integer/);
    expect(() => copyColumns(rec, a, b, 2, 2, { srcStride: 0 })).toThrow(/srcStride must be a positive integer, got 0/);
    expect(() => copyColumns(rec, a, b, 2, 2, { dstOffset: -1, dstStride: 4 })).toThrow(/dstOffset must be a non-negative integer, got -1/);
    expect(() => copyColumns(rec, a, b, 2, 2, { dstStride: 4, dstOffset: 3 })).toThrow(/dstOffset \+ width \(3 \+ 2\) exceeds dstStride \(4\)/);
    expect(() => copyColumns(rec, a, b, 2, 2, { srcStride: 3, srcOffset: 2 })).toThrow(/srcOffset \+ width \(2 \+ 2\) exceeds srcStride \(3\)/);
    expect(() => copyColumns(rec, a, a, 2, 2)).toThrow(/dst and src must be different buffers/);
    expect(() => copyColumns(rec, a, b, 3, 6, { dstStride: 6 })).toThrow(/dst holds 16 f32 but needs 18/);
    expect(() => copyColumns(rec, a, b, 3, 2, { srcStride: 8, srcOffset: 1 })).toThrow(/src holds 16 f32 but needs 19/);
    expect(rec.count).toBe(0);
    // The last row needs only offset + width, not a whole stride: (N − 1)·stride + offset + width = 16 fits.
    copyColumns(new Recorder(gpu), a, b, 2, 2, { srcStride: 8, srcOffset: 6, dstStride: 8, dstOffset: 6 });
  });
});
