/**
 * Corpus → tokenizer → token streams, cached in the work directory so a resumed or exported run uses exactly the
 * tokenizer it was trained with: tokenizer.json, tokenizer_config.json, tokens.bin (Int32: train length, held-out
 * length, then both streams) and corpus.json (statistics for the model card).
 *
 * The BPE is learned on the training documents only; the streams are encoded by the studio's own tokenizer wrapper
 * (transformers.js), the same code that will tokenize the fine-tuning data.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTokenizer, type StudioTokenizer } from '../text/tokenizer';
import { countPieces, trainBpe } from './bpe';
import { readBrownCorpus, splitHeldOut } from './brown';
import { concatWithEos } from './data';
import { dialogues, encodeDialogues } from './dialogue';
import { ENDOFTEXT, SPECIAL_TOKENS, tokenizerConfigJson, tokenizerJson } from './tokenizerFiles';

export interface CorpusTexts {
  train: string[];
  heldOut: string[];
  /** Shown in the model card. */
  name: string;
}

export interface CorpusStats {
  name: string;
  trainDocuments: number;
  heldOutDocuments: number;
  trainWords: number;
  heldOutWords: number;
  trainChars: number;
  trainTokens: number;
  heldOutTokens: number;
  vocabSize: number;
  merges: number;
}

export interface PreparedCorpus {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  tokenizer: StudioTokenizer;
  eosId: number;
  train: Int32Array;
  heldOut: Int32Array;
  stats: CorpusStats;
}

export function brownTexts(): CorpusTexts {
  const { train, heldOut } = splitHeldOut(readBrownCorpus());
  return { train: train.map((d) => d.text), heldOut: heldOut.map((d) => d.text), name: 'Brown corpus' };
}

const words = (texts: string[]) => texts.reduce((a, t) => a + (t.match(/\S+/g)?.length ?? 0), 0);

function writeAtomic(path: string, data: string | Uint8Array): void {
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

export async function prepareCorpus(
  workDir: string,
  opts: {
    vocabSize: number;
    context: number;
    texts?: () => CorpusTexts;
    log?: (line: string) => void;
    /** Use this tokenizer (e.g. the one of the model a run continues) instead of learning a BPE. */
    tokenizerFiles?: { tokenizerJson: Record<string, unknown>; tokenizerConfig: Record<string, unknown> };
  },
): Promise<PreparedCorpus> {
  const log = opts.log ?? (() => {});
  mkdirSync(workDir, { recursive: true });
  const tokPath = join(workDir, 'tokenizer.json'), cfgPath = join(workDir, 'tokenizer_config.json');
  const binPath = join(workDir, 'tokens.bin'), statsPath = join(workDir, 'corpus.json');
  if (existsSync(tokPath) && existsSync(cfgPath) && existsSync(binPath) && existsSync(statsPath)) {
    const stats = readJson(statsPath) as unknown as CorpusStats;
    if (stats.vocabSize !== opts.vocabSize)
      throw new Error(`${workDir} holds a tokenizer of ${stats.vocabSize} tokens, not ${opts.vocabSize}: use another work directory or delete it`);
    const tj = readJson(tokPath), tc = readJson(cfgPath);
    if (opts.tokenizerFiles && JSON.stringify(opts.tokenizerFiles.tokenizerJson) !== JSON.stringify(tj))
      throw new Error(`${workDir} holds tokens of another tokenizer than the model the run continues: use another work directory or delete it`);
    const tokenizer = await loadTokenizer({ tokenizerJson: tj, tokenizerConfig: tc });
    const raw = new Int32Array(new Uint8Array(readFileSync(binPath)).buffer);
    const [nTrain, nHeld] = raw;
    if (raw.length !== 2 + nTrain + nHeld) throw new Error(`${binPath} is truncated: delete it to re-tokenize`);
    log(`corpus: cached tokens from ${workDir} (${nTrain} train, ${nHeld} held-out)`);
    return { tokenizerJson: tj, tokenizerConfig: tc, tokenizer, eosId: tokenizer.eosId!, train: raw.slice(2, 2 + nTrain), heldOut: raw.slice(2 + nTrain), stats };
  }

  const texts = (opts.texts ?? brownTexts)();
  const t0 = performance.now();
  let tj: Record<string, unknown>, tc: Record<string, unknown>, merges: number;
  if (opts.tokenizerFiles) {
    log(`corpus: ${texts.name}, ${texts.train.length} train + ${texts.heldOut.length} held-out documents; the given tokenizer`);
    ({ tokenizerJson: tj, tokenizerConfig: tc } = opts.tokenizerFiles);
    merges = ((tj.model as { merges?: unknown[] } | undefined)?.merges ?? []).length;
  } else {
    log(`corpus: ${texts.name}, ${texts.train.length} train + ${texts.heldOut.length} held-out documents; learning a ${opts.vocabSize}-token BPE`);
    const bpe = trainBpe(countPieces(texts.train), { vocabSize: opts.vocabSize, specials: SPECIAL_TOKENS });
    if (bpe.tokens.length !== opts.vocabSize)
      throw new Error(`the corpus only supports ${bpe.tokens.length} tokens (asked for ${opts.vocabSize}): lower the vocabulary size`);
    tj = tokenizerJson(bpe);
    tc = tokenizerConfigJson(bpe, opts.context);
    merges = bpe.merges.length;
  }
  const tokenizer = await loadTokenizer({ tokenizerJson: tj, tokenizerConfig: tc });
  const eosId = tokenizer.eosId;
  if (eosId === null || tokenizer.tokenId(ENDOFTEXT) !== eosId) throw new Error('the trained tokenizer has no <|endoftext|> eos token');
  if (tokenizer.vocabSize !== opts.vocabSize) throw new Error(`the tokenizer has ${tokenizer.vocabSize} tokens, not ${opts.vocabSize}`);
  log(`tokenizer: ${merges} merges in ${((performance.now() - t0) / 1000).toFixed(1)} s; encoding`);
  const encode = (docs: string[]) => concatWithEos(docs.map((d) => tokenizer.encode(d, { addSpecialTokens: false })), eosId);
  const train = encode(texts.train), heldOut = encode(texts.heldOut);
  const stats: CorpusStats = {
    name: texts.name,
    trainDocuments: texts.train.length,
    heldOutDocuments: texts.heldOut.length,
    trainWords: words(texts.train),
    heldOutWords: words(texts.heldOut),
    trainChars: texts.train.reduce((a, t) => a + t.length, 0),
    trainTokens: train.length,
    heldOutTokens: heldOut.length,
    vocabSize: opts.vocabSize,
    merges,
  };
  const bin = new Int32Array(2 + train.length + heldOut.length);
  bin[0] = train.length;
  bin[1] = heldOut.length;
  bin.set(train, 2);
  bin.set(heldOut, 2 + train.length);
  writeAtomic(tokPath, JSON.stringify(tj) + '\n');
  writeAtomic(cfgPath, JSON.stringify(tc, null, 2) + '\n');
  writeAtomic(binPath, new Uint8Array(bin.buffer));
  writeAtomic(statsPath, JSON.stringify(stats, null, 2) + '\n');
  log(`tokens: ${train.length} train, ${heldOut.length} held-out (${(train.length / stats.trainWords).toFixed(2)} tokens/word) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { tokenizerJson: tj, tokenizerConfig: tc, tokenizer, eosId, train, heldOut, stats };
}

export interface DialogueStream {
  tokens: Int32Array;
  conversations: number;
  seed: number;
}

/**
 * The dialogue stream (dialogue.ts) over the training documents, rendered and encoded by `corpus.tokenizer`, each
 * conversation followed by <|endoftext|>; about `chars` characters of conversation. Cached in the work directory as
 * dialogue.bin (Int32) + dialogue.json (the parameters it was made with; other parameters make a new one).
 */
export function prepareDialogue(
  workDir: string, corpus: PreparedCorpus, opts: { seed: number; chars: number; texts?: () => CorpusTexts; log?: (line: string) => void },
): DialogueStream {
  const log = opts.log ?? (() => {});
  const binPath = join(workDir, 'dialogue.bin'), metaPath = join(workDir, 'dialogue.json');
  const want = { seed: opts.seed, chars: opts.chars, tokenizer: corpus.stats.merges };
  if (existsSync(binPath) && existsSync(metaPath)) {
    const meta = readJson(metaPath) as typeof want & { conversations: number };
    if (meta.seed === want.seed && meta.chars === want.chars && meta.tokenizer === want.tokenizer) {
      const tokens = new Int32Array(new Uint8Array(readFileSync(binPath)).buffer);
      log(`dialogue: cached ${meta.conversations} conversations, ${tokens.length} tokens`);
      return { tokens, conversations: meta.conversations, seed: meta.seed };
    }
  }
  const t0 = performance.now();
  const convs = dialogues((opts.texts ?? brownTexts)().train, { seed: opts.seed, chars: opts.chars });
  const tokens = concatWithEos(encodeDialogues(corpus.tokenizer, convs), corpus.eosId);
  writeAtomic(binPath, new Uint8Array(tokens.buffer));
  writeAtomic(metaPath, JSON.stringify({ ...want, conversations: convs.length, tokens: tokens.length }, null, 2) + '\n');
  log(`dialogue: ${convs.length} conversations from the training documents, ${tokens.length} tokens in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { tokens, conversations: convs.length, seed: opts.seed };
}
