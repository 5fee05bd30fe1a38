import { describe, it, expect } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { asHardwareAdapter } from './reductionThreads';
import { expectClose, randomArray } from '../../testing/compare';
import { numericGrad, dot, random64 } from '../../testing/finiteDiff';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import type { Gpu } from '../gpu/device';
import { attentionForward, attentionBackward, type AttentionOptions } from './attention';
import { attentionForward as fwdRef, attentionBackward as bwdRef } from '../reference/attention';

interface Case {
  B: number; T: number; nHead: number; nKVHead: number; hd: number; packed: boolean; qScale?: number; window?: number;
}

/** Packed-document ids per position: a few unequal documents per batch row (or all zeros when unpacked). */
function makeSegments(B: number, T: number, packed: boolean): Uint32Array {
  const s = new Uint32Array(B * T);
  if (!packed) return s;
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) s[b * T + t] = b === 0 ? (t < 5 ? 0 : t < 9 ? 1 : 2) : t < 3 ? 5 : 7;
  return s;
}

function inputs(c: Case, seed: number) {
  const { B, T, nHead, nKVHead, hd } = c;
  return {
    q: randomArray(B * T * nHead * hd, seed, c.qScale ?? 3),
    k: randomArray(B * T * nKVHead * hd, seed + 1),
    v: randomArray(B * T * nKVHead * hd, seed + 2),
    dout: randomArray(B * T * nHead * hd, seed + 3),
    segments: makeSegments(B, T, c.packed),
  };
}

const f64 = (a: Float32Array) => Float64Array.from(a);

function upload(gpu: Gpu, name: string, data: Float32Array | Uint32Array): GPUBuffer {
  return gpu.buffers.fromData('scratch', name, data);
}

const TOL = { rtol: 1e-4, atol: 2e-5 };

/** Every kernel variant, forced: the fused kernels with each lane reduction, and the row kernels. */
const VARIANTS: [string, AttentionOptions][] = [
  ['fused/subgroup', { kernel: 'fused', lanes: 'subgroup' }],
  ['fused/shared', { kernel: 'fused', lanes: 'shared' }],
  ['rows', { kernel: 'rows' }],
];

describe('attention reference', () => {
  it('returns v itself for a lone visible key and the mean of v for zero queries', () => {
    const [B, T, nHead, nKVHead, hd] = [1, 3, 2, 1, 4];
    const q = new Float64Array(B * T * nHead * hd); // zeros: uniform attention
    const k = random64(B * T * nKVHead * hd, 1);
    const v = random64(B * T * nKVHead * hd, 2);
    const out = new Float64Array(q.length), lse = new Float64Array(B * nHead * T);
    fwdRef(out, lse, q, k, v, new Uint32Array(B * T), B, T, T, T, nHead, nKVHead, hd, 0.5);
    for (let h = 0; h < nHead; h++)
      for (let d = 0; d < hd; d++) {
        expect(out[(0 * nHead + h) * hd + d]).toBeCloseTo(v[d], 12);
        expect(out[(2 * nHead + h) * hd + d]).toBeCloseTo((v[d] + v[hd + d] + v[2 * hd + d]) / 3, 12);
      }
    expect(lse[2]).toBeCloseTo(Math.log(3), 12);
  });

  it("a window of 1 returns each position's own v; a window ≥ T is no window", () => {
    const [B, T, nHead, nKVHead, hd, scale] = [1, 5, 2, 1, 4, 0.5];
    const q = random64(B * T * nHead * hd, 3, 2), k = random64(B * T * nKVHead * hd, 4), v = random64(B * T * nKVHead * hd, 5);
    const segs = new Uint32Array(B * T);
    const out = new Float64Array(q.length), lse = new Float64Array(B * nHead * T);
    fwdRef(out, lse, q, k, v, segs, B, T, T, T, nHead, nKVHead, hd, scale, { window: 1 });
    for (let t = 0; t < T; t++)
      for (let h = 0; h < nHead; h++) {
        let s = 0;
        for (let d = 0; d < hd; d++) {
          expect(out[(t * nHead + h) * hd + d]).toBeCloseTo(v[t * hd + d], 12);
          s += q[(t * nHead + h) * hd + d] * k[t * hd + d];
        }
        expect(lse[h * T + t]).toBeCloseTo(s * scale, 12);
      }
    const want = new Float64Array(q.length), wantLse = new Float64Array(lse.length);
    fwdRef(want, wantLse, q, k, v, segs, B, T, T, T, nHead, nKVHead, hd, scale);
    for (const window of [T, T + 3]) {
      fwdRef(out, lse, q, k, v, segs, B, T, T, T, nHead, nKVHead, hd, scale, { window });
      expect(Array.from(out)).toEqual(Array.from(want));
      expect(Array.from(lse)).toEqual(Array.from(wantLse));
    }
  });

  for (const window of [0, 3]) {
    it(`backward matches finite differences of the forward (GQA, packed, B=2, window ${window || 'none'})`, () => {
      const [B, T, nHead, nKVHead, hd, scale] = [2, 6, 4, 2, 4, 0.7];
      const segs = new Uint32Array([0, 0, 1, 1, 1, 2, 4, 4, 4, 4, 9, 9]);
      const q = random64(B * T * nHead * hd, 10, 2), k = random64(B * T * nKVHead * hd, 11, 2);
      const v = random64(B * T * nKVHead * hd, 12), dout = random64(B * T * nHead * hd, 13);
      const out = new Float64Array(q.length), lse = new Float64Array(B * nHead * T);
      const loss = () => {
        fwdRef(out, lse, q, k, v, segs, B, T, T, T, nHead, nKVHead, hd, scale, { window });
        return dot(out, dout);
      };
      const [nq, nk, nv] = [numericGrad(loss, q), numericGrad(loss, k), numericGrad(loss, v)];
      loss();
      const dq = new Float64Array(q.length), dk = new Float64Array(k.length), dv = new Float64Array(v.length);
      bwdRef(dq, dk, dv, dout, q, k, v, segs, out, lse, B, T, nHead, nKVHead, hd, scale, { window });
      const tol = { rtol: 1e-6, atol: 1e-8 };
      expectClose(dq, nq, tol, 'dq vs finite differences');
      expectClose(dk, nk, tol, 'dk vs finite differences');
      expectClose(dv, nv, tol, 'dv vs finite differences');
    });
  }
});

describe('attention on the GPU', () => {
  const cases: [string, Case][] = [
    ['GQA 6/2, hd 16, packed', { B: 2, T: 13, nHead: 6, nKVHead: 2, hd: 16, packed: true }],
    ['GQA 6/2, hd 64', { B: 2, T: 13, nHead: 6, nKVHead: 2, hd: 64, packed: false }],
    ['MHA 6/6, hd 64, packed', { B: 2, T: 13, nHead: 6, nKVHead: 6, hd: 64, packed: true }],
    ['MQA 6/1, hd 16', { B: 2, T: 13, nHead: 6, nKVHead: 1, hd: 16, packed: false }],
    ['peaked scores (online-softmax rescaling), T=37', { B: 1, T: 37, nHead: 3, nKVHead: 1, hd: 16, packed: false, qScale: 25 }],
    ['hd 128 (eight register blocks)', { B: 1, T: 7, nHead: 2, nKVHead: 1, hd: 128, packed: false }],
    ['hd 256 (all sixteen register blocks)', { B: 1, T: 9, nHead: 2, nKVHead: 1, hd: 256, packed: false }],
    ['hd 20 (partial register block), packed', { B: 1, T: 6, nHead: 4, nKVHead: 2, hd: 20, packed: true }],
    ['window 4 < T, GQA 6/2, packed', { B: 2, T: 13, nHead: 6, nKVHead: 2, hd: 16, packed: true, window: 4 }],
    ['window 1 (each query sees only its own key), MQA', { B: 2, T: 13, nHead: 6, nKVHead: 1, hd: 16, packed: false, window: 1 }],
    ['window 5, MHA, hd 64, packed', { B: 2, T: 13, nHead: 6, nKVHead: 6, hd: 64, packed: true, window: 5 }],
    ['window 3, hd 256', { B: 1, T: 9, nHead: 2, nKVHead: 1, hd: 256, packed: false, window: 3 }],
    ['window 20 across workgroups, T=90, peaked scores', { B: 1, T: 90, nHead: 2, nKVHead: 1, hd: 8, packed: false, qScale: 25, window: 20 }],
    // awkward sizes for the tiled kernels: T not a multiple of any tile, every lane split (hd 64/80/128/256 → 4 lanes,
    // 72 → 2, 20 → 1), GQA groups 1/3/4, windows shorter than T spanning several key tiles, B > 1
    ['SmolLM2-like GQA 9/3, hd 64, T=37, B=2', { B: 2, T: 37, nHead: 9, nKVHead: 3, hd: 64, packed: false }],
    ['GQA 4/1, hd 80, window 7, T=29, B=2, packed', { B: 2, T: 29, nHead: 4, nKVHead: 1, hd: 80, packed: true, window: 7 }],
    ['MHA 2/2, hd 128, T=41, window 19', { B: 1, T: 41, nHead: 2, nKVHead: 2, hd: 128, packed: false, window: 19 }],
    ['GQA 3/1, hd 256, T=23, B=2', { B: 2, T: 23, nHead: 3, nKVHead: 1, hd: 256, packed: false }],
    ['GQA 6/2, hd 72 (two lanes), T=19, packed', { B: 2, T: 19, nHead: 6, nKVHead: 2, hd: 72, packed: true }],
    ['GQA 8/2, hd 16, T=83, window 33, peaked scores', { B: 2, T: 83, nHead: 8, nKVHead: 2, hd: 16, packed: false, qScale: 25, window: 33 }],
  ];

  for (const [variant, kernelOpts] of VARIANTS)
  for (const [name, c] of cases) {
    it(`${variant}: forward and backward match the float64 reference: ${name}`, async () => {
      const gpu = await testGpu();
      const { B, T, nHead, nKVHead, hd } = c;
      const scale = 1 / Math.sqrt(hd);
      const x = inputs(c, 100 + hd + nKVHead);
      const bufs = [
        upload(gpu, 'q', x.q), upload(gpu, 'k', x.k), upload(gpu, 'v', x.v),
        upload(gpu, 'dout', x.dout), upload(gpu, 'segments', x.segments),
      ];
      const [q, k, v, dout, segments] = bufs;
      const out = gpu.buffers.storage('scratch', 'out', x.q.byteLength);
      const lse = gpu.buffers.storage('scratch', 'lse', B * nHead * T * 4);
      const dq = gpu.buffers.storage('scratch', 'dq', x.q.byteLength);
      const dk = gpu.buffers.storage('scratch', 'dk', x.k.byteLength);
      const dv = gpu.buffers.storage('scratch', 'dv', x.v.byteLength);
      const rec = new Recorder(gpu);
      const opts = { window: c.window };
      attentionForward(rec, out, lse, q, k, v, segments, B, T, T, T, nHead, nKVHead, hd, scale, { ...opts, ...kernelOpts });
      attentionBackward(rec, dq, dk, dv, dout, q, k, v, segments, out, lse, B, T, nHead, nKVHead, hd, scale, { ...opts, ...kernelOpts });
      rec.submit();

      const rOut = new Float64Array(x.q.length), rLse = new Float64Array(B * nHead * T);
      fwdRef(rOut, rLse, f64(x.q), f64(x.k), f64(x.v), x.segments, B, T, T, T, nHead, nKVHead, hd, scale, opts);
      const rdq = new Float64Array(x.q.length), rdk = new Float64Array(x.k.length), rdv = new Float64Array(x.v.length);
      bwdRef(rdq, rdk, rdv, f64(x.dout), f64(x.q), f64(x.k), f64(x.v), x.segments, rOut, rLse, B, T, nHead, nKVHead, hd, scale, opts);

      expectClose(await readF32(gpu.device, out), rOut, TOL, 'out');
      expectClose(await readF32(gpu.device, lse), rLse, TOL, 'lse');
      expectClose(await readF32(gpu.device, dq), rdq, TOL, 'dq');
      expectClose(await readF32(gpu.device, dk), rdk, TOL, 'dk');
      expectClose(await readF32(gpu.device, dv), rdv, TOL, 'dv');
      for (const b of [...bufs, out, lse, dq, dk, dv]) gpu.buffers.release(b);
    });
  }

  for (const [variant, kernelOpts] of VARIANTS)
  for (const window of [0, 4]) {
    const what = window ? `with window ${window}, never reading rows before the window` : 'never reading unfilled rows';
    it(`${variant}: decodes against a larger KV cache exactly like the training rows (Tq = 1 and 3), ${what}`, async () => {
      const gpu = await testGpu();
      const c: Case = { B: 2, T: 13, nHead: 6, nKVHead: 2, hd: 16, packed: true };
      const { B, T, nHead, nKVHead, hd } = c;
      const kvCap = 20;
      const scale = 1 / Math.sqrt(hd);
      const opts = { window, ...kernelOpts };
      const x = inputs(c, 7);
      const rowQ = nHead * hd, rowKV = nKVHead * hd;

      // training-shaped pass for the expected rows
      const qFull = upload(gpu, 'q', x.q), kFull = upload(gpu, 'k', x.k), vFull = upload(gpu, 'v', x.v);
      const segFull = upload(gpu, 'seg', x.segments);
      const outFull = gpu.buffers.storage('scratch', 'out', x.q.byteLength);
      const lseFull = gpu.buffers.storage('scratch', 'lse', B * nHead * T * 4);
      const rec = new Recorder(gpu);
      attentionForward(rec, outFull, lseFull, qFull, kFull, vFull, segFull, B, T, T, T, nHead, nKVHead, hd, scale, opts);
      rec.submit();
      const expOut = await readF32(gpu.device, outFull), expLse = await readF32(gpu.device, lseFull);

      // cache of capacity kvCap holding T rows; the unfilled rows, and with a window the rows no decoded query's
      // window reaches (the first query decoded is at position T − 3), are NaN so reading one would poison the output
      const kc = new Float32Array(B * kvCap * rowKV).fill(NaN), vc = new Float32Array(B * kvCap * rowKV).fill(NaN);
      const sc = new Uint32Array(B * kvCap);
      const firstRead = window ? T - 3 - window + 1 : 0;
      for (let b = 0; b < B; b++) {
        kc.set(x.k.subarray((b * T + firstRead) * rowKV, (b + 1) * T * rowKV), (b * kvCap + firstRead) * rowKV);
        vc.set(x.v.subarray((b * T + firstRead) * rowKV, (b + 1) * T * rowKV), (b * kvCap + firstRead) * rowKV);
        sc.set(x.segments.subarray(b * T, (b + 1) * T), b * kvCap);
      }
      const kCache = upload(gpu, 'kc', kc), vCache = upload(gpu, 'vc', vc), segCache = upload(gpu, 'sc', sc);
      for (const Tq of [1, 3]) {
        const qd = new Float32Array(B * Tq * rowQ);
        for (let b = 0; b < B; b++) qd.set(x.q.subarray((b * T + T - Tq) * rowQ, (b * T + T) * rowQ), b * Tq * rowQ);
        const qBuf = upload(gpu, 'qd', qd);
        const outD = gpu.buffers.storage('scratch', 'outd', qd.byteLength);
        const lseD = gpu.buffers.storage('scratch', 'lsed', B * nHead * Tq * 4);
        const r = new Recorder(gpu);
        attentionForward(r, outD, lseD, qBuf, kCache, vCache, segCache, B, Tq, T, kvCap, nHead, nKVHead, hd, scale, opts);
        r.submit();
        const wantOut = new Float32Array(qd.length), wantLse = new Float32Array(B * nHead * Tq);
        for (let b = 0; b < B; b++) {
          wantOut.set(expOut.subarray((b * T + T - Tq) * rowQ, (b * T + T) * rowQ), b * Tq * rowQ);
          for (let h = 0; h < nHead; h++)
            for (let i = 0; i < Tq; i++) wantLse[(b * nHead + h) * Tq + i] = expLse[(b * nHead + h) * T + T - Tq + i];
        }
        const gotOut = await readF32(gpu.device, outD), gotLse = await readF32(gpu.device, lseD);
        expectClose(gotOut, wantOut, { rtol: 1e-5, atol: 1e-6 }, `decode out, Tq=${Tq}`);
        expectClose(gotLse, wantLse, { rtol: 1e-5, atol: 1e-6 }, `decode lse, Tq=${Tq}`);
        // the reference's decoding path (Tq < Tk < kvCap) agrees; it must not read the NaN rows either
        const rOut = new Float64Array(qd.length), rLse = new Float64Array(B * nHead * Tq);
        fwdRef(rOut, rLse, f64(qd), f64(kc), f64(vc), sc, B, Tq, T, kvCap, nHead, nKVHead, hd, scale, opts);
        expectClose(gotOut, rOut, TOL, `decode out vs reference, Tq=${Tq}`);
        expectClose(gotLse, rLse, TOL, `decode lse vs reference, Tq=${Tq}`);
        for (const b of [qBuf, outD, lseD]) gpu.buffers.release(b);
      }
      for (const b of [qFull, kFull, vFull, segFull, outFull, lseFull, kCache, vCache, segCache]) gpu.buffers.release(b);
    });
  }

  for (const [variant, kernelOpts] of VARIANTS)
  it(`${variant}: treats a window covering every key as no window, in both passes`, async () => {
    const gpu = await testGpu();
    const c: Case = { B: 2, T: 13, nHead: 4, nKVHead: 2, hd: 16, packed: false };
    const { B, T, nHead, nKVHead, hd } = c;
    const scale = 1 / Math.sqrt(hd);
    const x = inputs(c, 21);
    const bufs = [
      upload(gpu, 'q', x.q), upload(gpu, 'k', x.k), upload(gpu, 'v', x.v),
      upload(gpu, 'dout', x.dout), upload(gpu, 'segments', x.segments),
    ];
    const [q, k, v, dout, segments] = bufs;
    const run = async (window: number) => {
      const out = gpu.buffers.storage('scratch', 'out', x.q.byteLength);
      const lse = gpu.buffers.storage('scratch', 'lse', B * nHead * T * 4);
      const dq = gpu.buffers.storage('scratch', 'dq', x.q.byteLength);
      const dk = gpu.buffers.storage('scratch', 'dk', x.k.byteLength);
      const dv = gpu.buffers.storage('scratch', 'dv', x.v.byteLength);
      const rec = new Recorder(gpu);
      attentionForward(rec, out, lse, q, k, v, segments, B, T, T, T, nHead, nKVHead, hd, scale, { window, ...kernelOpts });
      attentionBackward(rec, dq, dk, dv, dout, q, k, v, segments, out, lse, B, T, nHead, nKVHead, hd, scale, { window, ...kernelOpts });
      rec.submit();
      const res = await Promise.all([out, lse, dq, dk, dv].map((b) => readF32(gpu.device, b)));
      for (const b of [out, lse, dq, dk, dv]) gpu.buffers.release(b);
      return res.map((a) => Array.from(a));
    };
    const none = await run(0);
    for (const window of [T, T + 1, 1000]) expect(await run(window)).toEqual(none);
    expect(await run(T - 1)).not.toEqual(none); // a real window: the last row no longer sees key 0
    for (const b of bufs) gpu.buffers.release(b);
  });

  it("'auto' runs the fused kernels on a hardware adapter and the row kernels on a CPU adapter; ATTENTION_KERNEL overrides it", async () => {
    const cpu = await testGpu();
    const c: Case = { B: 1, T: 37, nHead: 4, nKVHead: 2, hd: 16, packed: false };
    const { B, T, nHead, nKVHead, hd } = c;
    const x = inputs(c, 31);
    const bufs = [upload(cpu, 'q', x.q), upload(cpu, 'k', x.k), upload(cpu, 'v', x.v), upload(cpu, 'dout', x.dout), upload(cpu, 'segments', x.segments)];
    const [q, k, v, dout, segments] = bufs;
    const run = async (gpu: Gpu, opts: AttentionOptions) => {
      const out = gpu.buffers.storage('scratch', 'out', x.q.byteLength), lse = gpu.buffers.storage('scratch', 'lse', B * nHead * T * 4);
      const dq = gpu.buffers.storage('scratch', 'dq', x.q.byteLength);
      const dk = gpu.buffers.storage('scratch', 'dk', x.k.byteLength), dv = gpu.buffers.storage('scratch', 'dv', x.v.byteLength);
      const rec = new Recorder(gpu);
      attentionForward(rec, out, lse, q, k, v, segments, B, T, T, T, nHead, nKVHead, hd, 0.25, opts);
      attentionBackward(rec, dq, dk, dv, dout, q, k, v, segments, out, lse, B, T, nHead, nKVHead, hd, 0.25, opts);
      rec.submit();
      const res = await Promise.all([out, lse, dq, dk, dv].map((b) => readF32(gpu.device, b)));
      for (const b of [out, lse, dq, dk, dv]) gpu.buffers.release(b);
      return res.map((a) => Array.from(a));
    };
    const env = process.env.ATTENTION_KERNEL;
    try {
      delete process.env.ATTENTION_KERNEL;
      const fused = await run(cpu, { kernel: 'fused' }), rows = await run(cpu, { kernel: 'rows' });
      expect(fused).not.toEqual(rows); // different summation orders: the comparison below can tell them apart
      expect(await run(asHardwareAdapter(cpu), {})).toEqual(fused);
      expect(await run(cpu, {})).toEqual(rows);
      process.env.ATTENTION_KERNEL = 'fused';
      expect(await run(cpu, {})).toEqual(fused);
      expect(await run(cpu, { kernel: 'rows' })).toEqual(rows); // an explicit option wins over the environment
      process.env.ATTENTION_KERNEL = 'rows';
      expect(await run(asHardwareAdapter(cpu), {})).toEqual(rows);
      process.env.ATTENTION_KERNEL = 'flash';
      await expect(run(cpu, {})).rejects.toThrow(/ATTENTION_KERNEL must be fused, rows or auto, got flash/);
    } finally {
      if (env === undefined) delete process.env.ATTENTION_KERNEL;
      else process.env.ATTENTION_KERNEL = env;
      for (const b of bufs) cpu.buffers.release(b);
    }
  });

  it('rejects shapes it cannot run with a clear error', async () => {
    const gpu = await testGpu();
    const buf = gpu.buffers.storage('scratch', 'x', 1 << 16);
    const rec = new Recorder(gpu);
    const call = (nHead: number, nKVHead: number, hd: number, Tq = 4, Tk = 4, kvCap = 4, window?: number) => () =>
      attentionForward(rec, buf, buf, buf, buf, buf, buf, 1, Tq, Tk, kvCap, nHead, nKVHead, hd, 1, { window });
    const back = (window: number) => () =>
      attentionBackward(rec, buf, buf, buf, buf, buf, buf, buf, buf, buf, buf, 1, 4, 2, 1, 16, 1, { window });
    expect(call(6, 4, 16)).toThrow(/multiple of nKVHead/);
    expect(call(2, 1, 18)).toThrow(/headDim must be a multiple of 4/);
    expect(call(2, 1, 260)).toThrow(/at most 256/);
    expect(call(2, 1, 16, 5, 4, 4)).toThrow(/Tq ≤ Tk ≤ kvCap/);
    expect(call(2, 1, 16, 1, 9, 8)).toThrow(/Tq ≤ Tk ≤ kvCap/);
    expect(call(64, 64, 128, 4, 4, 4)).toThrow(/out needs \d+ bytes but its buffer has/);
    for (const window of [-1, 2.5, NaN]) {
      expect(call(2, 1, 16, 4, 4, 4, window)).toThrow(/attentionForward: window must be a non-negative integer/);
      expect(back(window)).toThrow(/attentionBackward: window must be a non-negative integer/);
    }
    // head_dim 100 = 25 vec4: one lane per row, over the 16 vec4 a lane holds; 'auto' falls back to the row kernels
    expect(() => attentionForward(rec, buf, buf, buf, buf, buf, buf, 1, 4, 4, 4, 2, 1, 100, 1, { kernel: 'fused' })).toThrow(/fused kernels cannot hold headDim 100/);
    expect(rec.count).toBe(0);
    const hw = new Recorder(asHardwareAdapter(gpu));
    attentionForward(hw, buf, buf, buf, buf, buf, buf, 1, 4, 4, 4, 2, 1, 100, 1);
    expect(hw.count).toBe(1);
    hw.clear();
    gpu.buffers.release(buf);
  });
});
