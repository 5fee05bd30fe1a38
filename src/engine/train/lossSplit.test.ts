/**
 * The answer/prompt split of a training step: the GPU's masked sums over the per-token losses equal a host
 * computation on the same losses (read back after a plain forward of the same batches), over gradient accumulation
 * and packed rows, and the two parts add up to the step's loss.
 */
import { describe, it, expect } from 'vitest';
import { ADAPTER_KINDS, testGpuAs } from '../../testing/gpu';
import { readF32 } from '../gpu/buffers';
import { Recorder } from '../gpu/recorder';
import { tinyModel } from '../model/tiny';
import { GpuTransformer, uploadWeights } from '../transformer/model';
import { Trainer, type MicroBatch } from './trainer';
import { answerMask, splitResult } from './lossSplit';

const B = 2, T = 8, X = -100;

/** Two rows per micro-batch; every token trained (full sequence); the answers are the last `ans` tokens of a row. */
function micro(V: number, rows: number[][], ans: number, packed = false): MicroBatch {
  const ids = Int32Array.from(rows.flat().map((x) => x % V));
  const labels = Int32Array.from(ids);
  const answerLabels = Int32Array.from(ids, (x, i) => (i % T >= T - ans ? x : X));
  if (!packed) return { batch: { inputIds: ids, labels }, rows: rows.length, T, answerLabels };
  // Row 0 holds two documents of 4 tokens: the first label of the second one is masked, as collate does.
  const segments = Int32Array.from(ids, (_, i) => (i < T ? (i < 4 ? 0 : 1) : 0));
  const positions = Int32Array.from(ids, (_, i) => (i < T ? i % 4 : i % T));
  labels[4] = X;
  answerLabels[4] = X;
  answerLabels[2] = ids[2]; // an answer token inside the first document
  return { batch: { inputIds: ids, labels, segments, positions }, rows: rows.length, T, answerLabels };
}

/** Host split from per-token losses (model layout (B, T): loss at t scores labels[t+1]). */
function hostSplit(losses: Float32Array[], batches: MicroBatch[]) {
  let a = 0, o = 0, na = 0, no = 0;
  batches.forEach((mb, k) => {
    const { labels, segments } = mb.batch;
    for (let i = 0; i < mb.rows * T; i++) {
      if (i % T === T - 1 || labels[i + 1] === X || (segments && segments[i + 1] !== segments[i])) continue;
      if (mb.answerLabels![i + 1] !== X) {
        a += losses[k][i];
        na++;
      } else {
        o += losses[k][i];
        no++;
      }
    }
  });
  return { answer: a / na, prompt: o / no, na, no };
}

describe('loss split', () => {
  it('answerMask marks the positions whose shifted target is an answer token, within one document', () => {
    const mb = micro(96, [[1, 2, 3, 4, 5, 6, 7, 8], [9, 10, 11, 12, 13, 14, 15, 16]], 3, true);
    const { mask, answer, prompt } = answerMask(mb, 3, 10);
    // Row 0: position 1 predicts the answer token at 2; 3 → 4 crosses documents; 4..6 predict answers 5..7.
    expect(Array.from(mask.subarray(0, 10))).toEqual([0, 1, 0, 0, 1, 1, 1, 0, 0, 0]);
    expect(Array.from(mask.subarray(10, 20))).toEqual([0, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
    expect(mask.subarray(20).every((m) => m === 0)).toBe(true);
    // Trained targets: row 0 has 7 positions minus the boundary (3→4) = 6, row 1 has 7.
    expect(answer + prompt).toBe(6 + 7);
    expect(answer).toBe(7);
    expect(splitResult([2, 6, 1, 3], 2, 3, 9)).toEqual({ answerLoss: 1, promptLoss: 1, answerTargets: 3, promptTargets: 9 });
  });

  for (const kind of ADAPTER_KINDS)
    for (const packed of [false, true])
    it(`a training step's answer and prompt losses match the host's sums of the same per-token losses${packed ? ' (packed rows)' : ''}, ${kind} reduction width`, async () => {
      const gpu = await testGpuAs(kind);
      const tiny = tinyModel('llama', 5);
      const V = tiny.config.vocabSize;
      const weights = uploadWeights(gpu, tiny.weights);
      // Nothing trainable (no LoRA, frozen base): the step changes nothing, so every forward sees the same model.
      const model = new GpuTransformer(gpu, tiny.config, weights, { B, T, lora: null });
      const batches = [
        micro(V, [[5, 17, 33, 2, 41, 8, 19, 60], [9, 9, 71, 3, 50, 22, 13, 4]], 3, packed),
        micro(V, [[30, 1, 2, 3, 4, 5, 6, 7], [88, 40, 12, 66, 77, 10, 11, 90]], 4),
      ];
      // Host: the per-token losses of a plain forward of each micro-batch (no dropout: the same as training's).
      const rec = new Recorder(gpu);
      const losses: Float32Array[] = [];
      for (const mb of batches) {
        model.setBatch(mb.batch, mb.rows, mb.T);
        model.forward(rec, { backward: false, lossScale: 1 });
        rec.submit();
        losses.push(await readF32(gpu.device, model.losses, 0, B * T));
      }
      rec.destroy();
      const want = hostSplit(losses, batches);
      const trainer = new Trainer(gpu, model, { schedule: { kind: 'constant', lr: 0, warmupSteps: 0, totalSteps: 2 }, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, maxGradNorm: 1 });
      const r = await trainer.trainStep(batches, 0);
      expect(r.split).toBeDefined();
      expect(Math.abs(want.answer - want.prompt)).toBeGreaterThan(1e-3); // the two parts really differ
      const s = r.split!;
      expect([s.answerTargets, s.promptTargets]).toEqual([want.na, want.no]);
      expect(s.answerTargets + s.promptTargets).toBe(r.targets);
      expect(s.answerLoss!).toBeCloseTo(want.answer, 5);
      expect(s.promptLoss!).toBeCloseTo(want.prompt, 5);
      expect((s.answerLoss! * s.answerTargets + s.promptLoss! * s.promptTargets) / r.targets).toBeCloseTo(r.loss, 5);
      // Without answer labels there is no split.
      const plain = await trainer.trainStep(batches.map(({ answerLabels: _, ...mb }) => mb), 0);
      expect(plain.split).toBeUndefined();
      expect(plain.loss).toBeCloseTo(r.loss, 5);
      trainer.release();
      model.release();
      for (const b of weights.values()) gpu.buffers.release(b);
    });
});
