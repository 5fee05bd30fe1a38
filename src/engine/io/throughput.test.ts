/**
 * Streams a generated ~100 MB checkpoint over real HTTP and measures throughput and JS memory while it loads. The
 * product target is < 64 MiB peak JS heap for a 270 MB model in the browser; here the heap growth over the
 * baseline must stay under 64 MiB too (the server shares this process, so the numbers are if anything high).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startHubServer, type HubServer } from '../../node/hubServer';
import { loadCheckpoint, type TensorSink } from './stream';
import { StreamConverter } from './convert';

const MiB = 1 << 20;
let hub: HubServer;

/** 12 F32 tensors of 4 MiB and 26 BF16 tensors of 2 MiB: 100 MiB of data, written in 1 MiB pieces. */
function* bigCheckpoint(): Generator<Uint8Array> {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (let i = 0; i < 12; i++, offset += 4 * MiB) header[`f32.${i}`] = { dtype: 'F32', shape: [1024, 1024], data_offsets: [offset, offset + 4 * MiB] };
  for (let i = 0; i < 26; i++, offset += 2 * MiB) header[`bf16.${i}`] = { dtype: 'BF16', shape: [1024, 1024], data_offsets: [offset, offset + 2 * MiB] };
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const head = new Uint8Array(8 + json.length);
  new DataView(head.buffer).setUint32(0, json.length, true);
  head.set(new TextEncoder().encode(json), 8);
  yield head;
  const piece = new Uint8Array(MiB);
  for (let i = 0; i < piece.length; i++) piece[i] = (i * 31 + 7) & 0x7f; // finite values in every dtype
  for (let left = offset; left > 0; left -= MiB) yield piece;
}

beforeAll(async () => {
  hub = await startHubServer();
  hub.writeFile('org/big/model.safetensors', bigCheckpoint());
});
afterAll(() => hub.close());

async function measure(sink: TensorSink) {
  const base = process.memoryUsage();
  let peakHeap = base.heapUsed;
  let peakBuffers = base.arrayBuffers;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
  };
  const timer = setInterval(sample, 5);
  const r = await loadCheckpoint({
    source: { kind: 'hub', endpoint: hub.url, repo: 'org/big' },
    sink,
    cache: null,
    progressIntervalMs: 0,
    onProgress: sample,
  });
  clearInterval(timer);
  return {
    mb: r.bytes / 1e6,
    mbPerSec: r.bytes / 1e6 / r.seconds,
    heapGrowthMiB: (peakHeap - base.heapUsed) / MiB,
    peakHeapMiB: peakHeap / MiB,
    arrayBufferGrowthMiB: (peakBuffers - base.arrayBuffers) / MiB,
    tensors: r.tensors.length,
  };
}

describe('streaming throughput and memory', () => {
  it('streams 100 MiB into a discarding sink with bounded JS memory', async () => {
    let seen = 0;
    const m = await measure({ begin() {}, write: (_t, _o, c) => void (seen += c.byteLength), end() {} });
    console.log(`[io] discard sink: ${m.mb.toFixed(1)} MB at ${m.mbPerSec.toFixed(0)} MB/s; peak heap ${m.peakHeapMiB.toFixed(1)} MiB (+${m.heapGrowthMiB.toFixed(1)}), arrayBuffers +${m.arrayBufferGrowthMiB.toFixed(1)} MiB`);
    expect(seen).toBe(100 * MiB);
    expect(m.tensors).toBe(38);
    expect(m.heapGrowthMiB).toBeLessThan(64);
    expect(m.arrayBufferGrowthMiB).toBeLessThan(64);
  });

  it('compares with reading the same file with a bare fetch (the baseline on this machine)', async () => {
    const t = performance.now();
    const reader = (await fetch(`${hub.url}/org/big/resolve/main/model.safetensors`)).body!.getReader();
    let n = 0;
    for (let r = await reader.read(); !r.done; r = await reader.read()) n += r.value.byteLength;
    console.log(`[io] bare fetch baseline: ${(n / 1e6 / ((performance.now() - t) / 1000)).toFixed(0)} MB/s`);
    expect(n).toBeGreaterThan(100 * MiB);
  });

  it('converts to f32 on the fly (the GPU sink without the GPU) with bounded JS memory', async () => {
    const staging = new Uint8Array(2 * MiB);
    let conv: StreamConverter | null = null;
    let fill = 0;
    let out = 0;
    const m = await measure({
      begin: (t) => void (conv = new StreamConverter(t.dtype as 'F32' | 'BF16', 'f32')),
      write: (_t, _o, c) => {
        for (let at = 0; at < c.byteLength; ) {
          let take = Math.min(c.byteLength - at, conv!.inputBytesFor(staging.byteLength - fill));
          if (take === 0) {
            out += fill;
            fill = 0;
            take = Math.min(c.byteLength - at, conv!.inputBytesFor(staging.byteLength));
          }
          fill += conv!.push(c.subarray(at, at + take), staging, fill);
          at += take;
        }
      },
      end: () => {
        out += fill;
        fill = 0;
      },
    });
    console.log(`[io] f32-converting sink: ${m.mb.toFixed(1)} MB at ${m.mbPerSec.toFixed(0)} MB/s; peak heap ${m.peakHeapMiB.toFixed(1)} MiB (+${m.heapGrowthMiB.toFixed(1)}), arrayBuffers +${m.arrayBufferGrowthMiB.toFixed(1)} MiB`);
    expect(out).toBe(12 * 4 * MiB + 26 * 4 * MiB);
    expect(m.heapGrowthMiB).toBeLessThan(64);
  });
});
