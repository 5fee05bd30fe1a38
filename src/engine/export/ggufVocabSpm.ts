/**
 * A SentencePiece-style vocabulary as llama.cpp reads it (tokenizer.ggml.model "llama", what convert_hf_to_gguf's
 * _set_vocab_sentencepiece writes): every piece by id with `▁` kept, its score and its type, the special ids, and
 * whether llama.cpp prepends a space.
 *
 * llama.cpp's SPM tokenizer splits text into characters and repeatedly merges the adjacent pair whose concatenation is
 * the vocab token with the highest score (ties: leftmost), then falls back to <0xXX> byte tokens for what is left.
 *   - With tokenizer.model: its exact scores and types (the scores SentencePiece itself merges by).
 *   - With tokenizer.json only: HF BPE merges the pair of lowest rank first. A SentencePiece-converted tokenizer.json
 *     lists every pair (a, b) whose concatenation is a piece, ranked by that piece's score, so score(t) =
 *     -(1 + lowest rank of a merge producing t) makes llama.cpp merge in HF's order; tokens no merge produces
 *     (characters) score below every merged token, control/byte tokens 0 as SentencePiece gives them.
 * Added tokens (tokenizer.json added_tokens, then tokenizer_config.json added_tokens_decoder, as convert reads them)
 * become control tokens when special (or looking special, like convert's does_token_look_special) and user-defined
 * otherwise, score -1000. The vocab is cut or padded to the model's vocab size with `[PAD{i}]` unused tokens.
 * Unigram models are refused: llama.cpp's merge loop is not a Viterbi search, so its tokens would differ.
 */
import { arr, bool, str, u32, type GgufMetadata } from './gguf';
import { GgufUnsupportedError } from './ggufArch';
import { readSentencePieceModel } from './sentencePieceModel';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** llama.cpp token types (llama_token_type). */
export const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;
const BYTE_PIECE = /^<0x[0-9A-Fa-f]{2}>$/;
const ADDED_SCORE = -1000, PAD_SCORE = -10000;

/** convert_hf_to_gguf's does_token_look_special: added tokens some models forget to mark special. */
export function looksSpecial(t: string): boolean {
  return ['<pad>', '<mask>', '<2mass>', '[@BOS@]'].includes(t) || (t.startsWith('<|') && t.endsWith('|>'))
    || (t.startsWith('<｜') && t.endsWith('｜>')) || (t.startsWith('<unused') && t.endsWith('>'));
}

/** True when the tokenizer.json prepends `▁` to the text (Prepend normalizer, or a prepending Metaspace). */
export function addsSpacePrefix(tok: Json): boolean {
  const flat = (node: unknown, key: string): Json[] => !isObj(node) ? [] : node.type === 'Sequence' && Array.isArray(node[key]) ? (node[key] as unknown[]).flatMap((n) => flat(n, key)) : [node];
  const prepend = flat(tok.normalizer, 'normalizers').some((n) => n.type === 'Prepend' && n.prepend === '▁');
  const meta = flat(tok.pre_tokenizer, 'pretokenizers').some((p) => p.type === 'Metaspace' && (p.prepend_scheme !== undefined ? p.prepend_scheme !== 'never' : p.add_prefix_space !== false));
  return prepend || meta;
}

interface Added { id: number; content: string; special: boolean }

/** Added tokens as convert sees them: tokenizer.json's list, overridden by tokenizer_config.json's added_tokens_decoder. */
function addedTokens(tok: Json, cfg: Json): Added[] {
  const byId = new Map<number, Added>();
  for (const a of Array.isArray(tok.added_tokens) ? (tok.added_tokens as Json[]) : []) {
    if (typeof a.id === 'number' && typeof a.content === 'string') byId.set(a.id, { id: a.id, content: a.content, special: a.special === true });
  }
  if (isObj(cfg.added_tokens_decoder)) {
    for (const [k, v] of Object.entries(cfg.added_tokens_decoder)) {
      if (isObj(v) && typeof v.content === 'string' && Number.isInteger(Number(k))) byId.set(Number(k), { id: Number(k), content: v.content, special: v.special === true });
    }
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

interface Vocab { tokens: string[]; scores: number[]; types: number[] }

function fromSentencePiece(model: Uint8Array, n: number): Vocab {
  const sp = readSentencePieceModel(model);
  if (sp.modelType !== 'bpe') throw new GgufUnsupportedError(`GGUF export writes SentencePiece BPE vocabularies; this tokenizer.model is a ${sp.modelType} model, which llama.cpp's SentencePiece tokenizer would split differently. Export the merged Hugging Face folder instead.`);
  const v: Vocab = { tokens: [], scores: [], types: [] };
  for (let i = 0; i < n; i++) {
    const p = sp.pieces[i];
    v.tokens.push(p ? p.piece : `[PAD${i}]`);
    v.scores.push(p ? p.score : PAD_SCORE);
    v.types.push(p ? p.type : TOKEN_TYPE.unused);
  }
  return v;
}

function fromTokenizerJson(model: Json, n: number): Vocab {
  const byId = new Map<number, string>();
  for (const [t, id] of Object.entries(model.vocab as Record<string, number>)) byId.set(id, t);
  const merges = (Array.isArray(model.merges) ? model.merges : []).map((m) => (Array.isArray(m) ? m.join('') : String(m).replace(' ', '')));
  const rank = new Map<string, number>();
  merges.forEach((t, r) => { if (!rank.has(t)) rank.set(t, r); });
  const unk = typeof model.unk_token === 'string' ? model.unk_token : null;
  const v: Vocab = { tokens: [], scores: [], types: [] };
  for (let i = 0; i < n; i++) {
    const t = byId.get(i);
    const type = t === undefined ? TOKEN_TYPE.unused : t === unk ? TOKEN_TYPE.unknown : BYTE_PIECE.test(t) ? TOKEN_TYPE.byte : TOKEN_TYPE.normal;
    const r = t === undefined ? undefined : rank.get(t);
    v.tokens.push(t ?? `[PAD${i}]`);
    v.types.push(type);
    v.scores.push(t === undefined ? PAD_SCORE : type !== TOKEN_TYPE.normal ? 0 : r !== undefined ? -(1 + r) : -(1 + merges.length));
  }
  return v;
}

/** The first special token the TemplateProcessing post-processor puts before (`first`) or after the text. */
function templateSpecial(tok: Json, first: boolean): string | null {
  const pp = tok.post_processor;
  const procs = isObj(pp) ? (Array.isArray(pp.processors) ? (pp.processors as Json[]) : [pp]) : [];
  const tp = procs.find((p) => p.type === 'TemplateProcessing');
  const single = Array.isArray(tp?.single) ? (tp.single as Json[]) : [];
  if (single.length < 2) return null;
  const s = single[first ? 0 : single.length - 1]?.SpecialToken;
  return isObj(s) && typeof s.id === 'string' ? s.id : null;
}

export interface SpmIds { bos: number | null; eos: number[]; pad: number | null }

/** tokenizer.* key/values for a SentencePiece-style (byte-fallback BPE) tokenizer, `vocabSize` tokens long. */
export function spmVocabMetadata(tok: Json, cfg: Json, vocabSize: number, ids: SpmIds, tokenizerModel: Uint8Array | null): GgufMetadata {
  const model = tok.model as Json;
  const v = tokenizerModel ? fromSentencePiece(tokenizerModel, vocabSize) : fromTokenizerJson(model, vocabSize);
  for (const a of addedTokens(tok, cfg)) {
    if (a.id >= vocabSize) continue;
    const control = a.special || looksSpecial(a.content);
    v.tokens[a.id] = control ? a.content : a.content.replaceAll('▁', ' ');
    v.types[a.id] = control ? TOKEN_TYPE.control : TOKEN_TYPE.userDefined;
    v.scores[a.id] = ADDED_SCORE;
  }
  const idOf = (text: string | null) => (text === null ? -1 : v.tokens.indexOf(text));
  const textOf = (key: string) => {
    const x = cfg[key];
    return typeof x === 'string' ? x : isObj(x) && typeof x.content === 'string' ? x.content : null;
  };
  const found = (id: number) => (id >= 0 ? id : null);
  const bos = ids.bos ?? found(idOf(textOf('bos_token')));
  const eos = ids.eos[0] ?? found(idOf(textOf('eos_token')));
  const unkText = textOf('unk_token') ?? (typeof model.unk_token === 'string' ? model.unk_token : null);
  const unk = found(v.types.indexOf(TOKEN_TYPE.unknown)) ?? found(idOf(unkText));
  const pad = ids.pad ?? found(idOf(textOf('pad_token')));
  const mask = found(idOf(textOf('mask_token')));
  // add_bos/add_eos: tokenizer_config's flags, else what the post-processor's template adds around the text.
  const bosText = bos === null ? null : v.tokens[bos], eosText = eos === null ? null : v.tokens[eos];
  const addBos = typeof cfg.add_bos_token === 'boolean' ? cfg.add_bos_token : bosText !== null && templateSpecial(tok, true) === bosText;
  const addEos = typeof cfg.add_eos_token === 'boolean' ? cfg.add_eos_token : eosText !== null && templateSpecial(tok, false) === eosText;
  const md: GgufMetadata = [
    ['tokenizer.ggml.model', str('llama')],
    ['tokenizer.ggml.pre', str('default')],
    ['tokenizer.ggml.tokens', arr('string', v.tokens)],
    ['tokenizer.ggml.scores', arr('f32', v.scores)],
    ['tokenizer.ggml.token_type', arr('i32', v.types)],
  ];
  if (bos !== null) md.push(['tokenizer.ggml.bos_token_id', u32(bos)]);
  if (eos !== null) md.push(['tokenizer.ggml.eos_token_id', u32(eos)]);
  if (unk !== null) md.push(['tokenizer.ggml.unknown_token_id', u32(unk)]);
  if (pad !== null) md.push(['tokenizer.ggml.padding_token_id', u32(pad)]);
  if (mask !== null) md.push(['tokenizer.ggml.mask_token_id', u32(mask)]);
  md.push(['tokenizer.ggml.add_bos_token', bool(addBos)]);
  md.push(['tokenizer.ggml.add_eos_token', bool(addEos)]);
  md.push(['tokenizer.ggml.add_space_prefix', bool(addsSpacePrefix(tok))]);
  if (typeof cfg.chat_template === 'string') md.push(['tokenizer.chat_template', str(cfg.chat_template)]);
  return md;
}
