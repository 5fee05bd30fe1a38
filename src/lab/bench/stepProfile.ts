/**
 * GPU time per kernel family of one real Trainer.trainStep, from timestamp queries.
 *
 * profiler.submitTimed times one recorder in one query set, and WebGPU caps a query set at 4096 queries (2048
 * dispatches); a SmolLM2-sized step has more. trainStep also creates, encodes and submits its own recorders. So for
 * the duration of `fn` this wraps Recorder.prototype.encode to hand every pass a begin/end timestamp pair from a
 * growing list of query sets, and resolves them after `fn` (whose readback means the GPU is done). The wrap is
 * removed in `finally`; nothing else runs on the page meanwhile.
 */
import type { Gpu } from '../../engine/gpu/device';
import { Recorder } from '../../engine/gpu/recorder';
import { kernelFamily } from '../../engine/gpu/profiler';

const QUERIES_PER_SET = 4096;

export interface StepProfile {
  /** Milliseconds per family, summed over dispatches. */
  byFamily: Map<string, number>;
  totalMs: number;
  dispatches: number;
}

/**
 * Family of a dispatch label; matmuls are split by role, recognised by shape: any dimension equal to the vocabulary
 * is the LM head (forward, or its backward to the hidden state), any equal to a LoRA rank is the adapter path.
 */
export function familyOf(label: string, vocab: number, ranks: ReadonlySet<number>): string {
  const fam = kernelFamily(label);
  if (fam !== 'matmul') return fam;
  const dims = (/^matmul (\d+)x(\d+)x(\d+)/.exec(label) ?? []).slice(1).map(Number);
  if (dims.includes(vocab)) return 'matmul (LM head)';
  if (dims.some((d) => ranks.has(d))) return 'matmul (LoRA)';
  return 'matmul (base)';
}

export async function profileStep<T>(gpu: Gpu, fn: () => Promise<T>, family: (label: string) => string = kernelFamily): Promise<{ result: T; profile: StepProfile }> {
  if (!gpu.hasTimestamps) throw new Error('timestamp-query is not available on this device');
  const { device } = gpu;
  const sets: GPUQuerySet[] = [];
  const labels: string[] = [];
  const proto = Recorder.prototype;
  const original = proto.encode;
  proto.encode = function encodeTimed(this: Recorder, encoder: GPUCommandEncoder) {
    original.call(this, encoder, (_i, label) => {
      const q = 2 * labels.length;
      labels.push(label);
      const set = Math.floor(q / QUERIES_PER_SET);
      while (sets.length <= set) sets.push(device.createQuerySet({ type: 'timestamp', count: QUERIES_PER_SET }));
      return { querySet: sets[set], beginningOfPassWriteIndex: q % QUERIES_PER_SET, endOfPassWriteIndex: (q % QUERIES_PER_SET) + 1 };
    });
  };
  let result: T;
  try {
    result = await fn();
  } finally {
    proto.encode = original;
  }
  const used = 2 * labels.length;
  const bytes = Math.max(8, used * 8);
  const resolve = device.createBuffer({ size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  sets.forEach((s, i) => {
    const n = Math.min(QUERIES_PER_SET, used - i * QUERIES_PER_SET);
    if (n > 0) enc.resolveQuerySet(s, 0, n, resolve, i * QUERIES_PER_SET * 8);
  });
  if (used > 0) enc.copyBufferToBuffer(resolve, 0, read, 0, used * 8);
  device.queue.submit([enc.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const t = new BigInt64Array(read.getMappedRange().slice(0));
  read.unmap();
  [read, resolve, ...sets].forEach((b) => b.destroy());

  const byFamily = new Map<string, number>();
  let totalMs = 0;
  labels.forEach((label, i) => {
    const ms = Math.max(0, Number(t[2 * i + 1] - t[2 * i])) / 1e6;
    const f = family(label);
    byFamily.set(f, (byFamily.get(f) ?? 0) + ms);
    totalMs += ms;
  });
  return { result, profile: { byFamily, totalMs, dispatches: labels.length } };
}

/** Families by share of GPU time, largest first; those under `minPercent` are summed into "other". */
export function shares(p: StepProfile, minPercent = 1): [string, number][] {
  const all = [...p.byFamily].map(([f, ms]) => [f, p.totalMs > 0 ? (100 * ms) / p.totalMs : 0] as [string, number]).sort((a, b) => b[1] - a[1]);
  const big = all.filter(([, s]) => s >= minPercent);
  const rest = all.filter(([, s]) => s < minPercent).reduce((a, [, s]) => a + s, 0);
  return rest > 0 ? [...big, ['other', rest]] : big;
}
