/**
 * Suite "matmul": GFLOP/s (2·M·K·N / seconds) of our kernel vs tf.matMul on tfjs-webgpu and tfjs-wasm.
 * Ours is timed in the layout the model's forward pass uses (x·Wᵀ, transB) and also in the plain layout
 * (`ours_plain`); tfjs runs the same transB product. Each run is timed to completion: ours to
 * queue.onSubmittedWorkDone(), tfjs to `await data()`.
 */
import type { Gpu } from '../../engine/gpu/device';
import { Recorder } from '../../engine/gpu/recorder';
import { matmul } from '../../engine/kernels/matmul';
import { randomFloats } from '../numeric';
import { gflops, repsForOurs, repsForPeer, timeRuns } from './timing';
import { tfMatmulRunner, switchToPeer, type PeerName } from './tfjs';
import type { BenchContext, BenchRecord } from './types';

/** (M, K, N): GPT-2-small-like projections at 512 tokens, an LM head over 49152 columns, and a square cube. */
export const CASES: [number, number, number][] = [
  [512, 576, 576],
  [512, 576, 1536],
  [512, 1536, 576],
  [512, 576, 49152],
  [1024, 1024, 1024],
];
const PEERS: PeerName[] = ['tfjs-webgpu', 'tfjs-wasm'];
/** In --quick, a peer run predicted to take longer than this is skipped (tfjs-webgpu on the LM head: ~100 s). */
const QUICK_SKIP_MS = 15_000;

const caseName = ([M, K, N]: [number, number, number]) => `${M}x${K}x${N}`;
const flopsOf = ([M, K, N]: [number, number, number]) => 2 * M * K * N;

async function measureOurs(gpu: Gpu, shape: [number, number, number], quick: boolean) {
  const [M, K, N] = shape;
  const a = gpu.buffers.fromData('bench', 'a', randomFloats(M * K, 1));
  const b = gpu.buffers.fromData('bench', 'b', randomFloats(K * N, 2)); // (N, K) for transB, (K, N) plain
  const out = gpu.buffers.storage('bench', 'out', M * N * 4);
  const rec = new Recorder(gpu);
  const runner = (transB: boolean) => async () => {
    matmul(rec, out, a, b, null, M, K, N, { transB });
    rec.submit();
    await gpu.device.queue.onSubmittedWorkDone();
  };
  try {
    const tb = await timeRuns(runner(true), () => repsForOurs(quick));
    const plain = await timeRuns(runner(false), () => repsForOurs(quick));
    return { transB: gflops(flopsOf(shape), tb.median), plain: gflops(flopsOf(shape), plain.median), runs: tb.runs.length };
  } finally {
    rec.destroy();
    gpu.buffers.releasePool('bench');
  }
}

interface PeerResult {
  value: number | null;
  runs: number;
  note?: string;
}

async function measurePeer(peer: PeerName, ctx: BenchContext): Promise<{ description: string; results: PeerResult[] }> {
  let tfjs: Awaited<ReturnType<typeof switchToPeer>>;
  try {
    tfjs = await switchToPeer(peer);
  } catch (e) {
    const note = `${peer} unavailable: ${(e as Error).message ?? e}`;
    ctx.log(note);
    return { description: note, results: CASES.map(() => ({ value: null, runs: 0, note })) };
  }
  ctx.log(`${peer}: ${tfjs.description}`);
  const results: PeerResult[] = [];
  let bestRate = 0; // GFLOP/s seen so far, to predict slow runs in --quick
  for (const shape of CASES) {
    const predictedMs = bestRate > 0 ? flopsOf(shape) / (bestRate * 1e6) : 0;
    if (ctx.quick && predictedMs > QUICK_SKIP_MS) {
      const note = `skipped in --quick (predicted ${(predictedMs / 1000).toFixed(0)} s per run)`;
      ctx.log(`${peer} ${caseName(shape)}: ${note}`);
      results.push({ value: null, runs: 0, note });
      continue;
    }
    const runner = tfMatmulRunner(tfjs.tf, ...shape);
    try {
      const t = await timeRuns(runner.once, (warm) => repsForPeer(warm, ctx.quick));
      const value = gflops(flopsOf(shape), t.median);
      bestRate = Math.max(bestRate, value);
      ctx.log(`${peer} ${caseName(shape)}: ${value.toFixed(2)} GFLOP/s (median of ${t.runs.length}, warm-up ${(t.warmup / 1000).toFixed(1)} s)`);
      results.push({ value, runs: t.runs.length });
    } catch (e) {
      const note = `${peer} failed: ${(e as Error).message ?? e}`;
      ctx.log(note);
      results.push({ value: null, runs: 0, note });
    } finally {
      runner.dispose();
    }
  }
  return { description: tfjs.description, results };
}

export async function run(ctx: BenchContext & { gpu: Gpu }): Promise<BenchRecord[]> {
  const ours: Awaited<ReturnType<typeof measureOurs>>[] = [];
  for (const shape of CASES) {
    const r = await measureOurs(ctx.gpu, shape, ctx.quick);
    ctx.log(`ours ${caseName(shape)}: ${r.transB.toFixed(2)} GFLOP/s x·Wᵀ, ${r.plain.toFixed(2)} plain (median of ${r.runs})`);
    ours.push(r);
  }
  const records: BenchRecord[] = [];
  for (const peer of PEERS) {
    const { description, results } = await measurePeer(peer, ctx);
    CASES.forEach((shape, i) => {
      const p = results[i];
      records.push({
        suite: 'matmul',
        case: caseName(shape),
        ours: ours[i].transB,
        peer,
        peer_value: p.value,
        ratio: p.value ? ours[i].transB / p.value : null,
        unit: 'GFLOP/s',
        ours_plain: ours[i].plain,
        ours_runs: ours[i].runs,
        peer_runs: p.runs,
        peer_detail: description,
        ...(p.note ? { note: p.note } : {}),
      });
    });
  }
  return records;
}
