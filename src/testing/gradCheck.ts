/**
 * The whole-model correctness check shared by the GPU model tests: one forward + backward of a batch, then the loss
 * and every trainable tensor's gradient against the float64 reference. Relative error is per tensor, against the
 * tensor's largest reference magnitude, so tiny entries do not dominate.
 */
import { expect } from 'vitest';
import { Recorder } from '../engine/gpu/recorder';
import { readF32 } from '../engine/gpu/buffers';
import type { GpuTransformer } from '../engine/transformer/model';
import type { Model64Result } from '../engine/reference/model64';

export function relErr(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let maxRef = 0, maxDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
  }
  return maxDiff / Math.max(maxRef, 1e-12);
}

/** The measured errors of one check (filled in when passed to expectGradientsMatch). */
export interface GradientStats {
  lossErr: number;
  maxGradErr: number;
  tensors: number;
}

/** Runs the step on `model` (batch already set, `n` trained targets) and checks it; returns tensors checked. */
export async function expectGradientsMatch(model: GpuTransformer, n: number, ref: Model64Result, what: string, stats?: GradientStats): Promise<number> {
  const rec = new Recorder(model.gpu);
  model.zeroGrads(rec);
  model.forward(rec, { backward: true, lossScale: 1 / n });
  model.backward(rec);
  rec.submit();
  rec.destroy();
  const loss = (await model.readLossSum()) / n;
  const lossErr = Math.abs(loss - ref.loss) / ref.loss;
  if (stats) stats.lossErr = lossErr;
  expect(lossErr, `${what}: loss ${loss} vs ${ref.loss}`).toBeLessThan(1e-4);
  let checked = 0;
  for (const t of model.trainable()) {
    const expected = ref.grads.get(t.name);
    if (!expected) throw new Error(`reference has no gradient for ${t.name}`);
    const err = relErr(await readF32(model.gpu.device, t.grad, 0, t.size), expected);
    expect(err, `${what} ${t.name}: relative error ${err.toExponential(2)}`).toBeLessThan(1e-3);
    checked++;
    if (stats) {
      stats.maxGradErr = Math.max(stats.maxGradErr, err);
      stats.tensors = checked;
    }
  }
  expect(checked).toBe(ref.grads.size);
  return checked;
}
