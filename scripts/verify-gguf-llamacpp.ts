/**
 * Checks our GGUF files against the real llama.cpp (through node-llama-cpp's prebuilt binaries): for the built-in
 * model and for a tiny random model of every family GGUF export writes (Llama, Mistral, Qwen2, Qwen3, Gemma 3, Phi-3,
 * OLMo 2, SmolLM3, GPT-2), the greedy tokens llama.cpp generates from
 *   - the base model GGUF,
 *   - the base GGUF + our LoRA adapter GGUF (llama.cpp applies it at run time),
 *   - the merged model GGUF
 * must equal the greedy tokens of our WebGPU engine for base and base + adapter. Families run with the byte-level BPE
 * fixture tokenizer ("gpt2" vocab) and, for SentencePiece-style vocabularies ("llama" vocab, tokenizer.ggml.scores),
 * with the trained SentencePiece fixtures (src/text/__fixtures__/spm-trained: Gemma-3-like and Llama-2-like, each with
 * and without tokenizer.model) and the generated sp-bpe fixture. For every SentencePiece vocabulary, llama.cpp's own
 * tokenization of a set of awkward strings (spaces, newlines, digits, byte fallback, special tokens in text) must also
 * equal our tokenizer's ids (src/text/tokenizer.ts over transformers.js).
 *
 *   LLAMA_CPP_NODE=/path/to/node_modules/node-llama-cpp VK_ICD_FILENAMES=… node --import tsx scripts/verify-gguf-llamacpp.ts
 * (ONLY=qwen runs the checks whose label contains it; TOKENS=N sets how many greedy tokens are compared.)
 * node-llama-cpp is not a dependency of the studio: install it anywhere (npm i -E node-llama-cpp@3.21.1) and point
 * LLAMA_CPP_NODE at it.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadTokenizer } from '../src/text/tokenizer.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { acquireNodeGpu } from '../src/node/gpu.ts';
import { openModelDir } from '../src/node/modelDir.ts';
import { loadModelWeights } from '../src/engine/loadModel.ts';
import { GpuTransformer, uploadWeights } from '../src/engine/transformer/model.ts';
import { generate } from '../src/engine/generate.ts';
import { checkpointWeights } from '../src/engine/export/weights.ts';
import { exportFiles } from '../src/engine/export/plan.ts';
import { runExport } from '../src/engine/export/sink.ts';
import { defaultLoraConfig, resolveLoraTargets, type LoraTarget } from '../src/engine/model/lora.ts';
import { tinyLoraParams } from '../src/engine/model/tiny.ts';
import { tinyExportModel, MemorySink } from '../src/testing/exportModels.ts';
import { FIXTURE_BOS, FIXTURE_EOS, FIXTURE_VOCAB } from '../src/testing/modelFiles.ts';
import type { ModelConfig } from '../src/engine/model/config.ts';
import type { WeightSource } from '../src/engine/export/weights.ts';

const where = process.env.LLAMA_CPP_NODE;
if (!where || !existsSync(join(where, 'dist/index.js'))) {
  console.log(`SKIPPED: llama.cpp is not available here — set LLAMA_CPP_NODE to a node-llama-cpp package folder (npm i -E node-llama-cpp@3.21.1 in any directory)${where ? `; ${where}/dist/index.js does not exist` : ''}.`);
  process.exit(0);
}
/** The part of node-llama-cpp's API used here (it is not a dependency of the studio, so typed by hand). */
interface LlamaCpp {
  getLlama(o: { gpu: false; logLevel: unknown }): Promise<{
    loadModel(o: { modelPath: string; vocabOnly?: boolean }): Promise<{
      tokenize(text: string, specialTokens?: boolean): number[];
      createContext(o: { contextSize: number; lora?: { adapters: { filePath: string }[] } }): Promise<{
        getSequence(): { evaluate(tokens: number[], o: { temperature: number; yieldEogToken: boolean }): AsyncIterable<number> };
        dispose(): Promise<void>;
      }>;
      dispose(): Promise<void>;
    }>;
  }>;
  LlamaLogLevel: { error: unknown; debug: unknown };
}
const { getLlama, LlamaLogLevel } = (await import(pathToFileURL(join(where, 'dist/index.js')).href)) as LlamaCpp;
const llama = await getLlama({ gpu: false, logLevel: process.env.LLAMA_LOG === "debug" ? LlamaLogLevel.debug : LlamaLogLevel.error });
const gpu = await acquireNodeGpu({ adapter: 'swiftshader' });
const N = Number(process.env.TOKENS ?? 24);
const fixture = (f: string) => JSON.parse(readFileSync(new URL(`../src/text/__fixtures__/byte-bpe/${f}`, import.meta.url), 'utf8')) as unknown;

async function ours(cfg: ModelConfig, weights: ReadonlyMap<string, GPUBuffer>, lora: { targets: LoraTarget[]; values: Map<string, Float32Array> } | null, prompt: number[]): Promise<number[]> {
  const net = new GpuTransformer(gpu, cfg, weights, { B: 1, T: 32, kvCap: prompt.length + N + 1, lora: lora ? { ...lora, dropout: 0 } : null });
  const out: number[] = [];
  for await (const t of generate(net, prompt, { temperature: 0, topK: 0, topP: 1, maxNewTokens: N, eosIds: [] })) out.push(t.id);
  net.release();
  return out;
}

async function theirs(model: string, adapter: string | null, prompt: number[]): Promise<number[]> {
  const m = await llama.loadModel({ modelPath: model });
  const ctx = await m.createContext({ contextSize: 64, ...(adapter ? { lora: { adapters: [{ filePath: adapter }] } } : {}) });
  const seq = ctx.getSequence();
  const out: number[] = [];
  for await (const t of seq.evaluate(prompt, { temperature: 0, yieldEogToken: true })) {
    out.push(t);
    if (out.length >= N) break;
  }
  await ctx.dispose();
  await m.dispose();
  return out;
}

const only = process.env.ONLY;

async function check(label: string, cfg: ModelConfig, configJson: Record<string, unknown>, base: WeightSource, gpuWeights: ReadonlyMap<string, GPUBuffer>, tok: { json: unknown; config: unknown; model?: Uint8Array | null; texts?: string[] }, prompt: number[]) {
  if (only && !label.includes(only)) return true;
  const lora = defaultLoraConfig(cfg, { r: 8, loraAlpha: 16, targetModules: 'all-linear' });
  const targets = resolveLoraTargets(cfg, lora);
  const values = tinyLoraParams(targets, 11, 0.5);
  const dir = mkdtempSync(join(tmpdir(), 'llamacpp-'));
  // general.name stays neutral: llama.cpp's vocabulary loader looks up Phi-3's chat tokens by text when the name says
  // "phi", which the shared fixture tokenizer does not have.
  const common = { baseName: 'tiny base', name: 'tiny tuned', config: cfg, configJson, base, full: null, tokenizerJson: tok.json, tokenizerConfig: tok.config, tokenizerModel: tok.model ?? null, generationConfig: null, dtype: 'F32' as const };
  for (const format of ['gguf-adapter', 'gguf'] as const) {
    const sink = new MemorySink();
    await runExport(sink, exportFiles({ ...common, format, lora: { config: lora, targets, values } }));
    for (const [n, b] of sink.files) writeFileSync(join(dir, n), b);
  }
  const a = await ours(cfg, gpuWeights, null, prompt), b = await ours(cfg, gpuWeights, { targets, values }, prompt);
  const x = await theirs(join(dir, 'base-f32.gguf'), null, prompt);
  const y = await theirs(join(dir, 'base-f32.gguf'), join(dir, 'adapter.gguf'), prompt);
  const z = await theirs(join(dir, 'model-f32.gguf'), null, prompt);
  const same = (p: number[], q: number[]) => p.length === q.length && p.every((v, i) => v === q[i]);
  const ok = same(a, x) && same(b, y) && same(b, z) && !same(a, b);
  console.log(`${ok ? 'OK  ' : 'FAIL'} ${label}: base ${same(a, x) ? '=' : '≠'} llama.cpp base; adapter ${same(b, y) ? '=' : '≠'} llama.cpp base+adapter GGUF; ${same(b, z) ? '=' : '≠'} llama.cpp merged GGUF (adapter changes the output: ${!same(a, b)})`);
  if (!ok) console.log({ ours: a, oursAdapter: b, llamaBase: x, llamaAdapter: y, llamaMerged: z });
  const tokOk = tok.texts ? await checkTokenizer(label, join(dir, 'model-f32.gguf'), tok, tok.texts) : true;
  return ok && tokOk;
}

/**
 * llama.cpp's tokenization (special tokens parsed, no BOS added) of each text must equal our tokenizer's. One
 * difference is known and not the vocabulary's doing: llama.cpp (like SentencePiece's add_dummy_prefix) prepends `▁`
 * to every text fragment — at the start and after each special token — while a tokenizer.json with
 * Metaspace(prepend_scheme "first") (transformers' non-legacy Llama conversion) prepends it only at the very start, and
 * not when the text already begins with a space. For such tokenizers a mismatch counts as KNOWN when llama.cpp's ids
 * equal our tokenizer's under SentencePiece's rule (each fragment encoded as ' ' + fragment, added tokens as is).
 */
async function checkTokenizer(label: string, gguf: string, tok: { json: unknown; config: unknown }, texts: string[]): Promise<boolean> {
  const m = await llama.loadModel({ modelPath: gguf, vocabOnly: true });
  const t = await loadTokenizer({ tokenizerJson: tok.json, tokenizerConfig: tok.config });
  const j = tok.json as { pre_tokenizer?: { type?: string; prepend_scheme?: string } | null; added_tokens?: { id: number; content: string }[] };
  const metaspaceFirst = j.pre_tokenizer?.type === 'Metaspace' && j.pre_tokenizer.prepend_scheme === 'first';
  const added = (j.added_tokens ?? []).slice().sort((a, b) => b.content.length - a.content.length);
  /** Our ids under SentencePiece's rule: split at added tokens, encode each text fragment as ' ' + fragment. */
  const spmRule = (text: string) => {
    const out: number[] = [];
    let rest = text, seg = '';
    const flush = () => { if (seg) out.push(...t.encode(' ' + seg, { addSpecialTokens: false })); seg = ''; };
    while (rest) {
      const a = added.find((x) => rest.startsWith(x.content));
      if (a) { flush(); out.push(a.id); rest = rest.slice(a.content.length); } else { seg += rest[0]; rest = rest.slice(1); }
    }
    flush();
    return out;
  };
  const eq = (p: number[], q: number[]) => p.length === q.length && p.every((v, i) => v === q[i]);
  let bad = 0, known = 0;
  for (const text of texts) {
    const a = t.encode(text, { addSpecialTokens: false }), b = [...m.tokenize(text, true)];
    const same = eq(a, b), isKnown = !same && metaspaceFirst && eq(spmRule(text), b);
    if (isKnown) known++;
    else if (!same) bad++;
    console.log(`  ${same ? '=' : isKnown ? '~' : '≠'} ${JSON.stringify(text)} ${same ? `(${a.length} tokens)` : `ours [${a.join(' ')}] llama.cpp [${b.join(' ')}]${isKnown ? ' (KNOWN: llama.cpp prepends ▁ to every fragment)' : ''}`}`);
  }
  await m.dispose();
  console.log(`${bad ? 'FAIL' : 'OK  '} ${label}: llama.cpp tokenizes ${texts.length - bad - known}/${texts.length} awkward strings exactly as our tokenizer${known ? `, ${known} differ only by the known space-prefix rule` : ''}`);
  return bad === 0;
}

let failures = 0;
if (!only || 'studio-base'.includes(only)) {
  const dir = 'public/models/studio-base';
  const m = await openModelDir(dir);
  const { weights } = await loadModelWeights(gpu, m.config, { source: m.source });
  const base = await checkpointWeights(m.config, m.source);
  const tok = { json: JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), config: JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) };
  const prompt = [1, 882, 198, 40, 1101, 264, 3364, 2, 198, 1, 69, 198].filter((t) => t < m.config.vocabSize);
  if (!(await check('studio-base', m.config, m.configJson, base, weights, tok, prompt))) failures++;
}
/**
 * Tiny random models of every family GGUF export writes, with the settings llama.cpp's architecture fixes: Gemma 3
 * slides every layer but each 6th (window 4, shorter than the text) and scales scores by head_dim^-1/2, untied so
 * the tiny model does not just echo its input; SmolLM3 leaves every 4th layer without RoPE; Phi-3 has no window
 * (llama.cpp's phi3 ignores sliding_window) and half-rotary heads.
 */
const FAMILY_CASES: [string, Record<string, unknown>][] = [
  ['llama', {}],
  ['mistral', { sliding_window: null }],
  ['qwen2', {}],
  ['qwen3', {}],
  ['gemma3_text', { query_pre_attn_scalar: 16, num_hidden_layers: 6, layer_types: null, tie_word_embeddings: false }],
  ['phi3', { sliding_window: null }],
  ['olmo2', {}],
  ['smollm3', { num_hidden_layers: 4, no_rope_layers: [1, 1, 1, 0] }],
  ['gpt2', {}],
  // Sliding windows llama.cpp's graph ignores: the GGUF declares the window as its context (ggufContextLength); the
  // prompt and the greedy tokens stay inside it, where the two compute alike.
  ['phi3', { sliding_window: 48, max_position_embeddings: 256 }],
  ['mistral', { sliding_window: 40, max_position_embeddings: 256 }],
];
for (const [arch, extra] of FAMILY_CASES) {
  const over = { vocab_size: FIXTURE_VOCAB, bos_token_id: FIXTURE_BOS, eos_token_id: FIXTURE_EOS, ...extra };
  const t = tinyExportModel(arch, 'F32', over);
  const base = await checkpointWeights(t.config, t.source);
  const weights = uploadWeights(gpu, t.weights);
  if (!(await check(`tiny ${arch}${extra.sliding_window ? ` window ${String(extra.sliding_window)}` : ''}`, t.config, t.configJson, base, weights, { json: fixture('tokenizer.json'), config: fixture('tokenizer_config.json') }, [5, 17, 42, 99, 3, 250, 7]))) failures++;
}
/** Strings that stress a SentencePiece vocabulary: spaces, newlines, digits, byte fallback, special tokens in text. */
const AWKWARD = [
  'Hello world', ' leading space', 'trailing space ', 'multiple   spaces   here', '   ', ' ', 'line one\nline two\n\n  indented\n',
  '\n\nstarts with newlines', 'tabs\tand\r\nCRLF', 'digits 1234567890 and 3.14159, 2024-12-05', 'café naïve façade',
  'unicode 日本語 ☃ 🙂 Ωμέγα', 'emoji only 🙂🙃', 'punctuation!?... (parens) [brackets] {braces} "quotes" \'single\'',
  'The quick brown fox jumps over the lazy dog. The the the.', 'aaaaaaaaaaaaaaaa', 'ing ing ing',
];
const SPM_TEXTS: Record<string, string[]> = {
  gemma: [...AWKWARD, '<start_of_turn>user\nHi there<end_of_turn>\n<start_of_turn>model\n', '<bos>text after bos', 'a<mask>b', 'x<eos>'],
  llama: [...AWKWARD, '<s>[INST] hi [/INST] ok</s>', 'text</s>', 'after<unk>unk'],
  sp: [...AWKWARD, '<|user|>\nhello<|end|>\n<|assistant|>\n', '<start_of_turn>user\nhi<end_of_turn>'],
};
const spmDir = (f: string) => new URL(`../src/text/__fixtures__/${f}`, import.meta.url);
/** The legacy Llama tokenizer.json layout the Hub's Llama 2 / TinyLlama / Mistral v0.1 / Phi-3-mini files use. */
const LEGACY = { pre_tokenizer: null, normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] } };
const spmFixture = (name: string, withModel: boolean, texts: string[], legacy = false) => {
  const j = (f: string) => JSON.parse(readFileSync(new URL(f, spmDir(`${name}/`)), 'utf8')) as Record<string, unknown>;
  const modelFile = new URL('tokenizer.model', spmDir(`${name}/`));
  const json = legacy ? { ...j('tokenizer.json'), ...LEGACY } : j('tokenizer.json');
  return { json, config: j('tokenizer_config.json'), model: withModel && existsSync(modelFile) ? new Uint8Array(readFileSync(modelFile)) : null, texts };
};
/** SentencePiece vocabularies: [label, arch, config overrides, fixture folder, use tokenizer.model, texts]. */
const GEMMA_OVER = { query_pre_attn_scalar: 16, num_hidden_layers: 6, layer_types: null, tie_word_embeddings: false };
const SPM_CASES: [string, string, Record<string, unknown>, string, boolean, string[], boolean?][] = [
  ['gemma3 spm (tokenizer.model)', 'gemma3_text', { ...GEMMA_OVER, vocab_size: 704, bos_token_id: 2, eos_token_id: 1, pad_token_id: 0 }, 'spm-trained/gemma', true, SPM_TEXTS.gemma],
  ['gemma3 spm (tokenizer.json only)', 'gemma3_text', { ...GEMMA_OVER, vocab_size: 704, bos_token_id: 2, eos_token_id: 1, pad_token_id: 0 }, 'spm-trained/gemma', false, SPM_TEXTS.gemma],
  ['llama spm (tokenizer.model)', 'llama', { vocab_size: 640, bos_token_id: 1, eos_token_id: 2 }, 'spm-trained/llama', true, SPM_TEXTS.llama],
  ['llama spm (tokenizer.json only)', 'llama', { vocab_size: 640, bos_token_id: 1, eos_token_id: 2 }, 'spm-trained/llama', false, SPM_TEXTS.llama],
  ['llama spm legacy tokenizer.json (Prepend normalizer, as the Hub ships Llama 2) + tokenizer.model', 'llama', { vocab_size: 640, bos_token_id: 1, eos_token_id: 2 }, 'spm-trained/llama', true, SPM_TEXTS.llama, true],
  ['mistral spm (tokenizer.model)', 'mistral', { vocab_size: 640, bos_token_id: 1, eos_token_id: 2, sliding_window: null }, 'spm-trained/llama', true, SPM_TEXTS.llama],
  ['phi3 sp-bpe (generated tokenizer.json)', 'phi3', { vocab_size: 576, sliding_window: null }, 'sp-bpe', false, SPM_TEXTS.sp],
];
for (const [label, arch, over, fixtureDir, withModel, texts, legacy] of SPM_CASES) {
  if (only && !label.includes(only)) continue;
  const t = tinyExportModel(arch, 'F32', over);
  const base = await checkpointWeights(t.config, t.source);
  const weights = uploadWeights(gpu, t.weights);
  if (!(await check(`tiny ${label}`, t.config, t.configJson, base, weights, spmFixture(fixtureDir, withModel, texts, legacy), [5, 17, 42, 99, 3, 250, 7]))) failures++;
}
console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
