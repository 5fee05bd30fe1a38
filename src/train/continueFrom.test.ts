import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseTestGpu } from '../testing/gpu';
import { EXAMPLES, setupTiny, tinyRun } from '../testing/tinyTraining';
import { runTraining } from './run';
import { continueFromAdapter, loraSettingsOf } from './continueFrom';

let tiny: Awaited<ReturnType<typeof setupTiny>>;
beforeAll(async () => (tiny = await setupTiny()));
afterAll(async () => {
  tiny?.release();
  await releaseTestGpu();
});

describe('continue training from an adapter', () => {
  it('starts from the adapter\'s values (same modules and ranks), not from a fresh init', async () => {
    const { gpu, tiny: m, weights, tokenizer } = tiny;
    const first = await runTraining(gpu, m.config, weights, tokenizer, EXAMPLES, tinyRun({ maxSteps: 6 }));
    const settings = loraSettingsOf(first.loraConfig!);
    // lr 0: the one step changes nothing, so what comes out is what went in — the imported adapter.
    const frozen = await runTraining(gpu, m.config, weights, tokenizer, EXAMPLES, tinyRun({ lora: { ...settings, dropout: 0 }, lr: 0, maxSteps: 1 }), {}, continueFromAdapter(first.targets, first.values));
    for (const [k, v] of first.values) expect([...frozen.values.get(k)!], k).toEqual([...v]);
    // Training on from it: its first loss is the trained adapter's, far below a fresh adapter's.
    const losses: number[] = [], fresh: number[] = [];
    await runTraining(gpu, m.config, weights, tokenizer, EXAMPLES, tinyRun({ lora: { ...settings, dropout: 0 }, maxSteps: 1 }), { onStep: (s) => losses.push(s.loss) }, continueFromAdapter(first.targets, first.values));
    await runTraining(gpu, m.config, weights, tokenizer, EXAMPLES, tinyRun({ lora: { ...settings, dropout: 0 }, maxSteps: 1 }), { onStep: (s) => fresh.push(s.loss) });
    expect(losses[0]).toBeLessThan(fresh[0] - 0.5);
  });
  it('refuses adapters a run cannot express, naming why', () => {
    expect(() => loraSettingsOf({ ...tinyRunConfig(), rankPattern: { q_proj: 4 } })).toThrow(/rank_pattern/);
    expect(() => loraSettingsOf({ ...tinyRunConfig(), targetModules: '.*q_proj' })).toThrow(/not a list or "all-linear"/);
  });
});

function tinyRunConfig() {
  return { peftType: 'LORA' as const, taskType: 'CAUSAL_LM' as const, baseModelNameOrPath: null, revision: null, r: 4, loraAlpha: 8, targetModules: ['q_proj'], excludeModules: null, layersToTransform: null, layersPattern: null, loraDropout: 0, useRslora: false, rankPattern: {}, alphaPattern: {}, fanInFanOut: false, initLoraWeights: true as const, inferenceMode: false };
}
