/**
 * Dev script (not part of the app): how well a base-model candidate does on the "Try it" run
 * (src/data/starter/phrases.ts), for docs/BUILTIN_MODEL.md. Unlike phrases.select.ts --eval it takes the model
 * directory as an argument, so a candidate can be measured before it replaces public/models/studio-base.
 *
 *   npx tsx src/pretrain/tryItCheck.ts --write-data FILE
 *       the trained questions as Alpaca JSONL, for `npm run cli -- train` with the Try-it settings (docs/BUILTIN_MODEL.md)
 *   npx tsx src/pretrain/tryItCheck.ts --model DIR [--adapter DIR] [--seeds N] [--json FILE]
 *       for the base model (and the adapter): greedy exact match, trained and held out (the Try-it check);
 *       p(<|im_end|>) right after each trained answer (teacher-forced: prompt + answer, the next-token distribution);
 *       sampling at temperature 0.8 (no top-k/top-p), N draws per question (each its own seed), up to 16 new tokens: how often the reply
 *       ends its turn by itself, and how often it is also exact.
 */
import { writeFileSync } from 'node:fs';
import { loadDirTokenizer } from '../cli/common.ts';
import { PHRASES, phraseAnswer, phraseQuestion } from '../data/starter/phrases.ts';
import { generate } from '../engine/generate.ts';
import { Recorder } from '../engine/gpu/recorder.ts';
import { loadModelWeights } from '../engine/loadModel.ts';
import { GpuTransformer } from '../engine/transformer/model.ts';
import { acquireNodeGpu } from '../node/gpu.ts';
import { openModelDir, readAdapterDir } from '../node/modelDir.ts';
import { chatPrompt, promptIds, stopTokenIds } from '../text/prompt.ts';
import { formatScore, isExactMatch, scoreExactMatch, type AnswerCheck } from '../train/exactMatch.ts';
import { hashSeed } from '../engine/model/random.ts';
import { IM_END } from './tokenizerFiles.ts';

/** Sampling settings of the turn-ending check. */
export const SAMPLING_CHECK = { temperature: 0.8, topK: 0, topP: 1, maxNewTokens: 16 };

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function softmaxAt(row: Float32Array, id: number): number {
  let max = -Infinity;
  for (const v of row) if (v > max) max = v;
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  return Math.exp(row[id] - max) / sum;
}

async function measure(modelDir: string, adapterDir: string | undefined, seeds: number) {
  const model = await openModelDir(modelDir);
  const tokenizer = await loadDirTokenizer(modelDir);
  const imEnd = tokenizer.tokenId(IM_END);
  if (imEnd === null) throw new Error(`${modelDir}: the tokenizer has no ${IM_END}`);
  const gpu = await acquireNodeGpu({ onNotice: () => {} });
  const { weights } = await loadModelWeights(gpu, model.config, { source: model.source });
  const adapter = adapterDir ? readAdapterDir(adapterDir, model.config) : null;
  const net = new GpuTransformer(gpu, model.config, weights, {
    B: 1, T: 64, kvCap: 128, lora: adapter ? { targets: adapter.targets, values: adapter.values, dropout: 0 } : null,
  });
  const rec = new Recorder(gpu);
  type Check = AnswerCheck & { stopId: number };
  const greedy: Record<string, Check[]> = { train: [], validation: [] };
  const sampled: Record<string, Check[]> = { train: [], validation: [] };
  const pImEnd: number[] = [];
  /** The most likely next tokens after the first trained answer (what sampling chooses among). */
  let top: { token: string; p: number }[] = [];
  const ask = async (ids: number[], eosIds: number[], opts: { temperature: number; topK: number; topP: number; maxNewTokens: number; seed: number }) => {
    const out: number[] = [];
    let reason = 'max-tokens', stopId = -1;
    for await (const t of generate(net, ids, { ...opts, eosIds })) {
      if (t.stop !== 'eos') out.push(t.id);
      else stopId = t.id;
      if (t.stop) reason = t.stop;
    }
    return { generated: tokenizer.decode(out, { skipSpecialTokens: true }), reason, stopId };
  };
  for (const p of PHRASES) {
    const prompt = chatPrompt(phraseQuestion(p.start));
    const ids = promptIds(tokenizer, prompt);
    const eosIds = stopTokenIds(tokenizer, prompt, { configEos: model.config.eosTokenIds, generationConfig: model.generationConfig });
    greedy[p.split].push({ expected: p.next, ...(await ask(ids, eosIds, { temperature: 0, topK: 0, topP: 1, maxNewTokens: 8, seed: 0 })) });
    // A seed per question and draw: with one seed for all questions, every question would get the same random draws.
    for (let s = 0; s < seeds; s++) sampled[p.split].push({ expected: p.next, ...(await ask(ids, eosIds, { ...SAMPLING_CHECK, seed: hashSeed(s, p.start) })) });
    if (p.split === 'train') {
      // The prompt followed by the trained answer, as the label builder renders the pair: what comes next?
      const withAnswer = [...ids, ...tokenizer.encode(phraseAnswer(p.next), { addSpecialTokens: false })];
      net.decode(rec, withAnswer, 0);
      rec.submit();
      const row = await net.readLogitsRow(withAnswer.length - 1);
      pImEnd.push(softmaxAt(row, imEnd));
      if (top.length === 0)
        top = [...row.keys()].sort((x, y) => row[y] - row[x]).slice(0, 8).map((id) => ({ token: JSON.stringify(tokenizer.decode([id])), p: softmaxAt(row, id) }));
    }
  }
  rec.destroy();
  net.release();
  const rate = (list: Check[]) => ({
    n: list.length,
    ended: list.filter((c) => c.reason === 'eos').length,
    endedImEnd: list.filter((c) => c.reason === 'eos' && c.stopId === imEnd).length,
    exact: list.filter(isExactMatch).length,
  });
  return {
    model: modelDir, adapter: adapterDir ?? null,
    greedy: { train: scoreExactMatch(greedy.train), validation: scoreExactMatch(greedy.validation) },
    sampled: { train: rate(sampled.train), validation: rate(sampled.validation), settings: { ...SAMPLING_CHECK, seeds } },
    pImEnd: { mean: pImEnd.reduce((a, b) => a + b, 0) / pImEnd.length, min: Math.min(...pImEnd), max: Math.max(...pImEnd), n: pImEnd.length },
    greedyAnswers: greedy.validation.map((c) => c.generated),
    sampledAnswers: sampled.train.slice(0, 12).map((c) => `${c.generated} [${c.reason} ${c.stopId}]`),
    top,
  };
}

async function main(): Promise<void> {
  const dataFile = arg('write-data');
  if (dataFile) {
    const lines = PHRASES.filter((p) => p.split === 'train').map((p) => JSON.stringify({ instruction: phraseQuestion(p.start), input: '', output: phraseAnswer(p.next) }));
    writeFileSync(dataFile, lines.join('\n') + '\n');
    console.log(`${lines.length} trained questions written to ${dataFile}`);
    return;
  }
  const modelDir = arg('model');
  if (!modelDir) throw new Error('usage: tryItCheck.ts --model DIR [--adapter DIR] [--seeds N] [--json FILE] | --write-data FILE');
  const seeds = Number(arg('seeds') ?? 2);
  const adapterDir = arg('adapter');
  const results = [];
  for (const dir of adapterDir ? [undefined, adapterDir] : [undefined]) {
    const r = await measure(modelDir, dir, seeds);
    results.push(r);
    const who = dir ? `tuned (${dir})` : 'base';
    const pct = (k: number, n: number) => `${k}/${n} (${Math.round((100 * k) / n)}%)`;
    console.log(`${modelDir} ${who}: greedy exact trained ${formatScore(r.greedy.train)}, held out ${formatScore(r.greedy.validation)}` +
      ` (ended turn: trained ${r.greedy.train.stopped}, held out ${r.greedy.validation.stopped})`);
    console.log(`  top next tokens after the first trained answer: ${r.top.map((t) => `${t.token} ${t.p.toFixed(3)}`).join(', ')}`);
    console.log(`  p(<|im_end|>) after the trained answers: mean ${r.pImEnd.mean.toFixed(4)} (min ${r.pImEnd.min.toFixed(4)}, max ${r.pImEnd.max.toFixed(4)}, n ${r.pImEnd.n})`);
    console.log(`  sampled (T ${SAMPLING_CHECK.temperature}, ${seeds} seeds, ≤ ${SAMPLING_CHECK.maxNewTokens} tokens): ended turn trained ${pct(r.sampled.train.ended, r.sampled.train.n)}, ` +
      `held out ${pct(r.sampled.validation.ended, r.sampled.validation.n)} (at <|im_end|>: ${r.sampled.train.endedImEnd} + ${r.sampled.validation.endedImEnd}); exact trained ${pct(r.sampled.train.exact, r.sampled.train.n)}, held out ${pct(r.sampled.validation.exact, r.sampled.validation.n)}`);
  }
  const json = arg('json');
  if (json) writeFileSync(json, JSON.stringify(results, null, 2) + '\n');
}

await main();
process.exit(0);
