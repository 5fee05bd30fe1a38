/**
 * Per-kernel GPU timing with timestamp queries: every dispatch of a recorder gets a begin/end timestamp pair, and the
 * durations are summed by kernel family (the dispatch label without its shape and its forward/backward/stage
 * suffixes — "matmul", "attention", "cross_entropy", ...). Used by the benchmark to report where a training step spends its time. Needs the
 * 'timestamp-query' feature; callers check `gpu.hasTimestamps` first.
 */
import type { Gpu } from './device';
import type { Recorder } from './recorder';

export interface KernelTimes {
  /** Milliseconds per family, summed over dispatches. */
  byFamily: Map<string, number>;
  totalMs: number;
  dispatches: number;
}

const STAGES = /_(forward|backward|fwd|bwd|dweight|rowdot|dq|dkv|begin|partial|reduce|finish|split|concat)$/;

export function kernelFamily(label: string): string {
  let f = label.split(' ')[0];
  while (STAGES.test(f)) f = f.replace(STAGES, '');
  return f;
}

/** Encode and submit `rec` with timestamps around every dispatch; resolves with the times once the GPU is done. */
export async function submitTimed(gpu: Gpu, rec: Recorder): Promise<KernelTimes> {
  if (!gpu.hasTimestamps) throw new Error('timestamp-query is not available on this device');
  const { device } = gpu;
  const n = rec.count;
  const labels = rec.labels;
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * Math.max(1, n) });
  const resolve = device.createBuffer({ size: 16 * Math.max(1, n), usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size: 16 * Math.max(1, n), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  rec.encode(enc, (i) => ({ querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 }));
  rec.clear();
  if (n > 0) {
    enc.resolveQuerySet(querySet, 0, 2 * n, resolve, 0);
    enc.copyBufferToBuffer(resolve, 0, read, 0, 16 * n);
  }
  device.queue.submit([enc.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const t = new BigInt64Array(read.getMappedRange().slice(0));
  read.unmap();
  [read, resolve].forEach((b) => b.destroy());
  querySet.destroy();
  const byFamily = new Map<string, number>();
  let totalMs = 0;
  for (let i = 0; i < n; i++) {
    const ms = Math.max(0, Number(t[2 * i + 1] - t[2 * i])) / 1e6;
    const fam = kernelFamily(labels[i]);
    byFamily.set(fam, (byFamily.get(fam) ?? 0) + ms);
    totalMs += ms;
  }
  return { byFamily, totalMs, dispatches: n };
}
