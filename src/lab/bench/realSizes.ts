/**
 * Suite "real_sizes" (Node): the models users fine-tune in a tab, at their published shapes (random weights — nothing
 * is downloaded): Qwen2.5-0.5B, Qwen3-0.6B and Gemma-3-1B. Per model: the memory plan for a LoRA run (planMemory,
 * the numbers the Train page shows and the refusal rule), then the real thing on this adapter — weights stored f16
 * (as a browser with shader-f16 stores them; read through unpack2x16float, so it works without the feature), LoRA r=8
 * on the attention projections, one training step at B=1 and T=64 (--quick: 32) — and the allocated memory next to
 * the plan. Proves they load and train under the limits the adapter grants; on a CPU adapter a step takes minutes.
 */
import { totalmem } from 'node:os';
import { parseModelConfig, type ModelConfig } from '../../engine/model/config';
import { expectedTensors } from '../../engine/model/tensors';
import { planMemory } from '../../engine/transformer/memory';
import { isMatrixWeight, packF16, WeightStore } from '../../engine/transformer/weights';
import { mulberry32, uniformArray } from '../../engine/model/random';
import type { Gpu } from '../../engine/gpu/device';
import { acquireNodeGpu } from '../../node/gpu';
import qwen25 from '../../engine/model/fixtures/qwen2.5-0.5b.json';
import qwen3 from '../../engine/model/fixtures/qwen3-0.6b.json';
import gemma3 from '../../engine/model/fixtures/gemma-3-1b-it.json';
import { buildTraining, loraTargets, mib, randomBatch } from './trainSetup';
import type { BenchContext, BenchRecord } from './types';

const SUITE = 'real_sizes';
const MODELS: [string, Record<string, unknown>][] = [['qwen2.5-0.5b', qwen25], ['qwen3-0.6b', qwen3], ['gemma-3-1b', gemma3]];
const PATTERN = 65_521;

/** Every tensor of `cfg` in `pool`: matrices f16-packed, norms f32, tiled from one random pattern (seconds, not minutes). */
function randomWeightStore(gpu: Gpu, cfg: ModelConfig, pool: string): WeightStore {
  const unit = uniformArray(PATTERN, 1, mulberry32(3));
  const store = new WeightStore();
  for (const spec of expectedTensors(cfg)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const f16 = isMatrixWeight(spec.name);
    const norm = spec.shape.length === 1;
    const bound = norm ? 0.1 : 1 / Math.sqrt(spec.shape[spec.shape.length - 1]);
    const center = norm ? 1 - cfg.normWeightOffset : 0;
    const values = Float32Array.from(unit, (u) => center + bound * u);
    const bytes = f16 ? Math.ceil(n / 2) * 4 : n * 4;
    gpu.checkBinding(`Weight ${spec.name}`, bytes);
    const buf = gpu.buffers.storage(pool, spec.name, bytes);
    // An even period keeps the f16 pairs aligned when the pattern repeats.
    const tile = f16 ? packF16(values.subarray(0, PATTERN - 1)) : values;
    const tileBytes = tile.byteLength;
    for (let at = 0; at < bytes; at += tileBytes) gpu.device.queue.writeBuffer(buf, at, tile, 0, Math.min(tile.length, (bytes - at) / 4));
    store.add(spec.name, buf, f16 ? 'f16' : 'f32');
  }
  return store;
}

export async function run(ctx: BenchContext): Promise<BenchRecord[]> {
  const gpu = await acquireNodeGpu({ onNotice: (m) => ctx.log(m) });
  const T = ctx.quick ? 32 : 64;
  const limits = {
    maxBufferSize: gpu.device.limits.maxBufferSize, maxStorageBufferBindingSize: gpu.device.limits.maxStorageBufferBindingSize,
    isSoftware: gpu.adapter.isSoftware, hostMemoryBytes: totalmem(),
  };
  ctx.log(`adapter: ${gpu.adapter.description || gpu.adapter.vendor} (maxBufferSize ${mib(limits.maxBufferSize).toFixed(0)} MiB, binding ${mib(limits.maxStorageBufferBindingSize).toFixed(0)} MiB)`);
  const records: BenchRecord[] = [];
  for (const [name, json] of MODELS) {
    if (ctx.cases.length && !ctx.cases.some((c) => name.includes(c))) continue;
    const cfg = parseModelConfig(json);
    const lora = { r: 8, alpha: 16, targets: [...cfg.attentionTargets] };
    const targets = loraTargets(cfg, lora);
    const plan = planMemory(cfg, { B: 1, T, lora: targets.map((t) => ({ module: t.module, layer: t.layer, r: t.r, inFeatures: t.inFeatures, outFeatures: t.outFeatures })), weightFormat: 'f16' }, limits);
    ctx.log(`${name}: plan ${mib(plan.bytes.total).toFixed(0)} MiB (weights ${mib(plan.bytes.weights).toFixed(0)}), fits: ${plan.fits}${plan.errors.length ? ` — ${plan.errors.join('; ')}` : ''}`);
    const pool = `weights#real-${name}`;
    gpu.buffers.resetPeak();
    const base = gpu.buffers.allocatedBytes;
    let setup: ReturnType<typeof buildTraining> | null = null;
    try {
      const weights = randomWeightStore(gpu, cfg, pool);
      setup = buildTraining(gpu, cfg, weights, { B: 1, T, lora });
      const t0 = performance.now();
      const r = await setup.trainer.trainStep([{ batch: randomBatch(cfg.vocabSize, 1, T), rows: 1, T }]);
      const seconds = (performance.now() - t0) / 1000;
      const peak = gpu.buffers.peak - base;
      ctx.log(`${name}: one LoRA step, loss ${r.loss.toFixed(3)} (ln V = ${Math.log(cfg.vocabSize).toFixed(3)}), ${seconds.toFixed(1)} s, ${mib(peak).toFixed(0)} MiB allocated`);
      if (!Number.isFinite(r.loss)) throw new Error(`${name}: the step's loss is ${r.loss}`);
      records.push({
        suite: SUITE, case: `${name}-lora-T${T}`, ours: (T / seconds), peer: 'none', peer_value: null, ratio: null, unit: 'tokens/s',
        note: `loss ${r.loss.toFixed(3)}; allocated ${mib(peak).toFixed(0)} MiB vs planned ${mib(plan.bytes.total).toFixed(0)} MiB; logits in ${plan.logits.chunks} chunk(s)`,
        allocated_MiB: mib(peak), planned_MiB: mib(plan.bytes.total),
      });
    } finally {
      setup?.release();
      gpu.buffers.releasePool(pool);
    }
  }
  return records;
}
