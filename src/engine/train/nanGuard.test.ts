/**
 * The trainer's NaN guard also rejects an update that leaves the parameters non-finite (--lr 1e30: every value
 * overflows) or exploded (finite but multiplied far beyond any sane step), and puts back the parameters of before
 * that step — "the last good parameters" the CLI promises to write.
 */
import { describe, expect, it } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { readF32 } from '../gpu/buffers';
import { tinyModel } from '../model/tiny';
import { defaultLoraConfig, initLoraA, initLoraB, resolveLoraTargets } from '../model/lora';
import { GpuTransformer, uploadWeights } from '../transformer/model';
import { Trainer, type MicroBatch } from './trainer';

const B = 2, T = 8;

async function setup() {
  const gpu = await testGpu();
  const tiny = tinyModel('llama', 7);
  const lora = defaultLoraConfig(tiny.config, { r: 4, loraAlpha: 8, targetModules: ['q_proj', 'v_proj'], loraDropout: 0 });
  const targets = resolveLoraTargets(tiny.config, lora);
  const values = new Map<string, Float32Array>();
  for (const t of targets) {
    values.set(t.keyA, initLoraA(t, 1));
    values.set(t.keyB, initLoraB(t, 1));
  }
  const weights = uploadWeights(gpu, tiny.weights);
  const model = new GpuTransformer(gpu, tiny.config, weights, { B, T, lora: { targets, values, dropout: 0 } });
  const schedule = { kind: 'constant' as const, lr: 1e-2, warmupSteps: 0, totalSteps: 100 };
  const trainer = new Trainer(gpu, model, { schedule, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, maxGradNorm: 0 });
  const V = tiny.config.vocabSize;
  const ids = Int32Array.from({ length: B * T }, (_, i) => (i * 7 + 3) % V);
  const batch: MicroBatch = { batch: { inputIds: ids, labels: Int32Array.from(ids, (x, i) => (i % T < 2 ? -100 : x)) }, rows: B, T };
  const params = async () => Promise.all(model.trainable().map((t) => readF32(gpu.device, t.param, 0, t.size)));
  const release = () => {
    model.release();
    trainer.release();
    for (const b of weights.values()) gpu.buffers.release(b);
  };
  return { trainer, schedule, batch, params, release };
}

describe('NaN guard on parameters', () => {
  it('--lr 1e30 on the first step: rejected as exploded, the initial parameters kept', async () => {
    const { trainer, schedule, batch, params, release } = await setup();
    schedule.lr = 1e30;
    const before = await params();
    const r = await trainer.trainStep([batch]);
    expect(r.nonFinite).toBe(true);
    expect(r.explodedParams).toBe(true);
    expect(Number.isFinite(r.loss)).toBe(true); // the loss and gradients were fine: the update was not
    expect(trainer.step).toBe(0);
    const after = await params();
    after.forEach((p, i) => expect(Array.from(p)).toEqual(Array.from(before[i])));
    release();
  }, 120_000);

  it('after good steps, a huge but finite update (lr 1e6) is rejected and the last good parameters are restored', async () => {
    const { trainer, schedule, batch, params, release } = await setup();
    for (let s = 0; s < 3; s++) expect((await trainer.trainStep([batch])).nonFinite).toBe(false);
    const good = await params();
    schedule.lr = 1e6;
    const r = await trainer.trainStep([batch]);
    expect(r.nonFinite).toBe(true);
    expect(r.explodedParams).toBe(true);
    expect(trainer.step).toBe(3);
    const after = await params();
    after.forEach((p, i) => {
      expect(p.every(Number.isFinite)).toBe(true);
      expect(Array.from(p)).toEqual(Array.from(good[i]));
    });
    // An ordinary step afterwards is accepted again.
    schedule.lr = 1e-2;
    expect((await trainer.trainStep([batch])).nonFinite).toBe(false);
    release();
  }, 120_000);
});
