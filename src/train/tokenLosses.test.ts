/**
 * Per-token losses for the heatmap: the kernel's per-position losses of one example, whose sum over trained positions
 * is the example's loss the trainer reports (evalLoss), 0 where the label is −100; an adapter changes them; the
 * predicted ids are the argmax of the logits.
 */
import { describe, expect, it } from 'vitest';
import { buildLabels, IGNORE_INDEX } from '../data/labels';
import { GpuTransformer } from '../engine/transformer/model';
import { Trainer } from '../engine/train/trainer';
import { EXAMPLES, setupTiny, tinyRun } from '../testing/tinyTraining';
import { exampleTokenLosses } from './tokenLosses';
import { runTraining } from './run';

describe('exampleTokenLosses', () => {
  it('matches the trainer’s loss of the example, skips −100, and differs under a trained adapter', async () => {
    const { gpu, tokenizer, tiny, weights, release } = await setupTiny();
    const run = tinyRun({ maxSteps: 4 });
    const l = buildLabels(tokenizer, EXAMPLES[0].body, run.label);
    const T = l.inputIds.length;
    const base = await exampleTokenLosses(gpu, tiny.config, weights, null, l.inputIds, l.labels);
    expect(base.losses).toHaveLength(T);
    let sum = 0, n = 0;
    for (let t = 0; t + 1 < T; t++) {
      if (l.labels[t + 1] === IGNORE_INDEX) expect(base.losses[t]).toBe(0);
      else {
        expect(base.losses[t]).toBeGreaterThan(0);
        sum += base.losses[t];
        n++;
      }
    }
    const net = new GpuTransformer(gpu, tiny.config, weights, { B: 1, T });
    const trainer = new Trainer(gpu, net, { schedule: { kind: 'constant', lr: 0, warmupSteps: 0, totalSteps: 1 }, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, maxGradNorm: 1 });
    const ev = await trainer.evalLoss([{ rows: 1, T, batch: { inputIds: Int32Array.from(l.inputIds), labels: Int32Array.from(l.labels) } }]);
    trainer.release();
    net.release();
    expect(ev.targets).toBe(n);
    expect(sum / n).toBeCloseTo(ev.loss, 4);
    expect(base.predicted).toHaveLength(T);
    expect(Math.max(...base.predicted!)).toBeLessThan(tiny.config.vocabSize);

    const trained = await runTraining(gpu, tiny.config, weights, tokenizer, EXAMPLES, run);
    const lora = { targets: trained.targets, values: trained.values };
    const tuned = await exampleTokenLosses(gpu, tiny.config, weights, lora, l.inputIds, l.labels);
    const mean = (x: Float32Array) => x.reduce((a, b) => a + b, 0) / n;
    expect(mean(tuned.losses)).toBeLessThan(mean(base.losses));
    release();
  });
});
