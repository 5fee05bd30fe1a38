/**
 * Held-out evaluation of any built-in-model candidate, tokenizer-independent: the model directory's own tokenizer
 * encodes the Brown held-out documents (the same documents for every model), every full window of the model's
 * context is scored, and the result is given in nats/token and in bits per byte (bpb.ts), next to the unigram and
 * bigram count models fitted on the training documents with the same tokenizer. `npm run cli -- pretrain --evaluate DIR`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Recorder } from '../engine/gpu/recorder';
import { loadModelWeights } from '../engine/loadModel';
import { GpuTransformer } from '../engine/transformer/model';
import { acquireNodeGpu } from '../node/gpu';
import { openModelDir } from '../node/modelDir';
import { loadTokenizer } from '../text/tokenizer';
import { countBaselines } from './baselines';
import { bitsPerByte, streamTargetBytes, targetBytes, tokenByteLengths } from './bpb';
import { concatWithEos, evalBatches } from './data';
import { brownTexts } from './prepare';

export interface HeldOutScore {
  natsPerToken: number;
  bitsPerByte: number;
  targets: number;
  bytes: number;
  windows: number;
  context: number;
  /** Count models with the same tokenizer on the same documents (every next token of the held-out stream). */
  baselines: { unigram: { nats: number; bpb: number }; bigram: { nats: number; bpb: number } };
}

export async function evaluateModelDir(dir: string, opts: { context?: number; log?: (line: string) => void } = {}): Promise<HeldOutScore> {
  const log = opts.log ?? (() => {});
  const model = await openModelDir(dir);
  const readJson = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>;
  const tokenizerJson = readJson('tokenizer.json');
  const tokenizer = await loadTokenizer({ tokenizerJson, tokenizerConfig: readJson('tokenizer_config.json') });
  const eos = tokenizer.eosId;
  if (eos === null) throw new Error(`${dir}: the tokenizer has no EOS token to separate documents`);
  const texts = brownTexts();
  const encode = (docs: string[]) => concatWithEos(docs.map((d) => tokenizer.encode(d, { addSpecialTokens: false })), eos);
  const heldOut = encode(texts.heldOut);
  const T = Math.min(opts.context ?? 256, model.config.maxTrainLength);
  const batches = evalBatches(heldOut, T, 4);
  const byteLen = tokenByteLengths(tokenizerJson, model.config.vocabSize);

  const gpu = await acquireNodeGpu({ onNotice: log });
  const { weights, pool } = await loadModelWeights(gpu, model.config, { source: model.source, weightFormat: 'f32' });
  const net = new GpuTransformer(gpu, model.config, weights, { B: 4, T });
  const rec = new Recorder(gpu);
  let sum = 0, targets = 0;
  try {
    for (const mb of batches) {
      const n = net.setBatch(mb.batch, mb.rows, mb.T);
      net.forward(rec, { backward: false, lossScale: 1 });
      rec.submit();
      sum += await net.readLossSum();
      targets += n;
    }
  } finally {
    rec.destroy();
    net.release();
    gpu.buffers.releasePool(pool);
  }
  const natsPerToken = sum / targets;
  const bytes = targetBytes(batches, byteLen);
  log(`held-out: ${batches.reduce((a, b) => a + b.rows, 0)} windows of ${T} tokens, ${targets} targets, ${bytes} bytes`);
  const train = encode(texts.train);
  const b = countBaselines(train, heldOut, model.config.vocabSize);
  const n = heldOut.length - 1, streamBytes = streamTargetBytes(heldOut, byteLen);
  return {
    natsPerToken, bitsPerByte: bitsPerByte(natsPerToken, targets, bytes), targets, bytes,
    windows: batches.reduce((a, x) => a + x.rows, 0), context: T,
    baselines: {
      unigram: { nats: b.unigram, bpb: bitsPerByte(b.unigram, n, streamBytes) },
      bigram: { nats: b.bigram, bpb: bitsPerByte(b.bigram, n, streamBytes) },
    },
  };
}
