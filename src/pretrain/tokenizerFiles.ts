/**
 * Hugging Face tokenizer files for a trained byte-level BPE: `tokenizer.json` (ByteLevel pre-tokenizer, post-processor
 * and decoder over a BPE model, as GPT-2 and SmolLM2 ship) and `tokenizer_config.json` (special tokens and a ChatML
 * chat template, SmolLM2-Instruct's format without its default system prompt).
 *
 * Special tokens take ids 0..2 as in SmolLM2: <|endoftext|> (bos, eos, pad and unk of the base model — it separates
 * documents in pretraining), <|im_start|> and <|im_end|> (never seen in pretraining; instruction tuning teaches them).
 */
import type { BpeModel } from './bpe';

export const ENDOFTEXT = '<|endoftext|>';
export const IM_START = '<|im_start|>';
export const IM_END = '<|im_end|>';
export const SPECIAL_TOKENS = [ENDOFTEXT, IM_START, IM_END];

/** ChatML: <|im_start|>role\ncontent<|im_end|>\n per message, then "<|im_start|>assistant\n" for a generation prompt. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const BYTE_LEVEL = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };

function addedToken(id: number, content: string) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

export function tokenizerJson(bpe: BpeModel): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  bpe.tokens.forEach((t, i) => (vocab[t] = i));
  const specials = bpe.tokens.filter((t) => SPECIAL_TOKENS.includes(t));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((t) => addedToken(bpe.tokens.indexOf(t), t)),
    normalizer: null,
    pre_tokenizer: BYTE_LEVEL,
    post_processor: { ...BYTE_LEVEL, trim_offsets: false },
    decoder: BYTE_LEVEL,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: bpe.merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}

export function tokenizerConfigJson(bpe: BpeModel, modelMaxLength: number): Record<string, unknown> {
  const decoder: Record<string, unknown> = {};
  for (const t of SPECIAL_TOKENS) {
    const id = bpe.tokens.indexOf(t);
    if (id < 0) throw new Error(`the vocabulary has no ${t}`);
    const { id: _id, ...rest } = addedToken(id, t);
    decoder[String(id)] = rest;
  }
  return {
    add_prefix_space: false,
    added_tokens_decoder: decoder,
    additional_special_tokens: [IM_START, IM_END],
    bos_token: ENDOFTEXT,
    eos_token: ENDOFTEXT,
    pad_token: ENDOFTEXT,
    unk_token: ENDOFTEXT,
    clean_up_tokenization_spaces: false,
    model_max_length: modelMaxLength,
    tokenizer_class: 'GPT2Tokenizer',
    chat_template: CHATML_TEMPLATE,
  };
}
