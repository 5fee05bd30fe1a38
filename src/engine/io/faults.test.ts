import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startHubServer, type HubServer } from '../../node/hubServer';
import { loadCheckpoint, type LoadCheckpointOptions } from './stream';
import { fetchJson } from './hub';
import { HubError, ModelFileError } from './errors';
import { parseSafetensorsHeader } from './safetensors';
import { makeTestCheckpoint, checkModelBytes, RecordingSink, TEST_SPECS as SPECS, type TestTensorSpec } from './testModel';

let hub: HubServer;
const model = makeTestCheckpoint(SPECS);
const header = parseSafetensorsHeader(model, { fileName: 'x', fileSize: model.byteLength });
const expectModelBytes = (sink: RecordingSink, specs: TestTensorSpec[]) => expect(checkModelBytes(sink, specs, model)).toBeNull();
const FAST = { retries: 3, baseDelayMs: 5, maxDelayMs: 20 };

beforeAll(async () => {
  hub = await startHubServer({ tokens: { 'org/gated': 'hf_good' } });
  for (const repo of ['org/tiny', 'org/gated', 'org/drop', 'org/trunc', 'org/slow', 'org/norange', 'org/flaky'])
    hub.writeFile(`${repo}/model.safetensors`, model);
  hub.writeFile('org/gated/config.json', '{}');
  hub.writeFile('org/short/model.safetensors', model.subarray(0, model.byteLength - 1000));
});
afterAll(() => hub.close());

const opts = (repo: string, sink = new RecordingSink(), extra: Partial<LoadCheckpointOptions> = {}): LoadCheckpointOptions => ({
  source: { kind: 'hub', endpoint: hub.url, repo },
  sink,
  retry: FAST,
  ...extra,
});
const bodyRequests = (repo: string) => hub.requests.filter((q) => q.path.includes(repo) && q.range && !/^bytes=(0-7|8-)/.test(q.range));

describe('streaming faults', () => {
  it('resumes a dropped connection with a Range request from the last byte received', async () => {
    hub.setFault('org/drop/model.safetensors', { kind: 'drop', afterBytes: 1_000_003, times: 2 });
    const sink = new RecordingSink();
    await loadCheckpoint(opts('org/drop', sink));
    expectModelBytes(sink, SPECS);
    const body = bodyRequests('org/drop');
    expect(body.length).toBe(3);
    const start = (r: string) => Number(/bytes=(\d+)-/.exec(r)![1]);
    expect(start(body[0].range!)).toBe(header.dataOffset);
    expect(body[0].sent).toBe(1_000_003);
    expect(start(body[1].range!)).toBe(header.dataOffset + 1_000_003);
    expect(start(body[2].range!)).toBe(header.dataOffset + 2_000_006);
  });

  it('gives up on a stalled response and resumes where it stopped', async () => {
    hub.setFault('org/hang/model.safetensors', { kind: 'hang', afterBytes: 500_000 });
    hub.writeFile('org/hang/model.safetensors', model);
    const sink = new RecordingSink();
    const t0 = performance.now();
    await loadCheckpoint(opts('org/hang', sink, { stallTimeoutMs: 300 }));
    expect(performance.now() - t0).toBeLessThan(5000);
    expectModelBytes(sink, SPECS);
    const body = bodyRequests('org/hang');
    expect(body.map((q) => q.range)).toEqual([`bytes=${header.dataOffset}-${model.byteLength - 1}`, `bytes=${header.dataOffset + 500_000}-${model.byteLength - 1}`]);
  });

  it('handles a server that ignores Range: headers from whole-file responses, resume by skipping', async () => {
    hub.setFault('org/norange/model.safetensors', [{ kind: 'ignore-range' }, { kind: 'drop', afterBytes: 2_000_000 }]);
    const warnings: string[] = [];
    const sink = new RecordingSink();
    await loadCheckpoint(opts('org/norange', sink, { onWarning: (w) => warnings.push(w) }));
    expectModelBytes(sink, SPECS);
    const statuses = hub.requests.filter((q) => q.path.includes('org/norange/') && q.path.endsWith('.safetensors')).map((q) => q.status);
    expect(statuses).toEqual([200, 200, 200, 200]); // 8 bytes, header, body (dropped at 2 MB), body again (skipping)
    expect(warnings.join('\n')).toMatch(/ignores Range requests for org\/norange\/model.safetensors/);
  });

  it('reports a truncated download naming the file and tensor; the incomplete tensor never ends', async () => {
    // Content-Length promises the whole file but the bytes stop inside the BF16 tensor, on every attempt.
    const mlp = header.tensors.find((t) => t.name === 'layers.0.mlp.up.weight')!;
    hub.setFault('org/trunc/model.safetensors', { kind: 'truncate', atByte: header.dataOffset + mlp.begin + 1001 });
    const sink = new RecordingSink();
    const err = await loadCheckpoint(opts('org/trunc', sink)).catch((e) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    expect(err.file).toBe('org/trunc/model.safetensors');
    expect(err.tensor).toBe('layers.0.mlp.up.weight');
    expect(err.message).toMatch(/ended after \d+ of \d+ bytes, in the middle of tensor "layers.0.mlp.up.weight"/);
    expect(sink.events).toContain('begin layers.0.mlp.up.weight');
    expect(sink.ended.has('layers.0.mlp.up.weight')).toBe(false);
    expect(sink.ended.has('embed.weight')).toBe(true);
    expect(sink.events.at(-1)).toBe('abort');
    expect(bodyRequests('org/trunc').length).toBe(1 + FAST.retries);
  });

  it('rejects a file that is actually shorter than its header before streaming anything', async () => {
    const sink = new RecordingSink();
    const err = await loadCheckpoint(opts('org/short', sink)).catch((e) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    expect(err.message).toMatch(/org\/short\/model.safetensors: tensor "layers.0.attn.q.weight" ends at data byte \d+ but the file holds only \d+ data bytes/);
    expect(sink.events).toEqual(['abort']);
  });

  it('cancels promptly through an AbortSignal', async () => {
    hub.setFault('org/slow/model.safetensors', { kind: 'slow', bytesPerWrite: 16384, delayMs: 20 });
    const ctl = new AbortController();
    const sink = new RecordingSink();
    let abortedAt = 0;
    const p = loadCheckpoint(
      opts('org/slow', sink, {
        signal: ctl.signal,
        progressIntervalMs: 0,
        onProgress: (pr) => {
          if (pr.bytesLoaded > 100_000 && !ctl.signal.aborted) {
            abortedAt = performance.now();
            ctl.abort();
          }
        },
      }),
    );
    const err = await p.catch((e) => e);
    expect(performance.now() - abortedAt).toBeLessThan(500);
    expect(err.name).toBe('AbortError');
    expect(sink.events.at(-1)).toBe('abort');
    expect(sink.ended.size).toBeLessThan(SPECS.length);
  });

  it('explains missing repos, missing files, gated repos and server errors', async () => {
    const fail = (o: LoadCheckpointOptions): Promise<HubError> =>
      loadCheckpoint(o).then(
        () => Promise.reject(new Error('expected the load to fail')),
        (e: HubError) => e,
      );
    const noRepo = await fail(opts('org/nothing'));
    expect(noRepo).toBeInstanceOf(HubError);
    expect(noRepo).toMatchObject({ kind: 'repo-not-found', repo: 'org/nothing' });
    expect(noRepo.message).toMatch(/Model "org\/nothing" was not found at http:\/\/127.0.0.1:\d+\. Check the name/);

    hub.writeFile('org/binonly/pytorch_model.bin', 'x');
    const noFile = await fail(opts('org/binonly'));
    expect(noFile).toMatchObject({ kind: 'file-not-found', file: 'model.safetensors' });
    expect(noFile.message).toMatch(/"model.safetensors" was not found in "org\/binonly".*PyTorch .bin checkpoints are not supported/);

    const gated = await fail(opts('org/gated'));
    expect(gated).toMatchObject({ kind: 'gated', status: 401 });
    expect(gated.message).toMatch(/"org\/gated" is gated: open http:\/\/127.0.0.1:\d+\/org\/gated, log in and accept its license.*access token/);
    const badToken = await fail({ ...opts('org/gated'), source: { kind: 'hub', endpoint: hub.url, repo: 'org/gated', token: 'hf_bad' } });
    expect(badToken).toMatchObject({ kind: 'gated', status: 403 });
    expect(badToken.message).toMatch(/your access token is not \(yet\) allowed/);
    const sink = new RecordingSink();
    await loadCheckpoint({ ...opts('org/gated', sink), source: { kind: 'hub', endpoint: hub.url, repo: 'org/gated', token: 'hf_good' } });
    expectModelBytes(sink, SPECS);

    hub.setFault('org/flaky/model.safetensors', { kind: 'status', status: 503 });
    const t0 = hub.requests.length;
    const server = await fail(opts('org/flaky'));
    expect(server).toMatchObject({ kind: 'server', status: 503 });
    expect(server.message).toMatch(/failed with 503 while serving "org\/flaky\/model.safetensors"/);
    expect(hub.requests.length - t0).toBeGreaterThan(FAST.retries); // retried (index probe + header attempts)

    const closed = await startHubServer();
    const deadUrl = closed.url;
    await closed.close();
    const network = (await fetchJson({ endpoint: deadUrl, repo: 'org/tiny' }, 'config.json', { retry: FAST }).catch((e) => e)) as HubError;
    expect(network).toMatchObject({ kind: 'network', repo: 'org/tiny', file: 'config.json' });
    expect(network.message).toMatch(/Could not reach 127.0.0.1:\d+ for org\/tiny\/config.json/);
  });
});
