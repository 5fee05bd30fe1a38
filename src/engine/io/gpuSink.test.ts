import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { readBytes } from '../gpu/buffers';
import { startHubServer, type HubServer } from '../../node/hubServer';
import { loadCheckpoint, type LoadTensor } from './stream';
import { GpuTensorSink, convertedByteLength } from './gpuSink';
import { f32ToF16Bits, type TargetFormat } from './convert';
import { makeTestCheckpoint, testTensorValues, TEST_SPECS, type TestTensorSpec } from './testModel';

/** Odd element counts (f16 output needs padding) and tensors larger than the staging buffer. */
const SPECS: TestTensorSpec[] = [
  ...TEST_SPECS,
  { name: 'odd.f32', dtype: 'F32', shape: [3, 5] },
  { name: 'odd.bf16', dtype: 'BF16', shape: [13] },
];

let hub: HubServer;
beforeAll(async () => {
  // Everything network-side is set up BEFORE Dawn creates its device. With webgpu 0.6 on SwiftShader, a
  // long synchronous stall of the main thread (building the test model, or Node compiling its fetch on first use)
  // followed by a new server or connection once the device exists aborts the process (futex / pthread assertions).
  hub = await startHubServer();
  hub.writeFile('org/tiny/model.safetensors', makeTestCheckpoint(SPECS));
  await (await fetch(`${hub.url}/org/tiny/resolve/main/model.safetensors`, { headers: { Range: 'bytes=0-7' } })).arrayBuffer();
  await testGpu();
});
afterAll(() => hub.close());

async function loadToGpu(format: TargetFormat | ((t: LoadTensor) => TargetFormat)) {
  const gpu = await testGpu();
  const buffers = new Map<string, { buffer: GPUBuffer; format: TargetFormat; offset: number }>();
  const sink = new GpuTensorSink({
    device: gpu.device,
    format,
    stagingBytes: 64 * 1024, // small, so big tensors take many flushes
    throttleBytes: 1 << 20,
    buffer: (t, bytes, f) => {
      // Leave 8 bytes in front to check offsets are honoured.
      const buffer = gpu.buffers.storage('test', t.name, 8 + Math.max(4, Math.ceil(bytes / 4) * 4));
      buffers.set(t.name, { buffer, format: f, offset: 8 });
      return { buffer, offset: 8 };
    },
  });
  await loadCheckpoint({ source: { kind: 'hub', endpoint: hub.url, repo: 'org/tiny' }, sink, cache: null });
  return { gpu, buffers, sink };
}

async function check(format: TargetFormat | ((t: LoadTensor) => TargetFormat)) {
  const { gpu, buffers, sink } = await loadToGpu(format);
  expect(sink.writes).toBeGreaterThan(30); // 2–4.5 MB of output through 64 KiB staging
  for (const s of SPECS) {
    const b = buffers.get(s.name)!;
    const want = testTensorValues(s);
    const bytes = convertedByteLength({ byteLength: want.length * (s.dtype === 'F32' ? 4 : 2), dtype: s.dtype }, b.format);
    if (bytes === 0) continue;
    const got = await readBytes(gpu.device, b.buffer, b.offset, Math.ceil(bytes / 4) * 4);
    if (b.format === 'f32') {
      const f = new Float32Array(got, 0, want.length);
      const bad = f.findIndex((v, i) => v !== want[i]);
      expect(bad, `${s.name}: first wrong element (f32)`).toBe(-1);
    } else {
      const h = new Uint16Array(got, 0, want.length);
      const bad = h.findIndex((v, i) => v !== f32ToF16Bits(want[i]));
      expect(bad, `${s.name}: first wrong element (f16)`).toBe(-1);
      if (want.length % 2) expect(new Uint16Array(got)[want.length], `${s.name}: padding`).toBe(0);
    }
    gpu.buffers.release(b.buffer);
  }
}

describe('GpuTensorSink', () => {
  it('uploads F32/F16/BF16 tensors as f32, exactly', () => check('f32'));
  it('uploads as f16 (round to nearest even), padding odd lengths', () => check('f16'));
  it('takes the format per tensor', () => check((t) => (t.dtype === 'F32' ? 'f32' : 'f16')));

  it('refuses a buffer that is too small', async () => {
    const gpu = await testGpu();
    let aborted: unknown;
    const sink = new GpuTensorSink({
      device: gpu.device,
      buffer: () => gpu.buffers.storage('test', 'small', 16),
      onAbort: (e) => (aborted = e),
    });
    const err = await loadCheckpoint({ source: { kind: 'hub', endpoint: hub.url, repo: 'org/tiny' }, sink, cache: null }).catch((e) => e);
    expect(String(err)).toMatch(/buffer for "embed.weight" has 16 bytes; 2052000 are needed/);
    expect(aborted).toBe(err);
    gpu.buffers.releasePool('test');
  });
});
