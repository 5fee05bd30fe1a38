/**
 * Suite "matmul": GFLOP/s (2·M·K·N / seconds) of our kernel vs tf.matMul on tfjs-webgpu and tfjs-wasm.
 * Ours is timed in the layout the model's forward pass uses (x·Wᵀ, transB) and also in the plain layout
 * (`ours_plain`); tfjs runs the same transB product. Each run is timed to completion: ours to
 * queue.onSubmittedWorkDone(), tfjs to `await data()`.
 */
import type { Gpu } from '../../engine/gpu/device';
import { Recorder } from '../../engine/gpu/recorder';
import { matmul } from '../../engine/kernels/matmul';
import { randomArray } from '../../testing/numeric';
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
/** In --quick, a peer run predicted to take longer than this is skipped (tfjs-webgpu on the LM head: minutes). */
const QUICK_SKIP_MS = 15_000;
/**
 * A peer run predicted to take longer than this gets one timed run and no warm-up: its one-off shader compile is
 * < 1 % of it, and a warm-up would double a multi-minute run (tfjs-webgpu on 512x576x49152). Noted in the record.
 */
const NO_WARMUP_MS = 60_000;

const caseName = ([M, K, N]: [number, number, number]) => `${M}x${K}x${N}`;
const flopsOf = ([M, K, N]: [number, number, number]) => 2 * M * K * N;

async function measureOurs(gpu: Gpu, shape: [number, number, number], quick: boolean) {
  const [M, K, N] = shape;
  const a = gpu.buffers.fromData('bench', 'a', randomArray(M * K, 1));
  const b = gpu.buffers.fromData('bench', 'b', randomArray(K * N, 2)); // (N, K) for transB, (K, N) plain
  const out = gpu.buffers.storage('bench', 'out', M * N * 4);
  const rec = new Recorder(gpu);
  const runner = (transB: boolean, m = M, k = K, n = N) => async () => {
    matmul(rec, out, a, b, null, m, k, n, { transB });
    rec.submit();
    await gpu.device.queue.onSubmittedWorkDone();
  };
  try {
    const tb = await timeRuns(runner(true), () => repsForOurs(quick));
    // The plain layout is a side figure: its pipeline is warmed on a tiny shape (pipelines do not depend on the
    // shape; the buffers were touched above), then 3 timed runs (1 in --quick).
    const plain = await timeRuns(runner(false), () => (quick ? 1 : 3), runner(false, 8, 8, 8));
    return {
      transB: gflops(flopsOf(shape), tb.median),
      plain: gflops(flopsOf(shape), plain.median),
      runs: tb.runs.length,
      plainRuns: plain.runs.length,
    };
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

async function measurePeer(peer: PeerName, cases: [number, number, number][], ctx: BenchContext): Promise<{ description: string; results: PeerResult[] }> {
  let tfjs: Awaited<ReturnType<typeof switchToPeer>>;
  try {
    tfjs = await switchToPeer(peer);
  } catch (e) {
    const note = `${peer} unavailable: ${(e as Error).message ?? e}`;
    ctx.log(note);
    return { description: note, results: cases.map(() => ({ value: null, runs: 0, note })) };
  }
  ctx.log(`${peer}: ${tfjs.description}`);
  const results: PeerResult[] = [];
  let bestRate = 0; // GFLOP/s seen so far, to predict slow runs in --quick
  for (const shape of cases) {
    const predictedMs = bestRate > 0 ? flopsOf(shape) / (bestRate * 1e6) : 0;
    if (ctx.quick && predictedMs > QUICK_SKIP_MS) {
      const note = `skipped in --quick (predicted ${(predictedMs / 1000).toFixed(0)} s per run)`;
      ctx.log(`${peer} ${caseName(shape)}: ${note}`);
      results.push({ value: null, runs: 0, note });
      continue;
    }
    const runner = tfMatmulRunner(tfjs.tf, ...shape);
    try {
      const long = predictedMs > NO_WARMUP_MS;
      const t = await timeRuns(runner.once, (warm) => (long ? 1 : repsForPeer(warm, ctx.quick)), long ? 'skip' : 'full');
      const value = gflops(flopsOf(shape), t.median);
      bestRate = Math.max(bestRate, value);
      const how = long ? `1 run, no warm-up (predicted ${(predictedMs / 1000).toFixed(0)} s)` : `median of ${t.runs.length}, warm-up ${(t.warmup / 1000).toFixed(1)} s`;
      ctx.log(`${peer} ${caseName(shape)}: ${value.toFixed(2)} GFLOP/s (${how})`);
      results.push({ value, runs: t.runs.length, ...(long ? { note: how } : {}) });
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
  const cases = CASES.filter((c) => ctx.cases.length === 0 || ctx.cases.some((f) => caseName(c).includes(f)));
  if (cases.length === 0) throw new Error(`No matmul case matches ${ctx.cases.join(', ')}; cases: ${CASES.map(caseName).join(', ')}`);
  const ours: Awaited<ReturnType<typeof measureOurs>>[] = [];
  for (const shape of cases) {
    const r = await measureOurs(ctx.gpu, shape, ctx.quick);
    ctx.log(`ours ${caseName(shape)}: ${r.transB.toFixed(2)} GFLOP/s x·Wᵀ (median of ${r.runs}), ${r.plain.toFixed(2)} plain (median of ${r.plainRuns})`);
    ours.push(r);
  }
  const records: BenchRecord[] = [];
  for (const peer of PEERS) {
    const { description, results } = await measurePeer(peer, cases, ctx);
    cases.forEach((shape, i) => {
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
        ours_plain_runs: ours[i].plainRuns,
        peer_runs: p.runs,
        peer_detail: description,
        ...(p.note ? { note: p.note } : {}),
      });
    });
  }
  return records;
}
