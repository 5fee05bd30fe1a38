import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startHubServer, type HubServer } from '../../node/hubServer';
import { loadCheckpoint, type LoadProgress } from './stream';
import { openCheckpoint } from './checkpoint';
import { fetchModelFiles } from './hub';
import { ModelFileError } from './errors';
import { makeTestCheckpoint, makeShardedTestCheckpoint, checkModelBytes, RecordingSink, TEST_SPECS as SPECS, type TestTensorSpec } from './testModel';

let hub: HubServer;
const model = makeTestCheckpoint(SPECS);
const sharded = makeShardedTestCheckpoint([SPECS.slice(0, 2), SPECS.slice(2, 4), SPECS.slice(4)]);

beforeAll(async () => {
  hub = await startHubServer();
  hub.writeFile('org/tiny/model.safetensors', model);
  hub.writeFile('org/tiny/config.json', JSON.stringify({ model_type: 'llama', hidden_size: 513 }));
  hub.writeFile('org/tiny/tokenizer.json', '{"model":{}}');
  for (const [name, bytes] of Object.entries(sharded.files)) hub.writeFile(`org/sharded/${name}`, bytes);
  hub.writeFile('org/sharded/model.safetensors.index.json', sharded.index);
  hub.writeFile('org/sharded/config.json', '{}');
});
afterAll(() => hub.close());

const expectModelBytes = (sink: RecordingSink, specs: TestTensorSpec[], file = model) => expect(checkModelBytes(sink, specs, file)).toBeNull();

describe('loadCheckpoint from a hub', () => {
  it('streams a single-file model: every byte, in order, with progress and Range requests', async () => {
    const sink = new RecordingSink();
    const progress: LoadProgress[] = [];
    hub.requests.length = 0;
    const r = await loadCheckpoint({
      source: { kind: 'hub', endpoint: hub.url, repo: 'org/tiny' },
      sink,
      onProgress: (p) => progress.push(p),
      progressIntervalMs: 0,
    });
    // File order: F32 first, then BF16, then F16, by name within a dtype (the reference library's layout).
    expect(r.tensors.map((t) => t.name)).toEqual([
      'embed.weight', 'layers.0.empty', 'layers.0.mlp.up.weight', 'layers.0.norm.weight', 'layers.0.attn.q.weight', 'norm.weight',
    ]);
    expectModelBytes(sink, SPECS);
    expect(sink.events.filter((e) => e.startsWith('end')).length).toBe(SPECS.length);
    expect(r.bytes).toBe(r.checkpoint.dataBytes);

    const ranges = hub.requests.filter((q) => q.path.endsWith('model.safetensors')).map((q) => q.range);
    const n = r.checkpoint.files[0].header.headerLength;
    expect(ranges).toEqual(['bytes=0-7', `bytes=8-${8 + n - 1}`, `bytes=${8 + n}-${model.byteLength - 1}`]);

    const last = progress.at(-1)!;
    expect(last).toMatchObject({ phase: 'done', bytesLoaded: r.bytes, bytesTotal: r.bytes, tensorsDone: SPECS.length, tensorsTotal: SPECS.length });
    for (let i = 1; i < progress.length; i++) expect(progress[i].bytesLoaded).toBeGreaterThanOrEqual(progress[i - 1].bytesLoaded);
    expect(progress.some((p) => p.phase === 'weights' && p.bytesLoaded > 0 && p.bytesLoaded < r.bytes && p.mbPerSec > 0 && p.etaSeconds !== null)).toBe(true);
  });

  it('streams a sharded model via its index, delivering only the selected tensors', async () => {
    const sink = new RecordingSink();
    const r = await loadCheckpoint({
      source: { kind: 'hub', endpoint: hub.url, repo: 'org/sharded' },
      sink,
      select: (t) => t.name !== 'layers.0.mlp.up.weight',
    });
    expect(r.checkpoint.files.map((f) => f.name)).toEqual(Object.keys(sharded.files));
    expect(r.skipped.map((t) => t.name)).toEqual(['layers.0.mlp.up.weight']);
    expect(sink.bytes.has('layers.0.mlp.up.weight')).toBe(false);
    const kept = SPECS.filter((s) => s.name !== 'layers.0.mlp.up.weight');
    for (const file of Object.values(sharded.files)) expectModelBytes(sink, kept, file);
    expect(sink.ended.size).toBe(kept.length);
  });

  it('lists the files a model needs', async () => {
    const tiny = await fetchModelFiles({ endpoint: hub.url, repo: 'org/tiny' });
    expect(tiny).toMatchObject({ config: { model_type: 'llama' }, weights: ['model.safetensors'], tokenizer: { model: {} } });
    expect(tiny.generationConfig).toBeUndefined();
    const shards = await fetchModelFiles({ endpoint: hub.url, repo: 'org/sharded' });
    expect(shards.weights).toEqual(Object.keys(sharded.files));
    expect(shards.index?.weight_map['norm.weight']).toBe(Object.keys(sharded.files)[2]);
  });

  it('rejects inconsistent sharded checkpoints before streaming anything', async () => {
    const [a, b] = Object.keys(sharded.files);
    const index = (map: Record<string, string>) => JSON.stringify({ weight_map: map });
    hub.writeFile(`org/missing/${a}`, sharded.files[a]);
    hub.writeFile('org/missing/model.safetensors.index.json', index({ 'embed.weight': a, 'layers.0.attn.q.weight': a, x: b }));
    hub.writeFile(`org/dup/${a}`, sharded.files[a]);
    hub.writeFile(`org/dup/${b}`, makeTestCheckpoint([SPECS[0], SPECS[2]]));
    hub.writeFile('org/dup/model.safetensors.index.json', index({ 'embed.weight': a, 'layers.0.attn.q.weight': a, 'layers.0.mlp.up.weight': b }));
    hub.writeFile(`org/unlisted/${a}`, sharded.files[a]);
    hub.writeFile('org/unlisted/model.safetensors.index.json', index({ 'embed.weight': a }));
    hub.writeFile(`org/wrongfile/${a}`, sharded.files[a]);
    hub.writeFile(`org/wrongfile/${b}`, sharded.files[Object.keys(sharded.files)[1]]);
    hub.writeFile('org/wrongfile/model.safetensors.index.json', index({ 'embed.weight': a, 'layers.0.attn.q.weight': a, 'layers.0.mlp.up.weight': a, 'layers.0.norm.weight': b }));
    const cases: [string, RegExp][] = [
      ['org/missing', new RegExp(`org/missing/model.safetensors.index.json: lists ${b}, which does not exist`)],
      ['org/dup', new RegExp(`org/dup/${b}: tensor "embed.weight" is also in ${a}`)],
      ['org/unlisted', /has tensor "layers.0.attn.q.weight", which model.safetensors.index.json does not list/],
      ['org/wrongfile', new RegExp(`puts tensor "layers.0.mlp.up.weight" in ${a}, but it is in ${b}`)],
    ];
    for (const [repo, message] of cases) {
      const sink = new RecordingSink();
      const err = await loadCheckpoint({ source: { kind: 'hub', endpoint: hub.url, repo }, sink }).catch((e) => e);
      expect(err, repo).toBeInstanceOf(ModelFileError);
      expect(err.message).toMatch(message);
      expect(sink.events).toEqual(['abort']);
    }
  });

  it('refuses an unsupported dtype unless it is left out', async () => {
    const ids = new Uint8Array(8 * 4);
    const header = JSON.stringify({ ids: { dtype: 'I64', shape: [4], data_offsets: [0, 32] }, w: { dtype: 'F32', shape: [2], data_offsets: [32, 40] } });
    const file = new Uint8Array(8 + header.length + 40);
    new DataView(file.buffer).setUint32(0, header.length, true);
    file.set(new TextEncoder().encode(header), 8);
    file.set(ids, 8 + header.length);
    hub.writeFile('org/buffers/model.safetensors', file);
    const source = { kind: 'hub' as const, endpoint: hub.url, repo: 'org/buffers' };
    await expect(loadCheckpoint({ source, sink: new RecordingSink() })).rejects.toThrow(/org\/buffers\/model.safetensors: tensor "ids" is I64; the studio loads only F32, F16 and BF16/);
    const sink = new RecordingSink();
    const r = await loadCheckpoint({ source, sink, select: (t) => t.supported });
    expect(r.tensors.map((t) => t.name)).toEqual(['w']);
    expect(r.skipped.map((t) => t.name)).toEqual(['ids']);
  });
});

describe('loadCheckpoint from local files', () => {
  it('streams Files through the same sink path, sharded or not', async () => {
    const sink = new RecordingSink();
    const r = await loadCheckpoint({ source: { kind: 'files', files: [new File([model as BlobPart], 'model.safetensors'), new File(['{}'], 'config.json')] }, sink });
    expect(r.tensors.length).toBe(SPECS.length);
    expectModelBytes(sink, SPECS);

    const files = Object.entries(sharded.files).map(([name, bytes]) => new File([bytes as BlobPart], name));
    files.push(new File([sharded.index], 'model.safetensors.index.json'));
    const sink2 = new RecordingSink();
    const r2 = await loadCheckpoint({ source: { kind: 'files', files }, sink: sink2 });
    expect(r2.tensors.map((t) => t.name).sort()).toEqual(SPECS.map((s) => s.name).sort());
    for (const [i, name] of Object.keys(sharded.files).entries())
      expectModelBytes(sink2, [SPECS.slice(0, 2), SPECS.slice(2, 4), SPECS.slice(4)][i], sharded.files[name]);
  });

  it('names what is wrong with a local selection', async () => {
    const one = new File([model as BlobPart], 'a.safetensors');
    const two = new File([model as BlobPart], 'b.safetensors');
    await expect(openCheckpoint({ source: { kind: 'files', files: [one, two] } })).rejects.toThrow(/several .safetensors files \(a.safetensors, b.safetensors\) but no model.safetensors.index.json/);
    await expect(openCheckpoint({ source: { kind: 'files', files: [new File(['{}'], 'config.json')] } })).rejects.toThrow(/no .safetensors file/);
    const short = new File([model.subarray(0, model.byteLength - 10) as BlobPart], 'model.safetensors');
    await expect(openCheckpoint({ source: { kind: 'files', files: [short] } })).rejects.toThrow(/model.safetensors: tensor "layers.0.attn.q.weight" ends at data byte .* the file is truncated/);
  });
});
