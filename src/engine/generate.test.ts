/**
 * generate() stops at ANY id of the stop set (EOS ids, the template's end-of-turn token, …), yields that token with
 * stop 'eos', and decodes no further; ids outside the set never stop it. Runs on a scripted stand-in for the
 * GpuTransformer (greedy sampling over one-hot logits, host sampling), so no GPU is needed. The GPU-sampling path is
 * checked on a real model in decode.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { generate, type GenerateOptions, type GeneratedToken } from './generate';
import type { GpuTransformer } from './transformer/model';

const VOCAB = 16;

/** A model whose next token is scripted: step k's logits peak at script[k]. Records what it was asked to decode. */
function scriptedModel(script: number[], kvCapacity = 64) {
  const decoded: number[][] = [];
  let step = 0;
  const gpu = { device: { createCommandEncoder: () => ({ finish: () => ({}) }), queue: { submit: () => {} } } };
  const model = {
    gpu,
    opts: { T: 4 },
    kvCapacity,
    decode: (_rec: unknown, ids: ArrayLike<number>) => void decoded.push(Array.from(ids)),
    readLogitsRow: async () => {
      const logits = new Float32Array(VOCAB);
      logits[script[Math.min(step++, script.length - 1)]] = 10;
      return logits;
    },
  };
  return { model: model as unknown as GpuTransformer, decoded };
}

async function run(script: number[], opts: Partial<GenerateOptions>): Promise<{ out: GeneratedToken[]; decoded: number[][] }> {
  const { model, decoded } = scriptedModel(script);
  const out: GeneratedToken[] = [];
  for await (const t of generate(model, [1, 2, 3, 4, 5], { maxNewTokens: 20, eosIds: [], temperature: 0, topK: 0, topP: 1, sampleOn: 'host', ...opts })) out.push(t);
  return { out, decoded };
}

describe('generate stops on the stop set', () => {
  it('stops at whichever stop id comes first, and feeds nothing after it', async () => {
    const stopSet = [13, 7, 11]; // e.g. generation_config eos, config eos, <|im_end|>
    for (const stopId of stopSet) {
      const { out, decoded } = await run([6, 8, stopId, 9, 10], { eosIds: stopSet });
      expect(out).toEqual([{ id: 6 }, { id: 8 }, { id: stopId, stop: 'eos' }]);
      // Prompt in chunks of T = 4, then each generated token before the stop; the stop token itself is not decoded.
      expect(decoded).toEqual([[1, 2, 3, 4], [5], [6], [8]]);
    }
  });

  it('runs to max tokens when no stop id is produced', async () => {
    const { out } = await run([6, 8, 9], { eosIds: [7, 11], maxNewTokens: 4 });
    expect(out.map((t) => t.id)).toEqual([6, 8, 9, 9]);
    expect(out.at(-1)?.stop).toBe('max-tokens');
    expect(out.slice(0, -1).every((t) => t.stop === undefined)).toBe(true);
  });

  it('a stop string stops on its own; when a stop id and a stop string coincide the stop id is reported', async () => {
    const { out } = await run([6, 11], { eosIds: [11], stopStrings: ['x'], decode: () => 'x' });
    expect(out[0]).toEqual({ id: 6, stop: 'stop-string' });
    const second = await run([11], { eosIds: [11], stopStrings: ['x'], decode: () => 'x' });
    expect(second.out).toEqual([{ id: 11, stop: 'eos' }]);
  });
});
