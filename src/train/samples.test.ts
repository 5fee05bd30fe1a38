/**
 * Validation samples during training: a run that samples every 2 steps trains exactly as one that does not (same
 * losses, same adapter), the samples come at the right steps, each from the adapter of its step, greedy and short.
 */
import { describe, expect, it } from 'vitest';
import { EXAMPLES, setupTiny, tinyRun } from '../testing/tinyTraining';
import { runTraining, type TrainedModelView } from './run';
import { resolveSamplePrompt, sampleGreedy, type SampleOutput } from './samples';
import { IGNORE_INDEX, buildLabels } from '../data/labels';

describe('validation samples during training', () => {
  it('leave training exactly as it was and use the adapter of their step', async () => {
    const { gpu, tokenizer, tiny, weights, release } = await setupTiny();
    const run = tinyRun({ maxSteps: 5 });
    const plain: number[] = [];
    const a = await runTraining(gpu, tiny.config, weights, tokenizer, EXAMPLES, run, { onStep: (s) => plain.push(s.loss) });

    const prompts = [EXAMPLES[5], EXAMPLES[0]].map((e) => resolveSamplePrompt(tokenizer, { kind: 'example', body: e.body }, run.label));
    const sampled: number[] = [];
    const samples: { step: number; outputs: SampleOutput[]; view: TrainedModelView }[] = [];
    const b = await runTraining(gpu, tiny.config, weights, tokenizer, EXAMPLES, { ...run, sampleEvery: 2 }, {
      onStep: (s) => sampled.push(s.loss),
      onSample: async (view) => {
        const outputs = await sampleGreedy(gpu, tiny.config, view, prompts, (ids) => tokenizer.decode(ids), 8);
        samples.push({ step: view.step, outputs, view });
      },
    });
    expect(sampled).toEqual(plain);
    for (const [k, v] of a.values) expect(Array.from(b.values.get(k)!)).toEqual(Array.from(v));
    expect(samples.map((s) => s.step)).toEqual([2, 4, 5]);
    for (const s of samples) {
      expect(s.outputs).toHaveLength(2);
      for (const o of s.outputs) expect(o.tokens).toBeLessThanOrEqual(8);
    }
    // The last sample carries the final adapter; an earlier one an earlier state.
    const last = samples[2].view.lora!.values, first = samples[0].view.lora!.values;
    for (const [k, v] of b.values) expect(Array.from(last.get(k)!)).toEqual(Array.from(v));
    expect([...b.values].some(([k, v]) => Array.from(first.get(k)!).some((x, i) => x !== v[i]))).toBe(true);
    // Greedy: the same state samples the same text again.
    const again = await sampleGreedy(gpu, tiny.config, samples[2].view, prompts, (ids) => tokenizer.decode(ids), 8);
    expect(again).toEqual(samples[2].outputs);
    release();
  });

  it('an example prompt is what precedes its first trained token, rendered as training renders it', async () => {
    const { tokenizer } = await setupTiny();
    const label = tinyRun().label;
    const body = EXAMPLES[0].body;
    const l = buildLabels(tokenizer, body, label);
    const p = resolveSamplePrompt(tokenizer, { kind: 'example', body }, label);
    const first = l.labels.findIndex((x) => x !== IGNORE_INDEX);
    expect(p.ids).toEqual(l.inputIds.slice(0, first));
    expect(tokenizer.decode(p.ids)).toContain('Say hi.');
    expect(p.eos.length).toBeGreaterThan(0);
  });
});
