import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCheckpoint } from '../engine/io/checkpoint';
import { readBytes } from '../engine/io/source';
import { convertBytes } from '../engine/io/convert';
import { parseModelConfig } from '../engine/model/config';
import { mergeLora } from '../engine/export/merge';
import { checkpointWeights, mergedWeights } from '../engine/export/weights';
import { exportFiles, type ExportInput } from '../engine/export/plan';
import { ExportSpaceError, runExport, type PlannedFile } from '../engine/export/sink';
import { MemorySink, tinyExportModel } from '../testing/exportModels';
import { DirSink } from './exportDir';
import type { WeightDtype } from '../engine/io/safetensors';

/** base + s·B·A in float64 for one target (the weight's stored layout). */
function expected64(base: Float32Array, t: { inFeatures: number; outFeatures: number; r: number; scale: number; layout: string }, A: Float32Array, B: Float32Array): Float64Array {
  const out = Float64Array.from(base);
  for (let o = 0; o < t.outFeatures; o++)
    for (let i = 0; i < t.inFeatures; i++) {
      let s = 0;
      for (let k = 0; k < t.r; k++) s += B[o * t.r + k] * A[k * t.inFeatures + i];
      out[t.layout === 'linear' ? o * t.inFeatures + i : i * t.outFeatures + o] += t.scale * s;
    }
  return out;
}

async function readAll(files: Map<string, Uint8Array>, prefix = ''): Promise<Map<string, { dtype: string; shape: number[]; v: Float32Array }>> {
  const shards = [...files.keys()].filter((n) => n.startsWith(prefix) && n.endsWith('.safetensors'));
  const ckpt = await openCheckpoint({ source: { kind: 'files', files: [...files].filter(([n]) => n.endsWith('.json') || shards.includes(n)).map(([name, b]) => ({ name, blob: new Blob([b.slice().buffer as ArrayBuffer]) })) } });
  const out = new Map<string, { dtype: string; shape: number[]; v: Float32Array }>();
  for (const f of ckpt.files)
    for (const t of f.tensors) {
      const bytes = await readBytes(f.source, f.header.dataOffset + t.begin, f.header.dataOffset + t.end);
      out.set(t.name, { dtype: t.dtype, shape: t.shape, v: convertBytes(bytes, t.dtype as WeightDtype, 'f32') });
    }
  return out;
}

function input(m: ReturnType<typeof tinyExportModel>, base: Awaited<ReturnType<typeof checkpointWeights>>, over: Partial<ExportInput> = {}): ExportInput {
  return {
    format: 'hf', baseName: 'tiny/base', name: 'tiny-merged', config: m.config, configJson: m.configJson, base,
    lora: { config: m.loraConfig, targets: m.targets, values: m.values }, full: null,
    tokenizerJson: { model: { type: 'BPE', vocab: {} } }, tokenizerConfig: {}, generationConfig: null, ...over,
  };
}

describe('merged model export', () => {
  for (const [arch, dtype] of [['llama', 'F32'], ['gpt2', 'F32'], ['qwen3', 'BF16'], ['phi3', 'F16']] as const) {
    it(`${arch} (${dtype}): every merged tensor equals base + s·B·A (float64), stored as the base dtype`, async () => {
      const m = tinyExportModel(arch, dtype);
      const base = await checkpointWeights(m.config, m.source);
      const sink = new MemorySink();
      await runExport(sink, exportFiles(input(m, base)));
      const back = await readAll(sink.files);
      const byWeight = new Map(m.targets.map((t) => [`${t.module}.weight`, t]));
      for (const t of base.tensors) {
        const got = back.get(t.name)!;
        expect(got.dtype).toBe(dtype);
        expect(got.shape).toEqual(t.shape);
        const target = byWeight.get(t.name);
        const want = target ? expected64(m.weights.get(t.name)!, target, m.values.get(target.keyA)!, m.values.get(target.keyB)!) : Float64Array.from(m.weights.get(t.name)!);
        // One rounding to the stored dtype: |err| ≤ half an ulp of that dtype (relative 2^-24 / 2^-11 / 2^-8).
        const rel = dtype === 'F32' ? 2 ** -23 : dtype === 'F16' ? 2 ** -10 : 2 ** -7;
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got.v[i] - want[i]) - rel * Math.abs(want[i]) - 1e-7);
        expect(worst, t.name).toBeLessThanOrEqual(0);
        if (target) expect(got.v.some((x, i) => x !== m.weights.get(t.name)![i])).toBe(true);
      }
      const cfg = JSON.parse(new TextDecoder().decode(sink.files.get('config.json')));
      expect(cfg.torch_dtype).toBe({ F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[dtype]);
      expect(parseModelConfig(cfg).architecture).toBe(m.config.architecture);
      expect(new TextDecoder().decode(sink.files.get('README.md'))).toContain('base_model: "tiny/base"');
    });
  }

  it('mergeLora is the same as the float64 formula for a Conv1D weight (transposed update)', async () => {
    const m = tinyExportModel('gpt2', 'F32');
    const t = m.targets.find((x) => x.layout === 'conv1d')!;
    const merged = mergeLora(m.weights.get(`${t.module}.weight`)!, { target: t, A: m.values.get(t.keyA)!, B: m.values.get(t.keyB)! });
    const want = expected64(m.weights.get(`${t.module}.weight`)!, t, m.values.get(t.keyA)!, m.values.get(t.keyB)!);
    for (let i = 0; i < want.length; i++) expect(merged[i]).toBe(Math.fround(want[i]));
    await Promise.resolve();
  });

  it('shards like save_pretrained (model-0000N-of-0000M + an index that names every tensor)', async () => {
    const m = tinyExportModel('llama', 'F32');
    const base = await checkpointWeights(m.config, m.source);
    const sink = new MemorySink();
    await runExport(sink, exportFiles(input(m, base, { maxShardBytes: 20_000 })));
    const shards = [...sink.files.keys()].filter((n) => n.endsWith('.safetensors')).sort();
    expect(shards.length).toBeGreaterThan(2);
    shards.forEach((s, i) => expect(s).toBe(`model-${String(i + 1).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.safetensors`));
    const index = JSON.parse(new TextDecoder().decode(sink.files.get('model.safetensors.index.json')));
    expect(Object.keys(index.weight_map).sort()).toEqual(base.tensors.map((t) => t.name).sort());
    expect(index.metadata.total_size).toBe(base.tensors.reduce((a, t) => a + t.shape.reduce((x, d) => x * d, 4), 0));
    expect((await readAll(sink.files)).size).toBe(base.tensors.length);
  });

  it('a full-parameter run exports its own weights', async () => {
    const m = tinyExportModel('llama', 'BF16');
    const base = await checkpointWeights(m.config, m.source);
    const full = new Map([...m.weights].map(([k, v]) => [k, v.map((x) => x * 0.5)]));
    const sink = new MemorySink();
    await runExport(sink, exportFiles(input(m, base, { lora: null, full })));
    const back = await readAll(sink.files);
    for (const [k, v] of full) expect([...back.get(k)!.v]).toEqual([...v]);
  });

  it('an adapter for another base model is refused naming the module', async () => {
    const m = tinyExportModel('llama', 'F32');
    const other = tinyExportModel('qwen3', 'F32');
    const base = await checkpointWeights(m.config, m.source);
    expect(() => mergedWeights(base, other.targets.map((t) => ({ ...t, module: t.module.replace('layers.1', 'layers.7') })), other.values)).toThrow(/targets modules this model does not have: model\.layers\.7/);
  });
});

describe('export to a folder on disk', () => {
  const plan = (): PlannedFile[] => [
    { name: 'a.bin', size: 4, async *bytes() { yield new Uint8Array([1, 2, 3, 4]); } },
    { name: 'b.bin', size: 8, async *bytes() { yield new Uint8Array(4); await Promise.resolve(); throw new Error('boom'); } },
  ];
  it('commits by renaming the staging folder; a failure or cancel leaves nothing behind', async () => {
    const root = mkdtempSync(join(tmpdir(), 'export-'));
    const ok = new DirSink(join(root, 'ok'));
    await runExport(ok, plan().slice(0, 1));
    expect(readdirSync(join(root, 'ok'))).toEqual(['a.bin']);
    const bad = new DirSink(join(root, 'bad'));
    await expect(runExport(bad, plan())).rejects.toThrow('boom');
    expect(existsSync(join(root, 'bad'))).toBe(false);
    expect(readdirSync(root)).toEqual(['ok']);
    const ac = new AbortController();
    ac.abort();
    await expect(runExport(new DirSink(join(root, 'cancelled')), plan(), { signal: ac.signal })).rejects.toThrow();
    expect(readdirSync(root)).toEqual(['ok']);
    expect(() => new DirSink(join(root, 'ok'))).toThrow(/already exists and is not empty/);
  });
  it('a full disk is reported as such, with nothing left', async () => {
    const root = mkdtempSync(join(tmpdir(), 'export-'));
    const sink = new DirSink(join(root, 'm'));
    expect(() => sink.checkSpace(Number.MAX_SAFE_INTEGER)).toThrow(ExportSpaceError);
    expect(readdirSync(root)).toEqual([]);
    const full = new DirSink(join(root, 'n'));
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const files: PlannedFile[] = [{ name: 'x', size: 2, async *bytes() { await Promise.resolve(); yield new Uint8Array(1); throw enospc; } }];
    await expect(runExport(full, files)).rejects.toThrow(/Not enough space to export/);
    expect(readdirSync(root)).toEqual([]);
  });
});
