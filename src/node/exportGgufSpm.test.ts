/**
 * SentencePiece-style GGUF vocabularies (tokenizer.ggml.model "llama") on the trained SentencePiece fixtures
 * (src/text/__fixtures__/spm-trained: real sentencepiece BPE models + transformers' own tokenizer.json conversion).
 * llama.cpp's tokenization of these vocabularies is checked against ours in scripts/verify-gguf-llamacpp.ts, and the
 * metadata against convert_hf_to_gguf.py's in scripts/gguf-vocab-compare.{ts,py} (docs/EXPORT.md).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gguf } from '@huggingface/gguf';
import { vocabMetadata } from '../engine/export/ggufVocab';
import { readSentencePieceModel } from '../engine/export/sentencePieceModel';
import { TOKEN_TYPE } from '../engine/export/ggufVocabSpm';
import type { GgufMetadata } from '../engine/export/gguf';
import { exportFiles } from '../engine/export/plan';
import { runExport } from '../engine/export/sink';
import { checkpointWeights } from '../engine/export/weights';
import { MemorySink, tinyExportModel } from '../testing/exportModels';

type Json = Record<string, unknown>;
const at = (f: string) => new URL(`../text/__fixtures__/${f}`, import.meta.url);
const json = (f: string) => JSON.parse(readFileSync(at(f), 'utf8')) as Json;
const bytes = (f: string) => new Uint8Array(readFileSync(at(f)));
const GEMMA = { dir: 'spm-trained/gemma', size: 704, ids: { bos: 2, eos: [1], pad: 0 } };
const LLAMA = { dir: 'spm-trained/llama', size: 640, ids: { bos: 1, eos: [2], pad: null } };

/** The vocabulary metadata as a plain object (array values unwrapped). */
function meta(fx: { dir: string; size: number; ids: { bos: number | null; eos: number[]; pad: number | null } }, o: { model?: boolean; tok?: Json; cfg?: Json; size?: number } = {}) {
  const md: GgufMetadata = vocabMetadata(o.tok ?? json(`${fx.dir}/tokenizer.json`), o.cfg ?? json(`${fx.dir}/tokenizer_config.json`), o.size ?? fx.size, fx.ids,
    o.model === false ? null : bytes(`${fx.dir}/tokenizer.model`));
  return Object.fromEntries(md.map(([k, v]) => [k, v.value])) as Record<string, unknown> & { 'tokenizer.ggml.tokens': string[]; 'tokenizer.ggml.scores': number[]; 'tokenizer.ggml.token_type': number[] };
}

/** A hand-made ModelProto: pieces (piece, score, type) and TrainerSpec.model_type. */
function protoModel(pieces: [string, number, number][], modelType: number): Uint8Array {
  const out: number[] = [];
  const len = (n: number) => { for (; n >= 128; n >>>= 7) out.push((n & 127) | 128); out.push(n); };
  for (const [p, score, type] of pieces) {
    const s = new TextEncoder().encode(p), f = new Uint8Array(new Float32Array([score]).buffer);
    out.push(0x0a); len(2 + s.length + 5 + 2);
    out.push(0x0a); len(s.length); out.push(...s);
    out.push(0x15, ...f, 0x18, type);
  }
  out.push(0x12, 2, 0x18, modelType);
  return new Uint8Array(out);
}

describe('tokenizer.model reader', () => {
  it('reads every piece with its score and type, in the ids of the tokenizer.json converted from it', () => {
    for (const dir of ['spm-trained/gemma', 'spm-trained/llama']) {
      const sp = readSentencePieceModel(bytes(`${dir}/tokenizer.model`));
      const vocab = (json(`${dir}/tokenizer.json`).model as Json).vocab as Record<string, number>;
      expect(sp.modelType).toBe('bpe');
      expect(sp.pieces.length).toBe(Object.keys(vocab).length);
      sp.pieces.forEach((p, i) => expect(vocab[p.piece], p.piece).toBe(i));
      expect(sp.pieces.filter((p) => p.type === 6).length).toBe(256); // byte_fallback: <0x00>..<0xFF>
      expect(sp.pieces.find((p) => p.piece === '<0x0A>')!.type).toBe(6);
      // transformers ranks merges by the merged piece's score: the scores we read must not increase along the merges.
      const score = new Map(sp.pieces.map((p) => [p.piece, p.score]));
      const merged = ((json(`${dir}/tokenizer.json`).model as Json).merges as [string, string][]).map(([a, b]) => score.get(a + b)!);
      for (let i = 1; i < merged.length; i++) expect(merged[i]).toBeLessThanOrEqual(merged[i - 1]);
      expect(merged[0]).toBeGreaterThan(merged[merged.length - 1]);
    }
    const llama = readSentencePieceModel(bytes('spm-trained/llama/tokenizer.model')).pieces;
    expect(llama.slice(0, 3)).toEqual([{ piece: '<unk>', score: 0, type: 2 }, { piece: '<s>', score: 0, type: 3 }, { piece: '</s>', score: 0, type: 3 }]);
  });

  it('reads a hand-made model and refuses bytes that are not one', () => {
    const m = readSentencePieceModel(protoModel([['<unk>', 0, 2], ['▁a', -1.5, 1], ['é', -2, 1]], 2));
    expect(m).toEqual({ modelType: 'bpe', pieces: [{ piece: '<unk>', score: 0, type: 2 }, { piece: '▁a', score: -1.5, type: 1 }, { piece: 'é', score: -2, type: 1 }] });
    expect(readSentencePieceModel(protoModel([['a', 0, 1]], 1)).modelType).toBe('unigram');
    const good = bytes('spm-trained/llama/tokenizer.model');
    expect(() => readSentencePieceModel(good.subarray(0, 100))).toThrow(/tokenizer\.model/);
    expect(() => readSentencePieceModel(new TextEncoder().encode('{"not": "a model"}'))).toThrow(/tokenizer\.model/);
    expect(() => readSentencePieceModel(new Uint8Array(0))).toThrow(/no pieces/);
  });
});

describe('SentencePiece GGUF vocabulary', () => {
  it('Gemma-like, from tokenizer.model: pieces, exact scores and types, special ids, no space prefix, padded to the vocab size', () => {
    const md = meta(GEMMA);
    const sp = readSentencePieceModel(bytes(`${GEMMA.dir}/tokenizer.model`)).pieces;
    expect(md['tokenizer.ggml.model']).toBe('llama');
    expect(md['tokenizer.ggml.pre']).toBe('default');
    const tokens = md['tokenizer.ggml.tokens'], scores = md['tokenizer.ggml.scores'], types = md['tokenizer.ggml.token_type'];
    expect(tokens.length).toBe(704);
    expect(tokens.slice(0, 8)).toEqual(['<pad>', '<eos>', '<bos>', '<unk>', '<mask>', '<start_of_turn>', '<end_of_turn>', '\n\n']);
    expect(tokens.slice(700)).toEqual(['[PAD700]', '[PAD701]', '[PAD702]', '[PAD703]']);
    expect(types.slice(700)).toEqual([5, 5, 5, 5]);
    expect(scores.slice(700)).toEqual([-10000, -10000, -10000, -10000]);
    // Added tokens: special → control, others → user-defined, score -1000 (as convert_hf_to_gguf writes them).
    expect(types.slice(0, 8)).toEqual([3, 3, 3, 3, 3, 4, 4, 4]);
    expect(scores.slice(0, 8)).toEqual(Array(8).fill(-1000));
    for (let i = 8; i < 700; i++) {
      expect(tokens[i]).toBe(sp[i].piece);
      expect(scores[i]).toBe(sp[i].score);
      expect(types[i]).toBe(sp[i].type);
    }
    expect(tokens.filter((t) => t.includes('▁')).length).toBeGreaterThan(20); // ▁ kept in pieces
    expect(types[tokens.indexOf('<0x0A>')]).toBe(TOKEN_TYPE.byte);
    expect(md).toMatchObject({
      'tokenizer.ggml.bos_token_id': 2, 'tokenizer.ggml.eos_token_id': 1, 'tokenizer.ggml.padding_token_id': 0, 'tokenizer.ggml.unknown_token_id': 3,
      'tokenizer.ggml.mask_token_id': 4, 'tokenizer.ggml.add_bos_token': true, 'tokenizer.ggml.add_eos_token': false, 'tokenizer.ggml.add_space_prefix': false,
    });
    expect(md['tokenizer.chat_template']).toContain('<start_of_turn>');
  });

  it('Llama-like: unknown/control/byte types from tokenizer.model, a space prefix (Metaspace), add_bos from the post-processor', () => {
    const md = meta(LLAMA);
    expect(md['tokenizer.ggml.token_type'].slice(0, 4)).toEqual([3, 3, 3, 6]); // <unk> <s> </s> are special added tokens
    expect(md['tokenizer.ggml.tokens'].length).toBe(640);
    expect(md).toMatchObject({ 'tokenizer.ggml.unknown_token_id': 0, 'tokenizer.ggml.bos_token_id': 1, 'tokenizer.ggml.eos_token_id': 2, 'tokenizer.ggml.add_space_prefix': true });
    expect(md['tokenizer.ggml.padding_token_id']).toBeUndefined();
    const cfg = json(`${LLAMA.dir}/tokenizer_config.json`);
    delete cfg.add_bos_token;
    expect(meta(LLAMA, { cfg })['tokenizer.ggml.add_bos_token']).toBe(true); // TemplateProcessing: <s> $A
    expect(meta(LLAMA, { cfg: { ...cfg, add_bos_token: false } })['tokenizer.ggml.add_bos_token']).toBe(false);
    // Without added_tokens_decoder, tokenizer.json's added_tokens decide the same types.
    const bare = json(`${LLAMA.dir}/tokenizer_config.json`);
    delete bare.added_tokens_decoder;
    expect(meta(LLAMA, { cfg: bare })['tokenizer.ggml.token_type']).toEqual(md['tokenizer.ggml.token_type']);
    // A vocab size below the tokenizer's drops the ids the model cannot produce, as convert does.
    expect(meta(LLAMA, { size: 600 })['tokenizer.ggml.tokens'].length).toBe(600);
  });

  it('add_space_prefix follows the tokenizer.json: Prepend normalizer or prepending Metaspace → true, else false', () => {
    const base = json(`${LLAMA.dir}/tokenizer.json`);
    const prefix = (tok: Json) => meta(LLAMA, { tok: { ...base, ...tok }, model: false })['tokenizer.ggml.add_space_prefix'];
    expect(prefix({})).toBe(true); // Metaspace prepend_scheme "first"
    expect(prefix({ pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'never', split: false } })).toBe(false);
    expect(prefix({ pre_tokenizer: { type: 'Metaspace', replacement: '▁', add_prefix_space: true } })).toBe(true); // older format
    expect(prefix({ pre_tokenizer: null, normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] } })).toBe(true);
    expect(prefix({ pre_tokenizer: null, normalizer: { type: 'Replace', pattern: { String: ' ' }, content: '▁' } })).toBe(false);
    expect(meta({ dir: 'sp-bpe', size: 576, ids: { bos: null, eos: [], pad: null } }, { model: false })['tokenizer.ggml.add_space_prefix']).toBe(true);
  });

  it('from tokenizer.json only: same tokens and types, scores that merge in the same order as the tokenizer.model ones', () => {
    for (const fx of [GEMMA, LLAMA]) {
      const exact = meta(fx), derived = meta(fx, { model: false });
      expect(derived['tokenizer.ggml.tokens']).toEqual(exact['tokenizer.ggml.tokens']);
      expect(derived['tokenizer.ggml.token_type']).toEqual(exact['tokenizer.ggml.token_type']);
      const merges = ((json(`${fx.dir}/tokenizer.json`).model as Json).merges as [string, string][]).map(([a, b]) => a + b);
      const tokens = derived['tokenizer.ggml.tokens'];
      const merged = [...new Set(merges)].map((t) => tokens.indexOf(t));
      const s = derived['tokenizer.ggml.scores'], x = exact['tokenizer.ggml.scores'];
      // Both score lists rank the merged tokens the same way (each token's score is distinct in both).
      const byDerived = merged.slice().sort((i, j) => s[j] - s[i]), byExact = merged.slice().sort((i, j) => x[j] - x[i]);
      expect(new Set(merged.map((i) => x[i])).size).toBe(merged.length);
      expect(byDerived.map((i) => tokens[i])).toEqual(byExact.map((i) => tokens[i]));
      // Tokens no merge produces (single characters) score below every merged token: llama.cpp never prefers them.
      const lowestMerged = Math.min(...merged.map((i) => s[i]));
      tokens.forEach((t, i) => { if (derived['tokenizer.ggml.token_type'][i] === 1 && !merges.includes(t)) expect(s[i]).toBeLessThan(lowestMerged); });
      expect(s[tokens.indexOf('<0x41>')]).toBe(0);
    }
  });

  it('refuses what it cannot write exactly, with the reason', () => {
    const unigram = { model: { type: 'Unigram', unk_id: 0, vocab: [['<unk>', 0], ['▁a', -1]], byte_fallback: true } };
    expect(() => vocabMetadata(unigram, {}, 2, { bos: null, eos: [], pad: null })).toThrow(/Unigram model \(SentencePiece unigram\)/);
    expect(() => vocabMetadata({ model: { type: 'WordPiece', vocab: {} } }, {}, 2, { bos: null, eos: [], pad: null })).toThrow(/WordPiece/);
    const tok = json(`${LLAMA.dir}/tokenizer.json`);
    expect(() => vocabMetadata(tok, {}, 640, LLAMA.ids, protoModel([['<unk>', 0, 2], ['a', -1, 1]], 1))).toThrow(/unigram model/);
    expect(() => vocabMetadata(tok, {}, 640, LLAMA.ids, new TextEncoder().encode('version https://git-lfs'))).toThrow(/tokenizer\.model/);
  });

  it('a Gemma 3 GGUF with a SentencePiece vocabulary parses back', async () => {
    const m = tinyExportModel('gemma3_text', 'F32', { vocab_size: 704, bos_token_id: 2, eos_token_id: 1, pad_token_id: 0, query_pre_attn_scalar: 16, num_hidden_layers: 6, layer_types: null });
    const base = await checkpointWeights(m.config, m.source);
    const sink = new MemorySink();
    await runExport(sink, exportFiles({
      format: 'gguf', dtype: 'F16', baseName: 'tiny/gemma', name: 'tiny-gemma', config: m.config, configJson: m.configJson, base, lora: null, full: null,
      tokenizerJson: json(`${GEMMA.dir}/tokenizer.json`), tokenizerConfig: json(`${GEMMA.dir}/tokenizer_config.json`), tokenizerModel: bytes(`${GEMMA.dir}/tokenizer.model`), generationConfig: null,
    }));
    const path = join(mkdtempSync(join(tmpdir(), 'gguf-spm-')), 'model-f16.gguf');
    writeFileSync(path, sink.files.get('model-f16.gguf')!);
    const g = await gguf(path, { allowLocalFile: true, typedMetadata: true });
    const md = g.metadata as unknown as Record<string, unknown>;
    expect(md['general.architecture']).toBe('gemma3');
    expect(md['tokenizer.ggml.model']).toBe('llama');
    expect(md['tokenizer.ggml.add_space_prefix']).toBe(false);
    expect((md['tokenizer.ggml.tokens'] as string[]).length).toBe(704);
    expect((md['tokenizer.ggml.scores'] as number[]).length).toBe(704);
    expect(g.typedMetadata['tokenizer.ggml.scores'].subType).toBe(6); // FLOAT32
    expect(g.typedMetadata['tokenizer.ggml.token_type'].subType).toBe(5); // INT32
    expect(g.tensorInfos.find((t) => t.name === 'token_embd.weight')!.shape.map(Number)).toEqual([m.config.hidden, 704]);
  });
});
