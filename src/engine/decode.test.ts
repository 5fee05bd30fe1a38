/**
 * The decoding path on real WebGPU with a LoRA adapter on every linear: GPU sampling (one id read back per token,
 * the next step queued before it) picks exactly the tokens host sampling picks from the same logits — greedy and
 * seeded temperature/top-k/top-p — and stops on an EOS id; the matrix-vector decode (matvec) gives the logits the
 * matmul decode gives. (families.test.ts checks KV-cache decoding against a full forward for every family.)
 */
import { describe, expect, it } from 'vitest';
import { testGpu } from '../testing/gpu';
import { expectClose } from '../testing/compare';
import { tinyModel, tinyLoraParams } from './model/tiny';
import { defaultLoraConfig, resolveLoraTargets } from './model/lora';
import type { ModelType } from './model/config';
import { Recorder } from './gpu/recorder';
import { generate, type GenerateOptions } from './generate';
import { matvecPolicy } from './kernels/matvec';
import { GpuTransformer, uploadWeights } from './transformer/model';

const PROMPT = [5, 17, 33, 2, 60, 9, 41];

async function withModel<T>(type: ModelType, fn: (m: GpuTransformer) => Promise<T>): Promise<T> {
  const gpu = await testGpu();
  const tiny = tinyModel(type, 3);
  const cfg = tiny.config;
  const targets = resolveLoraTargets(cfg, defaultLoraConfig(cfg, { r: 4, loraAlpha: 8, targetModules: 'all-linear' }));
  const weights = uploadWeights(gpu, tiny.weights, 'f16');
  const m = new GpuTransformer(gpu, cfg, weights, { B: 1, T: 4, kvCap: 40, lora: { targets, values: tinyLoraParams(targets, 9, 0.5), dropout: 0 } });
  try {
    return await fn(m);
  } finally {
    m.release();
    gpu.buffers.releasePool('weights');
  }
}

async function ids(m: GpuTransformer, opts: Partial<GenerateOptions>): Promise<{ id: number; stop?: string }[]> {
  const out: { id: number; stop?: string }[] = [];
  for await (const t of generate(m, PROMPT, { maxNewTokens: 12, eosIds: [], temperature: 0, topK: 0, topP: 1, ...opts })) out.push(t);
  return out;
}

for (const type of ['qwen2', 'gpt2'] as ModelType[]) {
  describe(`decoding ${type} (f16 weights, LoRA on all linears)`, () => {
    it('GPU sampling picks the host sampler tokens: greedy and seeded top-k/top-p', async () => {
      await withModel(type, async (m) => {
        for (const s of [{ temperature: 0, topK: 0, topP: 1 }, { temperature: 1.5, topK: 20, topP: 0.95, seed: 4 }, { temperature: 2, topK: 0, topP: 1, seed: 8 }]) {
          const gpu = await ids(m, { ...s, sampleOn: 'gpu' });
          const host = await ids(m, { ...s, sampleOn: 'host' });
          expect(gpu, JSON.stringify(s)).toEqual(host);
          expect(gpu.length).toBe(12);
          if (s.temperature > 0) expect(new Set(gpu.map((t) => t.id)).size, 'a sampled run varies').toBeGreaterThan(2);
        }
      });
    });

    it('stops at an EOS id on the GPU path, like the host path', async () => {
      await withModel(type, async (m) => {
        const free = await ids(m, { temperature: 1, topK: 0, topP: 1, seed: 2 });
        const eos = free[4].id;
        const cut = await ids(m, { temperature: 1, topK: 0, topP: 1, seed: 2, eosIds: [eos] });
        const at = free.findIndex((t) => t.id === eos);
        expect(cut.map((t) => t.id)).toEqual(free.slice(0, at + 1).map((t) => t.id));
        expect(cut.at(-1)?.stop).toBe('eos');
      });
    });

    it('matvec decoding gives the logits matmul decoding gives (prefill chunk of 3, then one token)', async () => {
      await withModel(type, async (m) => {
        const run = async (maxM: number) => {
          const saved = matvecPolicy.maxM;
          matvecPolicy.maxM = maxM;
          try {
            const rec = new Recorder(m.gpu);
            m.decode(rec, [4, 8, 15], 0);
            rec.submit();
            const a = await m.readLogitsRow(2);
            m.decode(rec, [16], 3);
            rec.submit();
            rec.destroy();
            return [a, await m.readLogitsRow(0)];
          } finally {
            matvecPolicy.maxM = saved;
          }
        };
        const [mv, mm] = [await run(4), await run(0)];
        expectClose(mv[0], mm[0], { rtol: 1e-4, atol: 1e-4 }, 'prefill row');
        expectClose(mv[1], mm[1], { rtol: 1e-4, atol: 1e-4 }, 'decode row');
      });
    });
  });
}
