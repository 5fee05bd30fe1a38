/**
 * Browser side of the "loading" benchmark and of e2e/loading-heap.spec.ts: a page with no UI exposing
 * `window.loadingProbe`. The Node side (node/probePage.ts) builds and serves it, samples the page's heap through the
 * DevTools protocol while a load runs, and reads values back. Whatever a load produced (GPU buffers, the naive
 * ArrayBuffer) is kept until release(), so the driver can take a last heap sample while it is still alive.
 */
import { acquireGpu, type Gpu } from '../../../engine/gpu/device';
import { readBytes } from '../../../engine/gpu/buffers';
import { parseModelConfig } from '../../../engine/model/config';
import { fetchJson, hubFileUrl } from '../../../engine/io';
import { loadModelWeights, type LoadedWeights } from '../../../engine/loadModel';

export interface LoadRun {
  /** Weight bytes streamed (streamed) or bytes of the whole file (naive). */
  bytes: number;
  ms: number;
  tensors: number;
}

export interface LoadingProbe {
  /**
   * The studio's loader: config.json, then every header validated, then the weights streamed from the hub (Range
   * requests, BYOB reads) through GpuTensorSink (BF16 → f32) into one GPU buffer per tensor. No Cache Storage copy.
   */
  streamed(endpoint: string, repo: string): Promise<LoadRun>;
  /** What a web developer would write first: `await (await fetch(url)).arrayBuffer()` of model.safetensors. */
  naive(endpoint: string, repo: string): Promise<LoadRun>;
  /** f32 bit patterns (u32) read back from the last streamed load's buffers. */
  readBack(samples: { name: string; at: number; count: number }[]): Promise<number[][]>;
  /** Byte size of each GPU buffer of the last streamed load. */
  bufferSizes(): Record<string, number>;
  /** Drops whatever the last load keeps (GPU buffers, the naive ArrayBuffer). */
  release(): void;
}

let gpuPromise: Promise<Gpu> | null = null;
const gpu = () => (gpuPromise ??= acquireGpu());
let loaded: LoadedWeights | null = null;
let kept: ArrayBuffer | null = null;

function release(): void {
  const pool = loaded?.pool;
  if (pool) void gpu().then((g) => g.buffers.releasePool(pool));
  loaded = null;
  kept = null;
}

const probe: LoadingProbe = {
  async streamed(endpoint, repo) {
    release();
    const g = await gpu();
    const src = { endpoint, repo };
    const t0 = performance.now();
    const cfg = parseModelConfig(await fetchJson(src, 'config.json'));
    loaded = await loadModelWeights(g, cfg, { source: { kind: 'hub', ...src }, cache: null });
    return { bytes: loaded.bytes, ms: performance.now() - t0, tensors: loaded.weights.size };
  },
  async naive(endpoint, repo) {
    release();
    const t0 = performance.now();
    kept = await (await fetch(hubFileUrl({ endpoint, repo }, 'model.safetensors'))).arrayBuffer();
    return { bytes: kept.byteLength, ms: performance.now() - t0, tensors: 0 };
  },
  async readBack(samples) {
    const g = await gpu();
    if (!loaded) throw new Error('nothing loaded');
    const out: number[][] = [];
    for (const s of samples) {
      const buf = loaded.weights.get(s.name);
      if (!buf) throw new Error(`no GPU buffer for ${s.name}`);
      out.push(Array.from(new Uint32Array(await readBytes(g.device, buf, 4 * s.at, 4 * s.count))));
    }
    return out;
  },
  bufferSizes: () => Object.fromEntries([...(loaded?.weights ?? new Map<string, GPUBuffer>())].map(([n, b]) => [n, b.size])),
  release,
};

declare global {
  interface Window {
    loadingProbe?: LoadingProbe;
  }
}
window.loadingProbe = probe;
document.title = 'loading probe ready';
