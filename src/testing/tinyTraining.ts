/** Shared setup of the dashboard tests (samples, per-token losses, batch grid): a tiny Llama and the fixture tokenizer. */
import { readFileSync } from 'node:fs';
import { testGpu } from './gpu';
import { FIXTURE_BOS, FIXTURE_EOS, FIXTURE_VOCAB } from './modelFiles';
import { tinyModel } from '../engine/model/tiny';
import { uploadWeights } from '../engine/transformer/model';
import { loadTokenizer } from '../text/tokenizer';
import { DEFAULT_RUN, type RunConfig } from '../train/run';
import type { TrainingExample } from '../train/data';

const fixture = (f: string) => JSON.parse(readFileSync(new URL(`../text/__fixtures__/byte-bpe/${f}`, import.meta.url), 'utf8'));

export const EXAMPLES: TrainingExample[] = [
  { body: { kind: 'pair', instruction: 'Say hi.', input: '', output: 'Hi there!' } },
  { body: { kind: 'pair', instruction: 'Name a colour.', input: '', output: 'Blue.' } },
  { body: { kind: 'pair', instruction: 'Count to three.', input: '', output: 'One, two, three.' } },
  { body: { kind: 'pair', instruction: 'Say bye.', input: '', output: 'Goodbye!' } },
  { body: { kind: 'pair', instruction: 'Opposite of hot?', input: '', output: 'Cold.' } },
  { body: { kind: 'pair', instruction: 'What is 2+2?', input: '', output: 'Four.' }, split: 'validation' },
];

export async function setupTiny() {
  const gpu = await testGpu();
  const tokenizer = await loadTokenizer({ tokenizerJson: fixture('tokenizer.json'), tokenizerConfig: fixture('tokenizer_config.json') });
  const tiny = tinyModel('llama', 2, { vocab_size: FIXTURE_VOCAB, bos_token_id: FIXTURE_BOS, eos_token_id: FIXTURE_EOS, tie_word_embeddings: true, max_position_embeddings: 256 });
  const weights = uploadWeights(gpu, tiny.weights);
  const release = () => {
    for (const b of weights.values()) gpu.buffers.release(b);
  };
  return { gpu, tokenizer, tiny, weights, release };
}

export const tinyRun = (over: Partial<RunConfig> = {}): RunConfig => ({
  ...DEFAULT_RUN, label: { mode: 'completion-only', trainEos: true, maxLength: 128 }, batchSize: 2, epochs: 20, maxSteps: 6,
  lr: 1e-2, schedule: 'constant', warmupRatio: 0, lora: { r: 4, alpha: 8, dropout: 0.1, targetModules: 'all-linear', useRslora: false }, ...over,
});
