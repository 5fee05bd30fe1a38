/**
 * Autoregressive generation with the KV cache: the prompt is prefilled in chunks of the model's T, then one token per
 * step. Tokens are yielded as they are produced; stops at max tokens, an EOS id, or a stop string (checked on the
 * decoded text, so a stop string spanning several tokens is caught).
 *
 * Sampling runs on the GPU by default (kernels/sample.ts): each step reads back one id (4 bytes), not V logits, and
 * the sampled id stays on the GPU as the next step's input, so step n+1 is queued BEFORE id n is read back — the
 * GPU computes the next token while the host waits for and checks the last one. When a token stops generation,
 * that one queued step is simply dropped (it wrote only past the sequence's end of the KV cache). The seeded r of
 * each draw comes from the same stream the host sampler uses, so both paths pick the same tokens from the same
 * logits. `sampleOn: 'host'` reads the logits row and samples on the host (src/engine/sampling.ts): the path
 * before GPU sampling, kept for comparison.
 */
import { Recorder } from './gpu/recorder';
import type { GpuTransformer } from './transformer/model';
import { mulberry, sampleToken, type SamplingOptions } from './sampling';

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  eosIds: number[];
  stopStrings?: string[];
  seed?: number;
  signal?: AbortSignal;
  /** Needed for stop strings: decode generated ids to text. */
  decode?: (ids: number[]) => string;
  /** Where the next token is chosen: 'gpu' (default) or 'host' (reads V logits per token). */
  sampleOn?: 'gpu' | 'host';
}

export interface GeneratedToken {
  id: number;
  /** Why generation ended after this token, if it did. */
  stop?: 'eos' | 'stop-string' | 'max-tokens';
}

export async function* generate(model: GpuTransformer, promptIds: number[], opts: GenerateOptions): AsyncGenerator<GeneratedToken> {
  if (promptIds.length === 0) throw new Error('the prompt is empty');
  // One recorder per generation: from the second decoded token on, every step's bind groups come from its cache.
  const rec = new Recorder(model.gpu);
  try {
    yield* generateWith(rec, model, promptIds, opts);
  } finally {
    rec.destroy(); // its uniform buffer and cached bind groups (work already submitted still completes)
  }
}

async function* generateWith(rec: Recorder, model: GpuTransformer, promptIds: number[], opts: GenerateOptions): AsyncGenerator<GeneratedToken> {
  const chunk = model.opts.T;
  const budget = Math.min(opts.maxNewTokens, model.kvCapacity - promptIds.length);
  if (budget <= 0) throw new Error(`the prompt (${promptIds.length} tokens) fills the model's context (${model.kvCapacity})`);
  let past = 0;
  let last: ArrayLike<number> = [];
  for (let i = 0; i < promptIds.length; i += chunk) {
    last = promptIds.slice(i, i + chunk);
    model.decode(rec, last, past);
    if (i + chunk < promptIds.length) rec.submit(); // the last chunk goes with the first sample
    past += last.length;
  }
  const rand = mulberry(opts.seed ?? 0);
  const out: number[] = [];
  const stopOf = (id: number, n: number): GeneratedToken['stop'] => {
    if (opts.eosIds.includes(id)) return 'eos';
    if (opts.stopStrings?.length && opts.decode && opts.stopStrings.some((s) => opts.decode!(out).includes(s))) return 'stop-string';
    return n === budget - 1 ? 'max-tokens' : undefined;
  };

  if (opts.sampleOn === 'host') {
    rec.submit();
    let row = last.length - 1;
    for (let n = 0; n < budget; n++) {
      opts.signal?.throwIfAborted();
      const id = sampleToken(await model.readLogitsRow(row), opts, rand);
      out.push(id);
      const stop = stopOf(id, n);
      yield { id, stop };
      if (stop) return;
      model.decode(rec, [id], past);
      rec.submit();
      past += 1;
      row = 0;
    }
    return;
  }

  // GPU sampling, one step ahead: a draw r per token only when sampling (greedy consumes none, as on the host).
  const draw = (slot: number) => ({ temperature: opts.temperature, topK: opts.topK, topP: opts.topP, r: opts.temperature > 0 ? rand() : 0, slot });
  // Each id's readback is queued right after the submit that samples it, before the next step is submitted, so
  // it can land while the GPU works on that next step.
  model.sample(rec, last.length - 1, draw(0));
  rec.submit();
  let pending = model.readSampled(0);
  for (let n = 0; n < budget; n++) {
    let next: Promise<number> | null = null;
    if (n + 1 < budget) {
      model.decodeSampled(rec, past); // its token is the id just sampled into tokens[0]
      model.sample(rec, 0, draw(n + 1));
      rec.submit();
      next = model.readSampled(n + 1);
      // Generation may end before this read is awaited (a stop, an abort): never leave its failure unhandled.
      next.catch(() => {});
      past += 1;
    }
    opts.signal?.throwIfAborted();
    const id = await pending;
    out.push(id);
    const stop = stopOf(id, n);
    yield { id, stop };
    if (stop) return;
    pending = next!;
  }
}
