/**
 * train_step case "gpt2-small-lora": our LoRA step vs TensorFlow.js autograd (peers/tfjsGpt2Lora.ts) on
 * tfjs-backend-webgpu and tfjs-backend-wasm, side by side in one page, on the same small GPT-2-shaped model
 * (shapes.ts GPT2_PEER: 4 layers, hidden 256, 4 heads, vocab 8192), LoRA r=8 on c_attn, B=1, T=128, Adam lr 1e-4,
 * no clipping, no dropout. Both start from the same weights and LoRA values, so their first-step losses must agree;
 * each record carries both and says so if they do not.
 */
import type { Gpu } from '../../engine/gpu/device';
import { parseModelConfig } from '../../engine/model/config';
import { tinyLoraParams, tinyModel } from '../../engine/model/tiny';
import { buildTraining, loraTargets, randomBatch } from './trainSetup';
import { GPT2_PEER } from './shapes';
import { median, repsForOurs, repsForPeer, timeRuns } from './timing';
import { switchToPeer, type PeerName } from './tfjs';
import { tfGpt2LoraStep } from './peers/tfjsGpt2Lora';
import { familyOf, profileStep, shares, type StepProfile } from './stepProfile';
import type { BenchContext, BenchRecord } from './types';

const CASE = 'gpt2-small-lora';
const T = 128;
const LR = 1e-4;
const PEERS: PeerName[] = ['tfjs-webgpu', 'tfjs-wasm'];

/**
 * tf-core's browser bundle (what tfjs.ts loads) registers kernels but no gradients; the union package @tensorflow/tfjs
 * would add them. Same registration from tfjs-core's own module: gradients live in a global registry, so they serve
 * the bundle's engine too (tfjs is built to tolerate two copies: Tensor checks are duck-typed).
 */
let gradients: Promise<unknown> | null = null;
const registerGradients = () => (gradients ??= import('@tensorflow/tfjs-core/dist/register_all_gradients'));

interface Side {
  tokensPerS: number | null;
  firstLoss: number | null;
  runs: number;
  detail: string;
  note?: string;
}

/** Times `step` (the first call is the warm-up and gives the first-step loss). */
async function timeSteps(step: () => Promise<number>, reps: (warmupMs: number) => number): Promise<{ tokensPerS: number; firstLoss: number; runs: number; warmupMs: number }> {
  let firstLoss = Number.NaN;
  let calls = 0;
  const t = await timeRuns(async () => {
    const loss = await step();
    if (calls++ === 0) firstLoss = loss;
  }, reps);
  return { tokensPerS: T / (median(t.runs) / 1000), firstLoss, runs: t.runs.length, warmupMs: t.warmup };
}

export async function runPeerComparison(ctx: BenchContext & { gpu: Gpu }): Promise<BenchRecord[]> {
  const { gpu } = ctx;
  const host = tinyModel('gpt2', 11, GPT2_PEER);
  const cfg = parseModelConfig(host.configJson);
  const ids = randomBatch(cfg.vocabSize, 1, T, 3).inputIds;
  const pool = 'weights#bench-peer';
  const weights = new Map([...host.weights].map(([name, v]) => [name, gpu.buffers.fromData(pool, name, v)] as const));
  const targets = loraTargets(cfg, { r: 8, alpha: 16, targets: ['c_attn'] });
  // B ≠ 0 (PEFT would start it at 0) so that the first loss already depends on the adapter on both sides.
  const loraValues = tinyLoraParams(targets, 5, 0.05);
  let ours: Side;
  let setup: ReturnType<typeof buildTraining> | null = null;
  try {
    setup = buildTraining(gpu, cfg, weights, { B: 1, T, lora: { r: 8, alpha: 16, targets: ['c_attn'], values: loraValues }, maxGradNorm: 0 });
    const { trainer } = setup;
    const micro = [{ batch: { inputIds: ids, labels: ids }, rows: 1, T }];
    // The warm-up step (not timed) is profiled: where our GPU time goes on this small model.
    const ranks = new Set(targets.map((t) => t.r));
    let profile: StepProfile | null = null;
    const r = await timeSteps(async () => {
      if (profile) return (await trainer.trainStep(micro)).loss;
      const p = await profileStep(gpu, () => trainer.trainStep(micro), (l) => familyOf(l, cfg.vocabSize, ranks));
      profile = p.profile;
      return p.result.loss;
    }, () => repsForOurs(ctx.quick));
    const top = shares(profile!, 2).map(([f, x]) => `${f} ${x.toFixed(0)}%`).join(', ');
    ours = { tokensPerS: r.tokensPerS, firstLoss: r.firstLoss, runs: r.runs, detail: 'ours', note: `ours GPU time: ${top}` };
    const gpuMs = (profile as StepProfile | null)?.totalMs ?? 0;
    ctx.log(`${CASE} ours: ${r.tokensPerS.toFixed(1)} tokens/s (median of ${r.runs}; ${(T / r.tokensPerS).toFixed(2)} s/step, of which ` +
      `${(gpuMs / 1000).toFixed(2)} s GPU time in the profiled step), first loss ${r.firstLoss.toFixed(4)}; GPU time: ${top}`);
  } finally {
    setup?.release();
    gpu.buffers.releasePool(pool);
  }

  const records: BenchRecord[] = [];
  for (const peer of PEERS) {
    let side: Side;
    try {
      const { tf, description } = await switchToPeer(peer);
      await registerGradients();
      const step = tfGpt2LoraStep(tf, cfg, host.weights, targets, loraValues, ids, LR);
      try {
        const r = await timeSteps(step.step, (warm) => repsForPeer(warm, ctx.quick));
        side = { tokensPerS: r.tokensPerS, firstLoss: r.firstLoss, runs: r.runs, detail: description };
        ctx.log(`${CASE} ${peer}: ${r.tokensPerS.toFixed(1)} tokens/s (median of ${r.runs}, warm-up ${(r.warmupMs / 1000).toFixed(1)} s), first loss ${r.firstLoss.toFixed(4)}`);
      } finally {
        step.dispose();
      }
    } catch (e) {
      const note = `${peer} failed: ${(e as Error).message ?? e}`;
      ctx.log(note);
      side = { tokensPerS: null, firstLoss: null, runs: 0, detail: peer, note };
    }
    const agree = side.firstLoss === null || ours.firstLoss === null || Math.abs(side.firstLoss - ours.firstLoss) <= 1e-3 * Math.abs(ours.firstLoss);
    const note = side.note ?? `${agree ? 'first-step losses agree (same weights)' : `FIRST-STEP LOSSES DIFFER: ours ${ours.firstLoss}, peer ${side.firstLoss}`}; ${ours.note}`;
    records.push({
      suite: 'train_step', case: CASE, ours: ours.tokensPerS!, peer, peer_value: side.tokensPerS,
      ratio: side.tokensPerS ? ours.tokensPerS! / side.tokensPerS : null, unit: 'tokens/s', note,
      ours_loss: ours.firstLoss, peer_loss: side.firstLoss, ours_runs: ours.runs, peer_runs: side.runs, peer_detail: side.detail,
    });
  }
  return records;
}
