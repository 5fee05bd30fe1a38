/**
 * The tokenizer as llama.cpp reads it from a GGUF (what convert_hf_to_gguf's _set_vocab_gpt2 writes for a byte-level
 * BPE tokenizer.json): tokenizer.ggml.model "gpt2", the pre-tokenizer name llama.cpp knows the split regex by, every
 * token by id with its type (normal, control for special added tokens, user-defined for other added tokens, unused
 * padding ids), the merges, the special ids and the chat template. SentencePiece-style tokenizers (BPE with byte
 * fallback) go to ggufVocabSpm.ts; anything else (Unigram, WordPiece, unknown pre-tokenizers) is refused with the
 * reason, since a wrong vocabulary would make the model say something else.
 */
import { arr, bool, str, u32, type GgufMetadata } from './gguf';
import { GgufUnsupportedError } from './ggufArch';
import { spmVocabMetadata } from './ggufVocabSpm';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Split regexes of the pre-tokenizers llama.cpp recognises by name (the ones our families ship). */
const PRE_BY_REGEX: [string, string][] = [
  ["(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", 'qwen2'],
  ["(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", 'llama-bpe'],
];

/** llama.cpp's pre-tokenizer name for a tokenizer.json, or a reason it has none. */
export function preTokenizerName(tok: Json): string {
  const pre = tok.pre_tokenizer;
  if (isObj(pre) && pre.type === 'ByteLevel' && pre.use_regex !== false && pre.add_prefix_space !== true) return 'gpt-2';
  const parts = isObj(pre) && pre.type === 'Sequence' && Array.isArray(pre.pretokenizers) ? (pre.pretokenizers as unknown[]) : [];
  const split = parts.find((p) => isObj(p) && p.type === 'Split') as Json | undefined;
  const last = parts[parts.length - 1];
  const regex = isObj(split?.pattern) ? (split.pattern as Json).Regex : undefined;
  if (typeof regex === 'string' && isObj(last) && last.type === 'ByteLevel' && last.use_regex === false) {
    const hit = PRE_BY_REGEX.find(([r]) => r === regex);
    if (hit) return hit[1];
  }
  throw new GgufUnsupportedError(`GGUF export needs a byte-level BPE tokenizer whose pre-tokenizer llama.cpp knows by name (GPT-2, Llama 3 or Qwen2 style); this tokenizer.json's pre_tokenizer is ${JSON.stringify(pre).slice(0, 120)}. Export the merged Hugging Face folder and convert it with llama.cpp's convert_hf_to_gguf.py.`);
}

function tokenIdOf(cfg: Json, key: string, vocab: Map<string, number>): number | null {
  const v = cfg[key];
  const content = typeof v === 'string' ? v : isObj(v) && typeof v.content === 'string' ? v.content : null;
  if (content === null) return null;
  return vocab.get(content) ?? null;
}

/**
 * tokenizer.* key/values for a tokenizer.json (+ tokenizer_config.json, + SentencePiece's tokenizer.model when the
 * model folder has one), `vocabSize` tokens long: byte-level BPE as "gpt2", byte-fallback BPE as "llama" (SPM).
 */
export function vocabMetadata(tokenizerJson: unknown, tokenizerConfig: unknown, vocabSize: number, ids: { bos: number | null; eos: number[]; pad: number | null }, tokenizerModel: Uint8Array | null = null): GgufMetadata {
  if (!isObj(tokenizerJson) || !isObj(tokenizerJson.model)) throw new GgufUnsupportedError('GGUF export needs the model\'s tokenizer.json.');
  const tok = tokenizerJson, model = tokenizerJson.model as Json;
  const cfg = isObj(tokenizerConfig) ? tokenizerConfig : {};
  if (model.type !== 'BPE' || !isObj(model.vocab)) throw new GgufUnsupportedError(`GGUF export supports BPE tokenizers only (byte-level, or SentencePiece-style with byte fallback); this tokenizer.json has a ${String(model.type)} model${model.type === 'Unigram' ? ' (SentencePiece unigram), whose tokens llama.cpp\'s SentencePiece merge loop would not reproduce' : ''}. Export the merged Hugging Face folder and convert it with llama.cpp's convert_hf_to_gguf.py.`);
  if (model.byte_fallback === true) return spmVocabMetadata(tok, cfg, vocabSize, ids, tokenizerModel);
  const pre = preTokenizerName(tok);
  const vocab = new Map<string, number>(Object.entries(model.vocab as Record<string, number>));
  const added = Array.isArray(tok.added_tokens) ? (tok.added_tokens as Json[]) : [];
  for (const a of added) if (typeof a.content === 'string' && typeof a.id === 'number') vocab.set(a.content, a.id);
  const byId = new Map<number, string>();
  for (const [t, id] of vocab) byId.set(id, t);
  const n = Math.max(vocabSize, byId.size ? Math.max(...byId.keys()) + 1 : 0);
  const specialIds = new Map(added.filter((a) => typeof a.id === 'number').map((a) => [a.id as number, a.special === true]));
  const tokens: string[] = [], types: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = byId.get(i);
    if (t === undefined) {
      tokens.push(`[PAD${i}]`);
      types.push(5);
    } else {
      tokens.push(t);
      types.push(specialIds.has(i) ? (specialIds.get(i) ? 3 : 4) : 1);
    }
  }
  const merges = (Array.isArray(model.merges) ? model.merges : []).map((m) => (Array.isArray(m) ? m.join(' ') : String(m)));
  const md: GgufMetadata = [
    ['tokenizer.ggml.model', str('gpt2')],
    ['tokenizer.ggml.pre', str(pre)],
    ['tokenizer.ggml.tokens', arr('string', tokens)],
    ['tokenizer.ggml.token_type', arr('i32', types)],
    ['tokenizer.ggml.merges', arr('string', merges)],
  ];
  const bos = ids.bos ?? tokenIdOf(cfg, 'bos_token', vocab);
  const eos = ids.eos[0] ?? tokenIdOf(cfg, 'eos_token', vocab);
  const pad = ids.pad ?? tokenIdOf(cfg, 'pad_token', vocab);
  if (bos !== null) md.push(['tokenizer.ggml.bos_token_id', u32(bos)]);
  if (eos !== null) md.push(['tokenizer.ggml.eos_token_id', u32(eos)]);
  if (pad !== null) md.push(['tokenizer.ggml.padding_token_id', u32(pad)]);
  md.push(['tokenizer.ggml.add_bos_token', bool(cfg.add_bos_token === true)]);
  if (cfg.add_eos_token === true) md.push(['tokenizer.ggml.add_eos_token', bool(true)]);
  if (typeof cfg.chat_template === 'string') md.push(['tokenizer.chat_template', str(cfg.chat_template)]);
  return md;
}
