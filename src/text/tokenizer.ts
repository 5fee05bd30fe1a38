/**
 * The studio's tokenizer: a thin wrapper over `@huggingface/transformers`' PreTrainedTokenizer, built from in-memory
 * tokenizer.json + tokenizer_config.json (the browser has them from the model picker, the CLI reads them from disk).
 * Adds what the label builder and the token view need and transformers does not expose: character offsets per token
 * (`encodeWithOffsets`), readable pieces (`tokenText`), and template rendering with extra variables.
 */
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import type { Turn } from '../data/types.ts';
import { alignPieces, byteLevelPieceBytes, metaspacePieceBytes, visiblePiece } from './pieces.ts';
import { renderBounded } from './boundedTemplate.ts';

/** Token variables every chat template gets (as transformers' apply_chat_template passes them). */
const TEMPLATE_TOKENS = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'];
/** Where the tokenizer's own chat template comes from, for error messages. */
export const OWN_TEMPLATE_SOURCE = 'the chat template in tokenizer_config.json';

export interface StudioTokenizer {
  vocabSize: number;
  eosId: number | null;
  bosId: number | null;
  padId: number | null;
  chatTemplate: string | null;
  specialTokens: string[];
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  decode(ids: number[], opts?: { skipSpecialTokens?: boolean }): string;
  /** Readable piece for the token view: spaces ␣, newlines ↵, tabs ⇥; byte fragments as <0xNN>. */
  tokenText(id: number): string;
  /**
   * Render messages through a Jinja chat template (default: the tokenizer's). `variables` are extra template
   * variables (the label builder passes the pair fields `instruction`, `input`, `output`, `system` this way).
   * Rendering is bounded in time and size (boundedTemplate.ts): a runaway template throws TemplateLimitError naming
   * tokenizer_config.json (or the chosen template) instead of taking the process down.
   */
  applyTemplate(
    messages: Turn[],
    opts?: { template?: string; addGenerationPrompt?: boolean; variables?: Record<string, unknown> },
  ): string;
  /**
   * Encode (no special tokens added) and return each token's [start, end) character span in `text`. `exact` is
   * false when the tokenizer's normalizer rewrites the text and the spans were estimated by decoding prefixes.
   */
  encodeWithOffsets(text: string): { ids: number[]; starts: Int32Array; ends: Int32Array; exact: boolean };
  /** True for added special tokens (<|im_end|>, </s>, …). */
  isSpecial(id: number): boolean;
  /**
   * Encode `text` as plain text even where it spells an added token: "<|im_end|>" typed in a message becomes the
   * pieces of those characters, not the control token (what HF's split_special_tokens=True does for a text section).
   */
  encodeAsText(text: string): number[];
  /** Id of a token string, or null if it is not a single token. */
  tokenId(token: string): number | null;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Is this tokenizer GPT-2 style byte-level (so vocab strings map to bytes through the byte↔unicode table)? */
function isByteLevel(tokenizerJson: Json): boolean {
  const has = (c: unknown): boolean =>
    isObject(c) && (c.type === 'ByteLevel' || (Array.isArray(c.decoders ?? c.pretokenizers) && ((c.decoders ?? c.pretokenizers) as unknown[]).some(has)));
  return has(tokenizerJson.decoder) || has(tokenizerJson.pre_tokenizer);
}

function configToken(config: Json, key: string): string | null {
  const v = config[key];
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  return null;
}

function defaultTemplate(config: Json): string | null {
  const t = config.chat_template;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) {
    const named = t.filter((x): x is { name: string; template: string } => isObject(x) && typeof x.template === 'string');
    return (named.find((x) => x.name === 'default') ?? named[0])?.template ?? null;
  }
  return null;
}

export async function loadTokenizer(files: { tokenizerJson: unknown; tokenizerConfig: unknown }): Promise<StudioTokenizer> {
  const { tokenizerJson, tokenizerConfig } = files;
  if (!isObject(tokenizerJson) || !isObject(tokenizerJson.model)) throw new Error('tokenizer.json: expected an object with a "model" section');
  if (!isObject(tokenizerConfig)) throw new Error('tokenizer_config.json: expected a JSON object');
  const hf = await import('@huggingface/transformers');
  // Same class choice as AutoTokenizer: tokenizer_class without the "Fast" suffix, else the base class.
  const className = typeof tokenizerConfig.tokenizer_class === 'string' ? tokenizerConfig.tokenizer_class.replace(/Fast$/, '') : '';
  const candidate = (hf as unknown as Record<string, unknown>)[className];
  const Cls =
    typeof candidate === 'function' && (candidate === hf.PreTrainedTokenizer || candidate.prototype instanceof hf.PreTrainedTokenizer)
      ? (candidate as typeof hf.PreTrainedTokenizer)
      : hf.PreTrainedTokenizer;
  const tok = new Cls(tokenizerJson, tokenizerConfig);
  return wrap(tok, tokenizerJson, tokenizerConfig);
}

function wrap(tok: PreTrainedTokenizer, tokenizerJson: Json, config: Json): StudioTokenizer {
  const inner = tok._tokenizer;
  const added = new Map<number, { content: string; special: boolean }>();
  for (const [id, t] of inner.get_added_tokens_decoder()) added.set(id, { content: t.content, special: t.special });
  const special = new Set(tok.all_special_ids);
  let maxId = -1;
  for (const id of tok.get_vocab().values()) maxId = Math.max(maxId, id);
  for (const id of added.keys()) maxId = Math.max(maxId, id);
  const idOf = (token: string | null): number | null => {
    if (token === null) return null;
    const id = inner.token_to_id(token);
    return id === undefined ? null : id;
  };
  const byteLevel = isByteLevel(tokenizerJson);
  const utf8 = new TextEncoder();
  const pieceCache = new Map<number, Uint8Array>();
  const pieceBytes = (id: number): Uint8Array => {
    let p = pieceCache.get(id);
    if (!p) {
      const a = added.get(id);
      const s = a ? a.content : (inner.id_to_token(id) ?? '');
      p = a ? utf8.encode(s) : byteLevel ? byteLevelPieceBytes(s) : metaspacePieceBytes(s);
      pieceCache.set(id, p);
    }
    return p;
  };
  const template = defaultTemplate(config);
  const tokenVariables: Record<string, string> = {};
  for (const key of TEMPLATE_TOKENS) {
    const v = configToken(config, key);
    if (v) tokenVariables[key] = v;
  }

  const self: StudioTokenizer = {
    vocabSize: maxId + 1,
    eosId: idOf(configToken(config, 'eos_token')),
    bosId: idOf(configToken(config, 'bos_token')),
    padId: idOf(configToken(config, 'pad_token')),
    chatTemplate: template,
    specialTokens: [...tok.all_special_tokens],
    encode(text, opts) {
      return tok.encode(text, { add_special_tokens: opts?.addSpecialTokens ?? true });
    },
    decode(ids, opts) {
      if (ids.length === 0) return '';
      return tok.decode(ids, { skip_special_tokens: opts?.skipSpecialTokens ?? false, clean_up_tokenization_spaces: false });
    },
    tokenText(id) {
      const a = added.get(id);
      // Special tokens verbatim; other added tokens are text (Gemma's "\n", "\n\n", runs of spaces): shown like pieces.
      if (a) return a.special ? a.content : visiblePiece(utf8.encode(a.content));
      if (id < 0 || id > maxId || inner.id_to_token(id) === undefined) return `<id ${id}>`;
      return visiblePiece(pieceBytes(id));
    },
    applyTemplate(messages, opts) {
      const chosen = opts?.template ?? template;
      if (!chosen) throw new Error('this tokenizer has no chat template: choose a template preset');
      // The variables transformers' apply_chat_template passes, in its order (later ones win).
      return renderBounded(chosen, {
        // Reasoning reaches templates that render it (Qwen3) as HF's `reasoning_content`.
        messages: messages.map((m) => (m.reasoning === undefined ? { role: m.role, content: m.content } : { role: m.role, content: m.content, reasoning_content: m.reasoning })),
        add_generation_prompt: opts?.addGenerationPrompt ?? false,
        tools: null,
        documents: null,
        ...tokenVariables,
        ...(opts?.variables ?? {}),
      }, chosen === template ? OWN_TEMPLATE_SOURCE : 'the chosen chat template');
    },
    encodeWithOffsets(text) {
      const ids = tok.encode(text, { add_special_tokens: false });
      const aligned = alignPieces(text, ids.map(pieceBytes));
      if (aligned) return { ids, ...aligned, exact: true };
      // The normalizer changed the text: estimate spans from the lengths of decoded prefixes.
      const starts = new Int32Array(ids.length);
      const ends = new Int32Array(ids.length);
      let prev = 0;
      for (let i = 0; i < ids.length; i++) {
        const len = Math.min(text.length, Math.max(prev, self.decode(ids.slice(0, i + 1)).length));
        starts[i] = prev;
        ends[i] = len;
        prev = len;
      }
      if (ids.length > 0) ends[ids.length - 1] = text.length;
      return { ids, starts, ends, exact: false };
    },
    isSpecial(id) {
      return special.has(id);
    },
    encodeAsText(text) {
      // The tokenizer's own pipeline for a section between added tokens, without splitting at added tokens.
      const t = inner as unknown as {
        normalizer: ((s: string) => string) | null;
        pre_tokenizer: ((s: string, o: { section_index: number }) => string[]) | null;
        model: ((pieces: string[]) => string[]) & { tokens_to_ids: Map<string, number>; unk_token_id?: number };
      };
      const normalized = t.normalizer ? t.normalizer(text) : text;
      const pieces = t.model(t.pre_tokenizer ? t.pre_tokenizer(normalized, { section_index: 1 }) : [normalized]);
      return pieces.map((p) => t.model.tokens_to_ids.get(p) ?? t.model.unk_token_id ?? 0);
    },
    tokenId(token) {
      return idOf(token);
    },
  };
  return self;
}
