/**
 * GPU sampling vs the host sampler (src/engine/sampling.ts, the reference): greedy picks the same id (ties → lowest
 * index); with temperature / top-k / top-p the GPU draw for a given r is the host's draw for a rand() returning that
 * r, for every r on a grid whose host draw is stable under ±1e-5 (the kernel computes exp in f32, the host in f64,
 * so only a draw within rounding of a boundary may differ), and the empirical distribution matches.
 */
import { describe, it, expect } from 'vitest';
import { ADAPTER_KINDS, testGpuAs } from '../../testing/gpu';
import { randomArray } from '../../testing/compare';
import { Recorder } from '../gpu/recorder';
import { readU32 } from '../gpu/buffers';
import type { Gpu } from '../gpu/device';
import { sampleToken as hostSample, type SamplingOptions } from '../sampling';
import { sampleToken } from './sample';

/** Runs one dispatch per r (one command buffer), returns the ids. */
async function gpuDraws(gpu: Gpu, logits: Float32Array, V: number, rows: number, opts: SamplingOptions, rs: number[]): Promise<number[]> {
  const bl = gpu.buffers.fromData('test', 'logits', logits);
  const ids = gpu.buffers.storage('test', 'ids', rs.length * 4);
  const tokens = gpu.buffers.storage('test', 'tokens', 4);
  const rec = new Recorder(gpu);
  rs.forEach((r, slot) => sampleToken(rec, ids, tokens, bl, V, { ...opts, r, slot, offset: (slot % rows) * V }));
  rec.submit();
  const out = Array.from(await readU32(gpu.device, ids, 0, rs.length));
  const last = (await readU32(gpu.device, tokens, 0, 1))[0];
  expect(last, 'tokens[0] holds the last id').toBe(out.at(-1));
  rec.destroy();
  gpu.buffers.releasePool('test');
  return out;
}

const host = (row: Float32Array, opts: SamplingOptions, r: number) => hostSample(row, opts, () => r);

const CONFIGS: SamplingOptions[] = [
  { temperature: 1, topK: 0, topP: 1 },
  { temperature: 0.7, topK: 40, topP: 1 },
  { temperature: 1.3, topK: 0, topP: 0.9 },
  { temperature: 0.8, topK: 50, topP: 0.95 },
  { temperature: 1, topK: 1, topP: 1 },
];

for (const kind of ADAPTER_KINDS) {
  describe(`GPU sampling vs the host sampler (${kind} widths)`, () => {
    it('greedy: the argmax at awkward vocabulary sizes, ties resolved to the lowest index', async () => {
      const gpu = await testGpuAs(kind);
      for (const V of [1, 7, 1000, 4099]) {
        const rows = 3;
        const logits = randomArray(V * rows, V, 4);
        if (V > 7) logits.fill(9, 2 * V + 5, 2 * V + 9); // row 2: a four-way tie for the maximum
        const got = await gpuDraws(gpu, logits, V, rows, { temperature: 0, topK: 0, topP: 1 }, [0, 0, 0]);
        const want = [0, 1, 2].map((r) => host(logits.subarray(r * V, (r + 1) * V), { temperature: 0, topK: 0, topP: 1 }, 0));
        expect(got, `V=${V}`).toEqual(want);
      }
    });

    for (const opts of CONFIGS) {
      it(`T=${opts.temperature} topK=${opts.topK} topP=${opts.topP}: the host's draw for the same r`, async () => {
        const gpu = await testGpuAs(kind);
        const V = 1031;
        const logits = randomArray(V, 11, 3);
        logits.fill(logits[17], 40, 44); // ties inside the candidates
        const rs = Array.from({ length: 120 }, (_, i) => (i + 0.5) / 120);
        const got = await gpuDraws(gpu, logits, V, 1, opts, rs);
        let compared = 0;
        rs.forEach((r, i) => {
          const want = host(logits, opts, r);
          if (host(logits, opts, Math.max(0, r - 1e-5)) !== want || host(logits, opts, r + 1e-5) !== want) return;
          compared++;
          expect(got[i], `r=${r}`).toBe(want);
        });
        expect(compared).toBeGreaterThan(100);
      });
    }
  });
}

describe('GPU sampling: distribution and guards', () => {
  it('the seeded draw frequencies follow the host sampler probabilities (top-k 5, T 0.9)', async () => {
    const gpu = await testGpuAs('gpu');
    const V = 300, opts = { temperature: 0.9, topK: 5, topP: 1 };
    const logits = randomArray(V, 5, 2);
    const n = 400;
    const rs = Array.from({ length: n }, (_, i) => ((i * 0.6180339887) % 1));
    const got = await gpuDraws(gpu, logits, V, 1, opts, rs);
    const count = (ids: number[]) => ids.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<number, number>());
    const want = count(rs.map((r) => host(logits, opts, r)));
    const seen = count(got);
    expect([...seen.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [id, c] of want) expect(Math.abs((seen.get(id) ?? 0) - c), `id ${id}`).toBeLessThanOrEqual(2);
  });

  it('rejects bad arguments', async () => {
    const gpu = await testGpuAs('cpu');
    const b = gpu.buffers.storage('test', 'b', 64);
    const rec = new Recorder(gpu);
    expect(() => sampleToken(rec, b, b, b, 0, { temperature: 0, topK: 0, topP: 1, r: 0 })).toThrow(/V must/);
    expect(() => sampleToken(rec, b, b, b, 4, { temperature: 1, topK: 0, topP: 1, r: 1 })).toThrow(/r must/);
    expect(() => sampleToken(rec, b, b, b, 100, { temperature: 1, topK: 0, topP: 1, r: 0 })).toThrow(/logits hold/);
    rec.destroy();
    gpu.buffers.releasePool('test');
  });
});
