/**
 * Autoregressive generation with the KV cache: the prompt is prefilled in chunks of the model's T, then one token per
 * step. Tokens are yielded as they are produced; stops at max tokens, an EOS id, or a stop string (checked on the
 * decoded text, so a stop string spanning several tokens is caught).
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
}

export interface GeneratedToken {
  id: number;
  /** Why generation ended after this token, if it did. */
  stop?: 'eos' | 'stop-string' | 'max-tokens';
}

export async function* generate(model: GpuTransformer, promptIds: number[], opts: GenerateOptions): AsyncGenerator<GeneratedToken> {
  if (promptIds.length === 0) throw new Error('the prompt is empty');
  const rec = new Recorder(model.gpu);
  const chunk = model.opts.T;
  const budget = Math.min(opts.maxNewTokens, model.kvCapacity - promptIds.length);
  if (budget <= 0) throw new Error(`the prompt (${promptIds.length} tokens) fills the model's context (${model.kvCapacity})`);
  let past = 0;
  let last: ArrayLike<number> = [];
  for (let i = 0; i < promptIds.length; i += chunk) {
    last = promptIds.slice(i, i + chunk);
    model.decode(rec, last, past);
    rec.submit();
    past += last.length;
  }
  const rand = mulberry(opts.seed ?? 0);
  const out: number[] = [];
  let row = last.length - 1;
  for (let n = 0; n < budget; n++) {
    opts.signal?.throwIfAborted();
    const id = sampleToken(await model.readLogitsRow(row), opts, rand);
    out.push(id);
    let stop: GeneratedToken['stop'];
    if (opts.eosIds.includes(id)) stop = 'eos';
    else if (opts.stopStrings?.length && opts.decode && opts.stopStrings.some((s) => opts.decode!(out).includes(s))) stop = 'stop-string';
    else if (n === budget - 1) stop = 'max-tokens';
    yield { id, stop };
    if (stop) return;
    model.decode(rec, [id], past);
    rec.submit();
    past += 1;
    row = 0;
  }
}
