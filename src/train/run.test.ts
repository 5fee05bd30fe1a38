/**
 * runTraining end to end on a tiny model with the fixture tokenizer: LoRA and full-parameter runs learn, and a
 * full-parameter run trains a private copy, leaving the loaded base weights untouched for the playground.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { testGpu } from '../testing/gpu';
import { FIXTURE_BOS, FIXTURE_EOS, FIXTURE_VOCAB } from '../testing/modelFiles';
import { readF32 } from '../engine/gpu/buffers';
import { tinyModel } from '../engine/model/tiny';
import { uploadWeights } from '../engine/transformer/model';
import { loadTokenizer } from '../text/tokenizer';
import { DEFAULT_RUN, runTraining, type RunConfig } from './run';
import type { TrainingExample } from './data';

const fixture = (f: string) => JSON.parse(readFileSync(new URL(`../text/__fixtures__/byte-bpe/${f}`, import.meta.url), 'utf8'));

const examples: TrainingExample[] = [
  { body: { kind: 'pair', instruction: 'Say hi.', input: '', output: 'Hi there!' } },
  { body: { kind: 'pair', instruction: 'Name a colour.', input: '', output: 'Blue.' } },
  { body: { kind: 'pair', instruction: 'Count to three.', input: '', output: 'One, two, three.' } },
  { body: { kind: 'pair', instruction: 'Say bye.', input: '', output: 'Goodbye!' } },
];

async function setup() {
  const gpu = await testGpu();
  const tokenizer = await loadTokenizer({ tokenizerJson: fixture('tokenizer.json'), tokenizerConfig: fixture('tokenizer_config.json') });
  const tiny = tinyModel('llama', 2, { vocab_size: FIXTURE_VOCAB, bos_token_id: FIXTURE_BOS, eos_token_id: FIXTURE_EOS, tie_word_embeddings: true, max_position_embeddings: 256 });
  const weights = uploadWeights(gpu, tiny.weights);
  return { gpu, tokenizer, tiny, weights };
}

const config = (over: Partial<RunConfig>): RunConfig => ({
  ...DEFAULT_RUN, label: { mode: 'completion-only', trainEos: true, maxLength: 160 }, batchSize: 2, epochs: 20, maxSteps: 20,
  lr: 1e-2, schedule: 'constant', warmupRatio: 0, ...over,
});

describe('runTraining', () => {
  it('full-parameter training learns and leaves the loaded base weights untouched', async () => {
    const { gpu, tokenizer, tiny, weights } = await setup();
    const losses: number[] = [];
    const result = await runTraining(gpu, tiny.config, weights, tokenizer, examples, config({ lora: null }), { onStep: (s) => losses.push(s.loss) });
    expect(result.reason).toBe('finished');
    expect(losses.length).toBe(20);
    expect(losses.at(-1)!).toBeLessThan(losses[0] * 0.8);
    const name = 'model.layers.0.self_attn.q_proj.weight';
    expect(Array.from(await readF32(gpu.device, weights.get(name)!))).toEqual(Array.from(tiny.weights.get(name)!));
    expect(Array.from(result.values.get(name)!)).not.toEqual(Array.from(tiny.weights.get(name)!));
    for (const b of weights.values()) gpu.buffers.release(b);
  });

  it('a LoRA run learns, reports its plan and returns PEFT-keyed values', async () => {
    const { gpu, tokenizer, tiny, weights } = await setup();
    const losses: number[] = [];
    let planned = 0;
    const result = await runTraining(gpu, tiny.config, weights, tokenizer, examples, config({}), {
      onPlan: (p) => (planned = p.totalSteps),
      onStep: (s) => losses.push(s.loss),
    });
    expect(planned).toBe(20);
    expect(losses.at(-1)!).toBeLessThan(losses[0]);
    expect([...result.values.keys()].every((k) => k.startsWith('base_model.model.') && /lora_[AB]\.weight$/.test(k))).toBe(true);
    for (const b of weights.values()) gpu.buffers.release(b);
  });
});
