/**
 * Generates the two tiny tokenizer fixtures used by the tests (no network here, so we cannot download real ones):
 *
 *   byte-bpe/tokenizer.json  GPT-2 style byte-level BPE (ByteLevel pre-tokenizer + decoder), like SmolLM2, Qwen2.5
 *                            and Llama 3.
 *   sp-bpe/tokenizer.json    SentencePiece style BPE (▁ for spaces, Prepend normalizer, <0xNN> byte fallback), like
 *                            Llama 2 / Mistral / Gemma.
 *
 * Both learn a few hundred merges from CORPUS below and carry, as added special tokens, the markers of every chat
 * template we test (ChatML, Llama 3, Mistral [INST], Gemma turns). The tokenizer itself is still run by
 * @huggingface/transformers; this file only *trains* the merge table. Run:  npx tsx src/text/__fixtures__/build-tokenizers.ts
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// Our own little training text: chat-ish English with code, numbers and punctuation so common words get merged.
const CORPUS = `
You are a helpful assistant. The user asks a question and the assistant answers it clearly and briefly.
What is the capital of France? The capital of France is Paris. What is the capital of Italy? It is Rome.
Please summarize the following text in one sentence. The summary should be short and accurate.
Translate the sentence into French: Hello, how are you? Bonjour, comment allez-vous?
Classify the sentiment of this review as positive or negative. The product broke after a week: negative.
Write a function that adds two numbers. def add(a, b): return a + b
function add(a, b) { return a + b; } const total = add(2, 3); console.log(total);
Explain why the sky is blue. Sunlight is scattered by the air, and blue light is scattered the most.
The model learns to follow instructions when it is trained on examples of instructions and responses.
Only the response tokens are trained; the prompt tokens are masked so the loss ignores them.
Below is an instruction that describes a task. Write a response that appropriately completes the request.
### Instruction:
Name three colors.
### Input:
none
### Response:
Red, green and blue.
The quick brown fox jumps over the lazy dog. A journey of a thousand miles begins with a single step.
Numbers like 1, 2, 3, 10, 42, 100 and 2024 appear in many texts. Dates such as 26 Jul 2024 too.
Thank you! You're welcome. I don't know. Let's think step by step. It's a good idea, isn't it?
user assistant system model human gpt instruction input output response context category text
Good morning. Good night. Yes. No. Maybe. Of course. Sure, here is the answer you asked for.
The weather today is sunny with a light breeze. Tomorrow it will rain in the afternoon.
Question: what is two plus two? Answer: four. Question: what is ten minus three? Answer: seven.
`;

const SPECIALS = [
  '<|endoftext|>',
  '<|im_start|>',
  '<|im_end|>',
  '<|begin_of_text|>',
  '<|end_of_text|>',
  '<|start_header_id|>',
  '<|end_header_id|>',
  '<|eot_id|>',
  '<s>',
  '</s>',
  '[INST]',
  '[/INST]',
  '<bos>',
  '<eos>',
  '<pad>',
  '<start_of_turn>',
  '<end_of_turn>',
];

/** GPT-2's reversible byte → printable-character table. */
function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const table: string[] = new Array(256);
  bs.forEach((b, i) => (table[b] = String.fromCodePoint(cs[i])));
  return table;
}

/** Classic BPE training on word counts: repeatedly merge the most frequent adjacent pair. */
function learnMerges(words: Map<string, number>, split: (w: string) => string[], count: number): [string, string][] {
  const seqs = [...words].map(([w, c]) => ({ syms: split(w), c }));
  const merges: [string, string][] = [];
  for (let m = 0; m < count; m++) {
    const pairs = new Map<string, number>();
    for (const { syms, c } of seqs) {
      for (let i = 0; i + 1 < syms.length; i++) {
        const k = syms[i] + '\u0000' + syms[i + 1];
        pairs.set(k, (pairs.get(k) ?? 0) + c);
      }
    }
    let best = '';
    let bestN = 1; // stop when no pair occurs twice
    for (const [k, n] of pairs) if (n > bestN || (n === bestN && best !== '' && k < best)) [best, bestN] = [k, n];
    if (!best) break;
    const [a, b] = best.split('\u0000');
    merges.push([a, b]);
    for (const s of seqs) {
      const out: string[] = [];
      for (let i = 0; i < s.syms.length; i++) {
        if (i + 1 < s.syms.length && s.syms[i] === a && s.syms[i + 1] === b) {
          out.push(a + b);
          i++;
        } else out.push(s.syms[i]);
      }
      s.syms = out;
    }
  }
  return merges;
}

function addedTokens(firstId: number) {
  return SPECIALS.map((content, i) => ({
    id: firstId + i,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
}

function bpeModel(vocab: Record<string, number>, merges: [string, string][], extra: Record<string, unknown>) {
  return {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: false,
    byte_fallback: false,
    ...extra,
    vocab,
    merges: merges.map(([a, b]) => `${a} ${b}`),
  };
}

function countWords(re: RegExp, map: (w: string) => string): Map<string, number> {
  const words = new Map<string, number>();
  for (const m of CORPUS.matchAll(re)) {
    const w = map(m[0]);
    words.set(w, (words.get(w) ?? 0) + 1);
  }
  return words;
}

function byteLevel() {
  const table = bytesToUnicode();
  const enc = new TextEncoder();
  const gpt2 = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
  const words = countWords(gpt2, (w) => [...enc.encode(w)].map((b) => table[b]).join(''));
  const merges = learnMerges(words, (w) => [...w], 420);
  const vocab: Record<string, number> = {};
  table.forEach((ch, i) => (vocab[ch] = i));
  for (const [a, b] of merges) if (!(a + b in vocab)) vocab[a + b] = Object.keys(vocab).length;
  const byteLevelCfg = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens(Object.keys(vocab).length),
    normalizer: null,
    pre_tokenizer: byteLevelCfg,
    post_processor: { ...byteLevelCfg, trim_offsets: false },
    decoder: byteLevelCfg,
    model: bpeModel(vocab, merges, { ignore_merges: false }),
  };
}

function sentencePiece() {
  const words = countWords(/ ?[^ ]+/gu, (w) => w.replace(/ /g, '▁').replace(/^(?!▁)/, '▁'));
  const merges = learnMerges(words, (w) => [...w], 380);
  const vocab: Record<string, number> = { '<unk>': 0 };
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = Object.keys(vocab).length;
  const chars = new Set<string>();
  for (const w of words.keys()) for (const ch of w) chars.add(ch);
  for (const ch of [...chars].sort()) vocab[ch] = Object.keys(vocab).length;
  for (const [a, b] of merges) if (!(a + b in vocab)) vocab[a + b] = Object.keys(vocab).length;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens(Object.keys(vocab).length),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: null,
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: bpeModel(vocab, merges, { unk_token: '<unk>', byte_fallback: true, fuse_unk: true, ignore_merges: false }),
  };
}

for (const [dir, json] of [
  ['byte-bpe', byteLevel()],
  ['sp-bpe', sentencePiece()],
] as const) {
  mkdirSync(join(here, dir), { recursive: true });
  const text = JSON.stringify(json) + '\n';
  writeFileSync(join(here, dir, 'tokenizer.json'), text);
  console.log(`${dir}/tokenizer.json: ${Object.keys(json.model.vocab).length} vocab, ${json.model.merges.length} merges, ${text.length} bytes`);
}
