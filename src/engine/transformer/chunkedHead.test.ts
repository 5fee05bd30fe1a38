/**
 * The LM head in row chunks (logitsRows) against the same model in one chunk: the loss and every gradient. Each row's
 * logits, loss and dlnf are computed exactly as unchunked, so LoRA gradients are bitwise equal; a trained head (full
 * mode) sums its rows chunk by chunk, so only its f32 rounding may differ (≤ 1e-6 of the tensor's largest entry).
 */
import { describe, expect, it } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { relErr } from '../../testing/gradCheck';
import type { Gpu } from '../gpu/device';
import { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { tinyBatch, tinyLoraParams, tinyModel } from '../model/tiny';
import { defaultLoraConfig, resolveLoraTargets } from '../model/lora';
import type { ModelType } from '../model/config';
import { headWeightName } from '../model/tensors';
import { GpuTransformer, uploadWeights } from './model';

const B = 2, T = 9;

async function step(gpu: Gpu, type: ModelType, fullParams: boolean, logitsRows?: number) {
  const tiny = tinyModel(type, 11);
  const cfg = tiny.config;
  const targets = fullParams ? [] : resolveLoraTargets(cfg, defaultLoraConfig(cfg, { r: 4, loraAlpha: 8, targetModules: 'all-linear' }));
  const values = tinyLoraParams(targets, 5);
  const weights = uploadWeights(gpu, tiny.weights);
  const model = new GpuTransformer(gpu, cfg, weights, { B, T, fullParams, lora: fullParams ? null : { targets, values, dropout: 0 }, logitsRows });
  try {
    const { inputIds, labels } = tinyBatch(cfg, 3, B, T);
    const n = model.setBatch({ inputIds: Int32Array.from(inputIds.flat()), labels: Int32Array.from(labels.flat()) }, B, T);
    const rec = new Recorder(gpu);
    model.zeroGrads(rec);
    model.forward(rec, { backward: true, lossScale: 1 / n });
    model.backward(rec);
    rec.submit();
    rec.destroy();
    const grads = new Map<string, Float32Array>();
    for (const t of model.trainable()) grads.set(t.name, await readF32(gpu.device, t.grad, 0, t.size));
    return { loss: await model.readLossSum(), grads, rows: model.logitsRows, head: headWeightName(cfg) };
  } finally {
    model.release();
    gpu.buffers.releasePool('weights');
  }
}

describe('LM head in row chunks', () => {
  for (const type of ['llama', 'qwen2', 'gemma3_text'] as ModelType[]) {
    it(`${type}: LoRA loss and gradients are bitwise those of one chunk (3 and 5 rows of ${B * T})`, async () => {
      const gpu = await testGpu();
      const whole = await step(gpu, type, false);
      expect(whole.rows).toBe(B * T);
      for (const rows of [3, 5]) {
        const chunked = await step(gpu, type, false, rows);
        expect(chunked.rows).toBe(rows);
        expect(chunked.loss).toBe(whole.loss);
        expect(chunked.grads.size).toBe(whole.grads.size);
        for (const [name, g] of whole.grads) expect(chunked.grads.get(name), name).toEqual(g);
      }
    });
  }

  for (const type of ['llama', 'qwen2'] as ModelType[]) {
    it(`${type}: full-parameter gradients (head ${type === 'llama' ? 'untied' : 'tied'}) within 1e-6`, async () => {
      const gpu = await testGpu();
      const whole = await step(gpu, type, true);
      const chunked = await step(gpu, type, true, 4);
      expect(chunked.loss).toBe(whole.loss);
      let headErr = -1;
      for (const [name, g] of whole.grads) {
        const err = relErr(chunked.grads.get(name)!, g);
        expect(err, name).toBeLessThanOrEqual(1e-6);
        if (name === whole.head) headErr = err;
        else if (!name.includes('embed')) expect(chunked.grads.get(name), name).toEqual(g);
      }
      expect(headErr).toBeGreaterThanOrEqual(0); // the head was compared
    });
  }

  it('keeps the last chunk readable and says why other rows are not', async () => {
    const gpu = await testGpu();
    const tiny = tinyModel('llama', 11);
    const weights = uploadWeights(gpu, tiny.weights);
    const make = (logitsRows?: number) => new GpuTransformer(gpu, tiny.config, weights, { B: 1, T: 7, logitsRows });
    const whole = make(), chunked = make(3);
    try {
      const { inputIds, labels } = tinyBatch(tiny.config, 3, 1, 7);
      const rec = new Recorder(gpu);
      for (const m of [whole, chunked]) {
        m.setBatch({ inputIds: Int32Array.from(inputIds.flat()), labels: Int32Array.from(labels.flat()) }, 1, 7);
        m.forward(rec, { backward: false, lossScale: 1 });
      }
      rec.submit();
      rec.destroy();
      expect(await chunked.readLossSum()).toBe(await whole.readLossSum());
      const all = await whole.readLogits();
      expect(await chunked.readLogitsRow(6)).toEqual(all.subarray(6 * 96, 7 * 96));
      await expect(chunked.readLogitsRow(2)).rejects.toThrow(/row 2 are not held: the LM head runs 3 rows at a time and the buffer holds rows 6\.\.6/);
      await expect(chunked.readLogits()).rejects.toThrow(/logitsRows: 7/);
    } finally {
      whole.release();
      chunked.release();
      gpu.buffers.releasePool('weights');
    }
  });
});
