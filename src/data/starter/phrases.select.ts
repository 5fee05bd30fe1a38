/**
 * Dev script behind phrases.ts (not part of the app): selects the "Try it" phrases from the Brown corpus and the
 * built-in model, and measures exact match of a trained adapter on them.
 *
 *   npx tsx src/data/starter/phrases.select.ts                 # print the selection as a TypeScript literal
 *   npx tsx src/data/starter/phrases.select.ts --eval DIR      # exact match of base and of the adapter in DIR
 *
 * Candidates: a lower-case word of the training documents whose most frequent next word is one of ANSWERS, seen
 * together at least MIN_COUNT times and making at least MIN_SHARE of the word's occurrences. Sorted by count, every
 * third candidate of each answer is held out (by the corpus alone); the others are trained when the base model, given
 * just " word" as plain text, ranks the right answer first of the four (so the run teaches the format and how to read
 * out what the model knows, not new facts), up to the quotas.
 */
import { brownTexts } from '../../pretrain/prepare.ts';
import { loadDirTokenizer } from '../../cli/common.ts';
import { acquireNodeGpu } from '../../node/gpu.ts';
import { openModelDir, readAdapterDir } from '../../node/modelDir.ts';
import { loadModelWeights } from '../../engine/loadModel.ts';
import { GpuTransformer } from '../../engine/transformer/model.ts';
import { Recorder } from '../../engine/gpu/recorder.ts';
import { generate } from '../../engine/generate.ts';
import { chatPrompt, promptIds, stopTokenIds } from '../../text/prompt.ts';
import { scoreExactMatch, formatScore, constantGuessRate, type AnswerCheck } from '../../train/exactMatch.ts';
import { countPhrases, topFollowers } from './phraseStats.ts';
import { PHRASE_ANSWERS, PHRASES, phraseQuestion } from './phrases.ts';

const MODEL = 'public/models/studio-base';
const MIN_COUNT = 20;
const MIN_SHARE = 0.25;
const TRAIN_QUOTA: Record<string, number> = { to: 10, of: 10, the: 10, be: 4 };
const HELD_QUOTA: Record<string, number> = { to: 6, of: 6, the: 6, be: 2 };

async function openModel(adapterDir?: string) {
  const model = await openModelDir(MODEL);
  const tokenizer = await loadDirTokenizer(MODEL);
  const gpu = await acquireNodeGpu({ onNotice: () => {} });
  const { weights } = await loadModelWeights(gpu, model.config, { source: model.source });
  const adapter = adapterDir ? readAdapterDir(adapterDir, model.config) : null;
  const net = new GpuTransformer(gpu, model.config, weights, { B: 1, T: 64, kvCap: 128, lora: adapter ? { targets: adapter.targets, values: adapter.values, dropout: 0 } : null });
  return { model, tokenizer, gpu, net };
}

async function select(): Promise<void> {
  const counts = countPhrases(brownTexts().train);
  const candidates = [...topFollowers(counts)]
    .filter(([w, f]) => /^[a-z]+$/.test(w) && (PHRASE_ANSWERS as readonly string[]).includes(f.next) && f.count >= MIN_COUNT && f.share >= MIN_SHARE)
    .map(([start, f]) => ({ start, ...f }))
    .sort((a, b) => b.count - a.count || (a.start < b.start ? -1 : 1));
  const { tokenizer, gpu, net } = await openModel();
  const answerIds = PHRASE_ANSWERS.map((a) => {
    const ids = tokenizer.encode(` ${a}`, { addSpecialTokens: false });
    if (ids.length !== 1) throw new Error(`" ${a}" is not one token`);
    return ids[0];
  });
  const rec = new Recorder(gpu);
  const ranked = async (start: string) => {
    const ids = tokenizer.encode(` ${start}`, { addSpecialTokens: false });
    net.decode(rec, ids, 0);
    rec.submit();
    const row = await net.readLogitsRow(ids.length - 1);
    let best = 0;
    answerIds.forEach((id, k) => {
      if (row[id] > row[answerIds[best]]) best = k;
    });
    return PHRASE_ANSWERS[best];
  };
  const out: { start: string; next: string; count: number; share: number; split: 'train' | 'validation'; knows: boolean }[] = [];
  for (const answer of PHRASE_ANSWERS) {
    const list = candidates.filter((c) => c.next === answer);
    let t = 0, h = 0;
    for (const [i, c] of list.entries()) {
      const knows = (await ranked(c.start)) === answer;
      const held = answer === 'be' ? i % 3 === 1 : i % 3 === 2;
      if (held && h < HELD_QUOTA[answer]) {
        out.push({ ...c, split: 'validation', knows });
        h++;
      } else if (!held && knows && t < TRAIN_QUOTA[answer]) {
        out.push({ ...c, split: 'train', knows });
        t++;
      }
    }
    const known = (await Promise.all(list.map((c) => ranked(c.start)))).filter((a) => a === answer).length;
    console.error(`${answer}: ${list.length} candidates, the base model ranks "${answer}" first for ${known}`);
  }
  net.release();
  // Interleave the answers so the dataset reads varied.
  const groups = PHRASE_ANSWERS.map((a) => out.filter((p) => p.next === a));
  const rows: string[] = [];
  for (let i = 0; rows.length < out.length; i++)
    for (const g of groups)
      if (g[i]) rows.push(`  ['${g[i].start}', '${g[i].next}', ${g[i].count}, ${g[i].share.toFixed(3)}, '${g[i].split === 'train' ? 'train' : 'validation'}'],`);
  console.log(rows.join('\n'));
}

async function evaluate(adapterDir: string): Promise<void> {
  for (const dir of [undefined, adapterDir]) {
    const { model, tokenizer, net } = await openModel(dir);
    const checks: Record<string, AnswerCheck[]> = { train: [], validation: [] };
    for (const p of PHRASES) {
      const prompt = chatPrompt(phraseQuestion(p.start));
      const ids = promptIds(tokenizer, prompt);
      const eosIds = stopTokenIds(tokenizer, prompt, { configEos: model.config.eosTokenIds, generationConfig: model.generationConfig });
      const out: number[] = [];
      let reason = 'max-tokens';
      for await (const t of generate(net, ids, { temperature: 0, topK: 0, topP: 1, maxNewTokens: 8, eosIds, seed: 0 })) {
        if (t.stop !== 'eos') out.push(t.id);
        if (t.stop) reason = t.stop;
      }
      checks[p.split].push({ expected: p.next, generated: tokenizer.decode(out, { skipSpecialTokens: true }), reason });
    }
    net.release();
    console.log(`${dir ?? 'base model'}: trained ${formatScore(scoreExactMatch(checks.train))}, held out ${formatScore(scoreExactMatch(checks.validation))}`);
  }
  const guess = constantGuessRate(PHRASES.filter((p) => p.split === 'train').map((p) => p.next), PHRASES.filter((p) => p.split === 'validation').map((p) => p.next));
  console.log(`always "${guess.answer}": held out ${Math.round(guess.rate * 100)}%`);
}

const at = process.argv.indexOf('--eval');
await (at > 0 ? evaluate(process.argv[at + 1]) : select());
process.exit(0);
