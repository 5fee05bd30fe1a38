/**
 * Suite "host_cost" (Node): the CPU-side cost of driving the GPU (issue #12, "fewer, fuller dispatches" and
 * "decoding path"), separately from GPU time — what stays when the GPU is fast: recording the dispatches, encoding
 * them (one bind group each), writing the uniform arena and submitting.
 *
 *   train/<model>    one LoRA step (r=8 on q,k,v,o; B=1, short T: host cost does not depend on T) through
 *                    Trainer.trainStep. host ms = the step's synchronous part: everything trainStep does before it
 *                    first waits for the GPU (the loss readback), i.e. record + encode + submit of every command
 *                    buffer of the step.
 *   decode/<model>   greedy decoding through the KV cache with GPU sampling, token by token as generate() does it
 *                    (decodeSampled + sample + submit + readSampled), each token started on an idle GPU: host ms per
 *                    token = that call sequence up to the readback wait.
 *
 * Models: the built-in one (public/models/studio-base), SmolLM2-135M and Qwen2.5-0.5B shapes at their real layer
 * counts and widths (random fp32 weights). Every case runs twice in one process, bind-group cache off
 * (`recorderPolicy.cacheBindGroups = false`, ours_off) and on (ours), interleaved step by step: training as two
 * identical trainers from the same initial values, whose losses must agree bit for bit; decoding as two generations
 * whose ids must agree. `ours` is host ms with the cache (lower is better, so ratio = off / on: the speed-up).
 * Breakdown extras: encode_ms (Recorder.encode, bind groups included), bind_group_ms (createBindGroup),
 * submit_ms (queue.submit), dispatches and bind_groups (created) per step / token.
 */
import { acquireNodeGpu } from '../../node/gpu';
import { openModelDir } from '../../node/modelDir';
import type { Gpu } from '../../engine/gpu/device';
import { Recorder, recorderPolicy } from '../../engine/gpu/recorder';
import { parseModelConfig, type ModelConfig } from '../../engine/model/config';
import { loadModelWeights } from '../../engine/loadModel';
import { GpuTransformer } from '../../engine/transformer/model';
import qwen25 from '../../engine/model/fixtures/qwen2.5-0.5b.json';
import { SMOLLM2_135M } from './shapes';
import { buildTraining, randomBatch, randomGpuWeights } from './trainSetup';
import { studioBaseDir } from './gpuBench';
import { median } from './timing';
import type { BenchContext, BenchRecord } from './types';

const SUITE = 'host_cost';
const WARM_STEPS = 2;

/** Host-side counters, filled by the wrappers `instrument` installs. */
interface Tally {
  encodeMs: number;
  bindGroupMs: number;
  submitMs: number;
  dispatches: number;
  bindGroups: number;
}
const zero = (): Tally => ({ encodeMs: 0, bindGroupMs: 0, submitMs: 0, dispatches: 0, bindGroups: 0 });

type Method = (...args: never[]) => unknown;
/** Replace obj[key] by a wrapper for the case's duration; returns the undo. */
function wrap<T extends object>(obj: T, key: string, around: (orig: Method, self: unknown, args: never[]) => unknown): () => void {
  const o = obj as Record<string, Method>;
  const had = Object.prototype.hasOwnProperty.call(o, key);
  const orig = o[key];
  o[key] = function (this: unknown, ...args: never[]) {
    return around(orig, this, args);
  };
  return () => {
    if (had) o[key] = orig;
    else delete o[key];
  };
}

/** Count and time dispatch/encode/createBindGroup/submit into `tally.current` while installed. */
function instrument(gpu: Gpu): { tally: { current: Tally }; undo: () => void } {
  const tally = { current: zero() };
  const timed = (field: 'encodeMs' | 'bindGroupMs' | 'submitMs', count?: 'bindGroups') => (orig: Method, self: unknown, args: never[]) => {
    const t0 = performance.now();
    try {
      return orig.apply(self, args);
    } finally {
      tally.current[field] += performance.now() - t0;
      if (count) tally.current[count]++;
    }
  };
  const undos = [
    wrap(Recorder.prototype, 'dispatch', (orig, self, args) => {
      tally.current.dispatches++;
      return orig.apply(self, args);
    }),
    wrap(Recorder.prototype, 'encode', timed('encodeMs')),
    wrap(gpu.device, 'createBindGroup', timed('bindGroupMs', 'bindGroups')),
    wrap(gpu.device.queue, 'submit', timed('submitMs')),
  ];
  return { tally, undo: () => undos.reverse().forEach((u) => u()) };
}

const add = (a: Tally, b: Tally): Tally => ({
  encodeMs: a.encodeMs + b.encodeMs, bindGroupMs: a.bindGroupMs + b.bindGroupMs, submitMs: a.submitMs + b.submitMs,
  dispatches: a.dispatches + b.dispatches, bindGroups: a.bindGroups + b.bindGroups,
});

function summary(hostMs: number[], tallies: Tally[]) {
  const n = tallies.length;
  const sum = tallies.reduce(add, zero());
  return {
    host_ms: median(hostMs),
    encode_ms: sum.encodeMs / n, bind_group_ms: sum.bindGroupMs / n, submit_ms: sum.submitMs / n,
    dispatches: sum.dispatches / n, bind_groups: sum.bindGroups / n,
  };
}
type Summary = ReturnType<typeof summary>;
const fmt = (s: Summary) =>
  `host ${s.host_ms.toFixed(2)} ms (encode ${s.encode_ms.toFixed(2)}, of which createBindGroup ${s.bind_group_ms.toFixed(2)}; submit ${s.submit_ms.toFixed(2)}), ` +
  `${s.dispatches.toFixed(0)} dispatches, ${s.bind_groups.toFixed(0)} bind groups created`;

function record(name: string, unit: string, note: string, off: Summary, on: Summary, extra: Record<string, unknown>): BenchRecord {
  return {
    suite: SUITE, case: name, ours: on.host_ms, peer: 'cache off', peer_value: off.host_ms,
    ratio: on.host_ms > 0 ? off.host_ms / on.host_ms : null, unit, note,
    ...Object.fromEntries(Object.entries(on).map(([k, v]) => [k, +v.toFixed(3)])),
    ...Object.fromEntries(Object.entries(off).map(([k, v]) => [`off_${k}`, +v.toFixed(3)])),
    ...extra,
  };
}

async function trainCase(ctx: BenchContext, gpu: Gpu, name: string, cfg: ModelConfig, weights: ReadonlyMap<string, GPUBuffer>, steps: number): Promise<BenchRecord> {
  const T = Math.min(16, cfg.maxTrainLength);
  const lora = { r: 8, alpha: 16, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj'] };
  // Two identical trainers (same weights, same LoRA init), one per cache mode, stepped alternately.
  const setups = [buildTraining(gpu, cfg, weights, { B: 1, T, lora, maxGradNorm: 1 }), buildTraining(gpu, cfg, weights, { B: 1, T, lora, maxGradNorm: 1 })];
  const micro = [{ batch: randomBatch(cfg.vocabSize, 1, T), rows: 1, T }];
  const { tally, undo } = instrument(gpu);
  const saved = recorderPolicy.cacheBindGroups;
  const host: number[][] = [[], []], tallies: Tally[][] = [[], []], losses: number[][] = [[], []];
  try {
    for (let s = -WARM_STEPS; s < steps; s++) {
      for (const mode of [0, 1]) { // 0: cache off, 1: on
        recorderPolicy.cacheBindGroups = mode === 1;
        tally.current = zero();
        const t0 = performance.now();
        const pending = setups[mode].trainer.trainStep(micro);
        const ms = performance.now() - t0; // the synchronous part: all of the step's host work before its readback
        const counted = tally.current;
        const r = await pending;
        losses[mode].push(r.loss);
        if (s < 0) continue; // compiles pipelines; fills the cache (the uniform buffer reaches its size in step 1)
        host[mode].push(ms);
        tallies[mode].push(counted);
      }
    }
  } finally {
    recorderPolicy.cacheBindGroups = saved;
    undo();
    setups.forEach((x) => x.release());
  }
  const same = losses[0].every((l, i) => Object.is(l, losses[1][i]));
  const [off, on] = [summary(host[0], tallies[0]), summary(host[1], tallies[1])];
  ctx.log(`train/${name}: cache off: ${fmt(off)}`);
  ctx.log(`train/${name}: cache on:  ${fmt(on)}; losses bit-identical: ${same}`);
  return record(`train/${name}`, 'host ms/step', `${cfg.nLayers} layers, LoRA r=8 q,k,v,o, B=1 T=${T}; median of ${steps} steps after ${WARM_STEPS} warm-up steps; losses bit-identical off/on: ${same}`,
    off, on, { losses_identical: same, loss: losses[1][losses[1].length - 1] });
}

/**
 * Greedy decoding through the same calls generate() makes per token on its GPU-sampling path (decodeSampled, sample,
 * Recorder.submit, readSampled), but with the GPU idle when each token's host work starts: on a CPU adapter the
 * "GPU" shares the cores, and generate() overlaps the next token's recording with the last one's execution, so its
 * host time would count contention, not host cost. Two models over the same weights, one per cache mode, decode
 * token by token in turn (so load from elsewhere on the machine hits both alike); each has its own recorder, as
 * each generate() call does.
 */
async function decodeCase(ctx: BenchContext, gpu: Gpu, name: string, cfg: ModelConfig, weights: ReadonlyMap<string, GPUBuffer>, n: number): Promise<BenchRecord> {
  const P = 8;
  const prompt = Array.from(randomBatch(cfg.vocabSize, 1, P, 11).inputIds);
  const models = [0, 1].map(() => new GpuTransformer(gpu, cfg, weights, { B: 1, T: P, kvCap: P + n }));
  const recs = models.map(() => new Recorder(gpu));
  const greedy = { temperature: 0, topK: 0, topP: 1, r: 0 };
  const { tally, undo } = instrument(gpu);
  const saved = recorderPolicy.cacheBindGroups;
  const host: number[][] = [[], []], tallies: Tally[][] = [[], []], ids: number[][] = [[], []];
  try {
    for (const mode of [0, 1]) { // 0: cache off, 1: on; the prefill and first token compile the pipelines
      recorderPolicy.cacheBindGroups = mode === 1;
      models[mode].decode(recs[mode], prompt, 0);
      models[mode].sample(recs[mode], P - 1, { ...greedy, slot: 0 });
      recs[mode].submit();
      ids[mode].push(await models[mode].readSampled(0));
    }
    for (let i = 1; i < n; i++) {
      for (const mode of [0, 1]) {
        recorderPolicy.cacheBindGroups = mode === 1;
        await gpu.device.queue.onSubmittedWorkDone();
        tallies[mode].push((tally.current = zero()));
        const t0 = performance.now();
        models[mode].decodeSampled(recs[mode], P + i - 1);
        models[mode].sample(recs[mode], 0, { ...greedy, slot: i });
        recs[mode].submit();
        const id = models[mode].readSampled(i);
        host[mode].push(performance.now() - t0);
        ids[mode].push(await id);
      }
    }
  } finally {
    recorderPolicy.cacheBindGroups = saved;
    undo();
    recs.forEach((r) => r.destroy());
    models.forEach((m) => m.release());
  }
  const same = ids[0].every((id, i) => id === ids[1][i]);
  // The first decoded token fills the cache: steady state is every token after it.
  const [off, on] = [0, 1].map((m) => summary(host[m].slice(1), tallies[m].slice(1)));
  ctx.log(`decode/${name}: cache off: ${fmt(off)} per token`);
  ctx.log(`decode/${name}: cache on:  ${fmt(on)} per token; ids identical: ${same}`);
  return record(`decode/${name}`, 'host ms/token', `${cfg.nLayers} layers, greedy, GPU sampling, prompt ${P}, ${n} new tokens; median over tokens 3..${n}; ids identical off/on: ${same}`,
    off, on, { ids_identical: same, first_token_bind_groups: tallies[1][0]?.bindGroups ?? null });
}

export async function run(ctx: BenchContext): Promise<BenchRecord[]> {
  const gpu = await acquireNodeGpu({ onNotice: (m) => ctx.log(m) });
  const steps = ctx.quick ? 2 : 6, tokens = ctx.quick ? 6 : 16;
  const want = (c: string) => ctx.cases.length === 0 || ctx.cases.some((x) => c.includes(x));
  const out: BenchRecord[] = [];
  const models: [string, () => Promise<{ cfg: ModelConfig; weights: ReadonlyMap<string, GPUBuffer>; pool: string }>][] = [
    ['studio-base', async () => {
      const dir = studioBaseDir();
      if (!dir) throw new Error('public/models/studio-base not found');
      const m = await openModelDir(dir);
      const loaded = await loadModelWeights(gpu, m.config, { source: m.source, weightFormat: 'f32' });
      return { cfg: m.config, weights: loaded.weights, pool: loaded.pool };
    }],
    ['smollm2-135m', async () => {
      const cfg = parseModelConfig(SMOLLM2_135M);
      return { cfg, weights: randomGpuWeights(gpu, cfg, 'weights#host-smollm2'), pool: 'weights#host-smollm2' };
    }],
    ['qwen2.5-0.5b', async () => {
      const cfg = parseModelConfig(qwen25 as Record<string, unknown>);
      return { cfg, weights: randomGpuWeights(gpu, cfg, 'weights#host-qwen'), pool: 'weights#host-qwen' };
    }],
  ];
  for (const [name, load] of models) {
    if (!want(`train/${name}`) && !want(`decode/${name}`)) continue;
    const { cfg, weights, pool } = await load();
    try {
      if (want(`train/${name}`)) out.push(await trainCase(ctx, gpu, name, cfg, weights, steps));
      if (want(`decode/${name}`)) out.push(await decodeCase(ctx, gpu, name, cfg, weights, tokens));
    } finally {
      gpu.buffers.releasePool(pool);
    }
  }
  return out;
}
