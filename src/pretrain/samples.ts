/**
 * Sample continuations for the model card and the run log: a B = 1 GpuTransformer with a KV cache over the SAME
 * weight buffers the trainer updates (no copy), and the engine's own generate().
 */
import type { Gpu } from '../engine/gpu/device';
import type { ModelConfig } from '../engine/model/config';
import { GpuTransformer } from '../engine/transformer/model';
import { generate } from '../engine/generate';
import type { StudioTokenizer } from '../text/tokenizer';
import { promptIds } from '../text/prompt';

export interface Sample {
  prompt: string;
  mode: string;
  completion: string;
}

export interface SampleSpec {
  prompt: string;
  temperature: number;
  topK: number;
  seed: number;
}

export const CARD_SAMPLES: SampleSpec[] = [
  { prompt: 'The old man', temperature: 0, topK: 0, seed: 0 },
  { prompt: 'In the morning, the', temperature: 0.8, topK: 40, seed: 1 },
  { prompt: 'The committee said that', temperature: 0.8, topK: 40, seed: 2 },
  { prompt: 'She looked at him and', temperature: 0.8, topK: 40, seed: 3 },
  // A base model continues text; it does not answer. Instruction tuning is what changes this.
  { prompt: 'Question: What is the capital of France?\nAnswer:', temperature: 0, topK: 0, seed: 0 },
];

export class Sampler {
  private readonly model: GpuTransformer;

  constructor(
    gpu: Gpu,
    config: ModelConfig,
    weights: ReadonlyMap<string, GPUBuffer>,
    private readonly tokenizer: StudioTokenizer,
    private readonly eosIds: number[],
  ) {
    this.model = new GpuTransformer(gpu, config, weights, { B: 1, T: Math.min(64, config.maxPositions), kvCap: Math.min(256, config.maxPositions) });
  }

  async run(spec: SampleSpec, maxNewTokens = 48): Promise<Sample> {
    const ids = promptIds(this.tokenizer, { kind: 'text', text: spec.prompt });
    const out: number[] = [];
    for await (const t of generate(this.model, ids, {
      maxNewTokens, eosIds: this.eosIds, temperature: spec.temperature, topK: spec.topK, topP: 1, seed: spec.seed,
    })) {
      if (!this.eosIds.includes(t.id)) out.push(t.id);
    }
    const mode = spec.temperature > 0 ? `temperature ${spec.temperature}, top-k ${spec.topK}, seed ${spec.seed}` : 'greedy';
    return { prompt: spec.prompt, mode, completion: this.tokenizer.decode(out) };
  }
}
