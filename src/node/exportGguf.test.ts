import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gguf } from '@huggingface/gguf';
import { convertBytes } from '../engine/io/convert';
import { checkpointWeights } from '../engine/export/weights';
import { exportFiles, type ExportInput } from '../engine/export/plan';
import { runExport } from '../engine/export/sink';
import { MemorySink, tinyExportModel } from '../testing/exportModels';
import { ggufArchFor, permuteRows } from '../engine/export/ggufArch';
import { FIXTURE_BOS, FIXTURE_EOS, FIXTURE_VOCAB } from '../testing/modelFiles';

const fixture = (f: string) => JSON.parse(readFileSync(new URL(`../text/__fixtures__/byte-bpe/${f}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const TOK = { vocab_size: FIXTURE_VOCAB, bos_token_id: FIXTURE_BOS, eos_token_id: FIXTURE_EOS };
const GGML: Record<number, 'F32' | 'F16' | 'BF16'> = { 0: 'F32', 1: 'F16', 30: 'BF16' };

async function exportTo(format: ExportInput['format'], arch: string, dtype: 'F32' | 'F16' | 'BF16', over: Partial<ExportInput> = {}, configOver: Record<string, unknown> = {}) {
  const m = tinyExportModel(arch, 'F32', { ...TOK, ...configOver });
  const base = await checkpointWeights(m.config, m.source);
  const sink = new MemorySink();
  await runExport(sink, exportFiles({
    format, dtype, baseName: 'tiny/base', name: 'tiny-tuned', config: m.config, configJson: m.configJson, base,
    lora: { config: m.loraConfig, targets: m.targets, values: m.values }, full: null,
    tokenizerJson: fixture('tokenizer.json'), tokenizerConfig: fixture('tokenizer_config.json'), generationConfig: null, ...over,
  }));
  const dir = mkdtempSync(join(tmpdir(), 'gguf-'));
  for (const [name, bytes] of sink.files) writeFileSync(join(dir, name), bytes);
  return { m, sink, dir };
}

/** Parses a GGUF we wrote with @huggingface/gguf and decodes every tensor to f32. */
async function parse(path: string) {
  const out = await gguf(path, { allowLocalFile: true, typedMetadata: true });
  const bytes = new Uint8Array(readFileSync(path));
  const tensors = new Map(out.tensorInfos.map((t) => {
    const type = GGML[t.dtype];
    const n = t.shape.reduce((a, d) => a * Number(d), 1);
    const at = Number(out.tensorDataOffset + t.offset);
    const raw = bytes.slice(at, at + n * (type === 'F32' ? 4 : 2));
    return [t.name, { type, shape: t.shape.map(Number), v: convertBytes(raw, type, 'f32') }];
  }));
  return { ...out, tensors, bytes };
}

describe('GGUF export', () => {
  it('a merged llama model GGUF parses back: header, metadata, names, shapes, types, data (q/k permuted as llama.cpp wants)', async () => {
    const { m, sink, dir } = await exportTo('gguf', 'llama', 'F16');
    expect([...sink.files.keys()]).toEqual(['model-f16.gguf', 'Modelfile', 'README.md']);
    const g = await parse(join(dir, 'model-f16.gguf'));
    expect(new TextDecoder().decode(g.bytes.subarray(0, 4))).toBe('GGUF');
    expect(g.metadata.version).toBe(3);
    expect(g.metadata['general.architecture']).toBe('llama');
    const md = g.metadata as unknown as Record<string, unknown>;
    expect(md['general.type']).toBe('model');
    expect(md['general.file_type']).toBe(1);
    expect(md['llama.block_count']).toBe(2);
    expect(md['llama.embedding_length']).toBe(32);
    expect(md['llama.attention.head_count_kv']).toBe(2);
    expect(md['llama.rope.dimension_count']).toBe(8);
    expect(md['tokenizer.ggml.model']).toBe('gpt2');
    expect(md['tokenizer.ggml.pre']).toBe('gpt-2');
    expect((md['tokenizer.ggml.tokens'] as string[]).length).toBe(FIXTURE_VOCAB);
    expect(md['tokenizer.ggml.eos_token_id']).toBe(FIXTURE_EOS);
    expect(g.typedMetadata['tokenizer.ggml.token_type'].subType).toBe(5); // INT32
    expect(g.tensors.get('token_embd.weight')!.shape).toEqual([32, FIXTURE_VOCAB]);
    expect(g.tensors.get('blk.0.attn_norm.weight')!.type).toBe('F32');
    expect(g.tensors.get('blk.1.ffn_down.weight')).toMatchObject({ type: 'F16', shape: [48, 32] });
    expect(g.tensors.has('output.weight')).toBe(true); // untied tiny llama
    for (const t of g.tensorInfos) expect(Number(t.offset) % 32).toBe(0);
    // Data: merged values rounded to f16; q rows permuted to interleaved pairs.
    const base = await checkpointWeights(m.config, m.source);
    const { mergedWeights } = await import('../engine/export/weights');
    const merged = mergedWeights(base, m.targets, m.values);
    const q = await merged.read('model.layers.0.self_attn.q_proj.weight');
    const want = permuteRows(q, 32, 4);
    const got = g.tensors.get('blk.0.attn_q.weight')!.v;
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(Math.abs(want[i]) * 2 ** -11 + 1e-7);
    expect(new TextDecoder().decode(sink.files.get('Modelfile'))).toMatch(/^FROM \.\/model-f16\.gguf$/m);
  });

  it('a LoRA adapter GGUF is what convert_lora_to_gguf writes (type, alpha, .lora_a [in, r], .lora_b [r, out]), with base + Modelfile', async () => {
    const { m, sink, dir } = await exportTo('gguf-adapter', 'qwen3', 'BF16');
    expect([...sink.files.keys()]).toEqual(['base-bf16.gguf', 'adapter.gguf', 'Modelfile', 'README.md']);
    const g = await parse(join(dir, 'adapter.gguf'));
    const md = g.metadata as unknown as Record<string, unknown>;
    expect(md['general.type']).toBe('adapter');
    expect(md['adapter.type']).toBe('lora');
    expect(md['adapter.lora.alpha']).toBe(8);
    expect(md['general.architecture']).toBe('qwen3');
    expect(g.tensors.size).toBe(2 * m.targets.length);
    for (const t of m.targets) {
      const base = `blk.${t.layer}.${{ q: 'attn_q', k: 'attn_k', v: 'attn_v', o: 'attn_output', gate: 'ffn_gate', up: 'ffn_up', down: 'ffn_down' }[t.local.split('.')[1].replace('_proj', '') as 'q']}.weight`;
      const a = g.tensors.get(`${base}.lora_a`)!, b = g.tensors.get(`${base}.lora_b`)!;
      expect(a.shape).toEqual([t.inFeatures, t.r]);
      expect(b.shape).toEqual([t.r, t.outFeatures]);
      expect([...a.v]).toEqual([...m.values.get(t.keyA)!]);
      expect([...b.v]).toEqual([...m.values.get(t.keyB)!]); // qwen3: no permutation
    }
    const baseG = await parse(join(dir, 'base-bf16.gguf'));
    expect(baseG.tensors.get('blk.0.attn_q_norm.weight')!.shape).toEqual([16]);
    expect(baseG.tensors.get('blk.0.attn_k.weight')!.type).toBe('BF16');
    const mf = new TextDecoder().decode(sink.files.get('Modelfile'));
    expect(mf).toMatch(/^FROM \.\/base-bf16\.gguf$/m);
    expect(mf).toMatch(/^ADAPTER \.\/adapter\.gguf$/m);
  });

  it('rsLoRA and per-module ranks keep PEFT\'s scale: folded into lora_b against one alpha', async () => {
    const m = tinyExportModel('llama', 'F32', TOK, { r: 4, alpha: 8, rslora: true });
    const base = await checkpointWeights(m.config, m.source);
    const sink = new MemorySink();
    await runExport(sink, exportFiles({ format: 'gguf-adapter', includeBase: false, baseName: 'b', name: 'n', config: m.config, configJson: m.configJson, base, lora: { config: m.loraConfig, targets: m.targets, values: m.values }, full: null, tokenizerJson: null, tokenizerConfig: null, generationConfig: null }));
    const dir = mkdtempSync(join(tmpdir(), 'gguf-'));
    writeFileSync(join(dir, 'a.gguf'), sink.files.get('adapter.gguf')!);
    const g = await parse(join(dir, 'a.gguf'));
    const alpha = (g.metadata as unknown as Record<string, number>)['adapter.lora.alpha'];
    expect(alpha / 4).toBeCloseTo(8 / Math.sqrt(4), 6); // llama.cpp's alpha / rank = PEFT's alpha / √r
    expect(new TextDecoder().decode(sink.files.get('Modelfile'))).toContain('FROM <path to the base model GGUF>');
  });

  it('models whose features llama.cpp\'s architecture cannot reproduce are refused with the reason', async () => {
    const refused: [string, Record<string, unknown>, RegExp][] = [
      ['gemma3_text', {}, /query_pre_attn_scalar ≠ head_dim/], // the tiny fixture scales scores by 24^-1/2, head_dim is 16
      ['gemma3_text', { query_pre_attn_scalar: 16 }, /every layer but each 6th/], // layer_types [sliding, full]
      ['smollm3', {}, /every 4th layer without RoPE/], // no_rope_layers [1, 0]
      ['qwen3', { attention_bias: true }, /no biases/],
    ];
    for (const [arch, over, why] of refused) {
      const m = tinyExportModel(arch, 'F32', over);
      expect(() => ggufArchFor(m.config), `${arch} ${JSON.stringify(over)}`).toThrow(why);
      expect(() => ggufArchFor(m.config)).toThrow(/convert_hf_to_gguf\.py/);
    }
    // Windows llama.cpp's graph ignores are written with the context capped to the window (see the next test).
    for (const [arch, over] of [['phi3', {}], ['qwen2', { use_sliding_window: true, sliding_window: 16, max_window_layers: 0 }]] as const)
      expect(() => ggufArchFor(tinyExportModel(arch, 'F32', over).config), arch).not.toThrow();
    // SentencePiece-style BPE (byte fallback) is written as an SPM vocabulary (exportGgufSpm.test.ts); Unigram is refused.
    const unigram = { model: { type: 'Unigram', unk_id: 0, vocab: [['<unk>', 0], ['a', -1]], byte_fallback: true }, pre_tokenizer: null };
    await expect(exportTo('gguf', 'llama', 'F16', { tokenizerJson: unigram })).rejects.toThrow(/Unigram model \(SentencePiece unigram\)/);
  });
});

/** The settings llama.cpp fixes for each family (see scripts/verify-gguf-llamacpp.ts, which runs the same models). */
const FAMILY: Record<string, Record<string, unknown>> = {
  // Six layers: five slide, the sixth is global (llama.cpp's fixed pattern), as HF's default sliding_window_pattern.
  gemma3_text: { query_pre_attn_scalar: 16, num_hidden_layers: 6, layer_types: null },
  phi3: { sliding_window: null },
  olmo2: {},
  smollm3: { num_hidden_layers: 4, no_rope_layers: [1, 1, 1, 0] },
  gpt2: {},
};

async function family(arch: string) {
  const merged = await exportTo('gguf', arch, 'F32', {}, FAMILY[arch]);
  const adapter = await exportTo('gguf-adapter', arch, 'F32', {}, FAMILY[arch]);
  const g = await parse(join(merged.dir, 'model-f32.gguf'));
  const a = await parse(join(adapter.dir, 'adapter.gguf'));
  const base = await checkpointWeights(merged.m.config, merged.m.source);
  const { mergedWeights } = await import('../engine/export/weights');
  const weights = mergedWeights(base, merged.m.targets, merged.m.values);
  return { m: merged.m, g, a, md: g.metadata as unknown as Record<string, unknown>, shape: (n: string) => g.tensors.get(n)?.shape, read: (n: string) => weights.read(n) };
}

describe('GGUF export of every family llama.cpp runs', () => {
  it('gemma3: sandwich norms with the +1 baked in, q/k norms, sliding window; tied output left to token_embd', async () => {
    const { g, a, md, shape, read, m } = await family('gemma3_text');
    expect(md['general.architecture']).toBe('gemma3');
    expect(md['gemma3.attention.sliding_window']).toBe(4);
    expect(md['gemma3.attention.key_length']).toBe(16);
    expect(md['gemma3.rope.freq_base']).toBe(1000000); // the global layer's θ; sliding layers use llama.cpp's fixed 10000
    expect(md['gemma3.block_count']).toBe(6);
    for (const n of ['attn_norm', 'post_attention_norm', 'ffn_norm', 'post_ffw_norm']) expect(shape(`blk.1.${n}.weight`), n).toEqual([32]);
    expect(shape('blk.0.attn_q_norm.weight')).toEqual([16]);
    expect(g.tensors.has('output.weight')).toBe(false);
    const hf = await read('model.layers.0.pre_feedforward_layernorm.weight');
    expect([...g.tensors.get('blk.0.ffn_norm.weight')!.v]).toEqual([...hf.map((x) => x + 1)]);
    const qn = await read('model.layers.1.self_attn.k_norm.weight');
    expect([...g.tensors.get('blk.1.attn_k_norm.weight')!.v]).toEqual([...qn.map((x) => x + 1)]);
    expect(a.tensors.size).toBe(2 * m.targets.length);
    expect(a.tensors.get('blk.0.ffn_gate.weight.lora_a')!.shape).toEqual([32, 4]);
  });

  it('a sliding window llama.cpp ignores (Phi-3, Qwen2): the GGUF and the Modelfile declare the window as the context, where the two compute alike', async () => {
    for (const [arch, over] of [['phi3', {}], ['qwen2', { use_sliding_window: true, sliding_window: 16, max_window_layers: 0 }]] as const) {
      const { m, sink, dir } = await exportTo('gguf', arch, 'F32', {}, over);
      const window = Math.min(...m.config.layers.map((l) => l.window ?? Infinity));
      expect(window, arch).toBeLessThan(m.config.maxPositions);
      const name = [...sink.files.keys()].find((f) => f.endsWith('.gguf'))!;
      const md = (await parse(join(dir, name))).metadata as unknown as Record<string, number>;
      expect(md[`${arch}.context_length`], arch).toBe(window);
      const mf = new TextDecoder().decode(sink.files.get('Modelfile'));
      expect(mf, arch).toContain(`PARAMETER num_ctx ${window}`);
      expect(mf).toMatch(/ignores this model's \d+-token sliding window/);
    }
    // Without a window the model's own context is declared and nothing is pinned.
    const { m, sink, dir } = await exportTo('gguf', 'llama', 'F32');
    const md = (await parse(join(dir, [...sink.files.keys()].find((f) => f.endsWith('.gguf'))!))).metadata as unknown as Record<string, number>;
    expect(md['llama.context_length']).toBe(m.config.maxPositions);
    expect(new TextDecoder().decode(sink.files.get('Modelfile'))).not.toContain('num_ctx');
  });

  it('phi3: fused attn_qkv and ffn_up (gate ‖ up), partial rotary, sliding_window 0, no permutation', async () => {
    const { g, a, md, shape, read } = await family('phi3');
    expect(md['general.architecture']).toBe('phi3');
    expect(md['phi3.rope.dimension_count']).toBe(4); // half of head_dim 8
    expect(md['phi3.attention.sliding_window']).toBe(0);
    expect(shape('blk.0.attn_qkv.weight')).toEqual([32, 32 + 2 * 16]);
    expect(shape('blk.0.ffn_up.weight')).toEqual([32, 2 * 48]);
    expect(g.tensors.has('blk.0.ffn_gate.weight')).toBe(false);
    expect([...g.tensors.get('blk.1.attn_qkv.weight')!.v]).toEqual([...(await read('model.layers.1.self_attn.qkv_proj.weight'))]);
    expect(a.tensors.get('blk.1.attn_qkv.weight.lora_b')!.shape).toEqual([4, 64]);
    expect(a.tensors.get('blk.1.ffn_up.weight.lora_a')!.shape).toEqual([32, 4]);
  });

  it('olmo2: post-norms only, q/k norms over the whole projection', async () => {
    const { g, md, shape } = await family('olmo2');
    expect(md['general.architecture']).toBe('olmo2');
    expect(shape('blk.0.post_attention_norm.weight')).toEqual([32]);
    expect(shape('blk.0.post_ffw_norm.weight')).toEqual([32]);
    expect(g.tensors.has('blk.0.attn_norm.weight')).toBe(false);
    expect(shape('blk.0.attn_q_norm.weight')).toEqual([32]);
    expect(shape('blk.0.attn_k_norm.weight')).toEqual([16]);
    expect(shape('output.weight')).toEqual([32, FIXTURE_VOCAB]);
  });

  it('smollm3: the llama layout (q/k permuted), every 4th layer NoPE as llama.cpp fixes it', async () => {
    const { md, g, read, m } = await family('smollm3');
    expect(md['general.architecture']).toBe('smollm3');
    expect(md['smollm3.block_count']).toBe(4);
    const k = await read('model.layers.3.self_attn.k_proj.weight');
    expect([...g.tensors.get('blk.3.attn_k.weight')!.v]).toEqual([...permuteRows(k, 16, m.config.nKVHeads)]);
  });

  it('gpt2: Conv1D weights transposed, learned positions, LayerNorm biases, no RoPE keys; adapter on c_attn as [in, r] / [r, out]', async () => {
    const { g, a, md, shape, read, m } = await family('gpt2');
    expect(md['general.architecture']).toBe('gpt2');
    expect(md['gpt2.attention.layer_norm_epsilon']).toBeCloseTo(1e-5, 9);
    expect(Object.keys(md).some((k) => k.startsWith('gpt2.rope'))).toBe(false);
    expect(shape('position_embd.weight')).toEqual([32, 32]);
    expect(shape('blk.0.attn_norm.bias')).toEqual([32]);
    expect(shape('output_norm.bias')).toEqual([32]);
    expect(shape('blk.0.attn_qkv.bias')).toEqual([96]);
    expect(shape('blk.0.attn_qkv.weight')).toEqual([32, 96]); // torch [out 96, in 32] after the transpose
    const w = await read('transformer.h.0.attn.c_attn.weight'); // [in 32, out 96]
    const got = g.tensors.get('blk.0.attn_qkv.weight')!.v;
    for (const [o, i] of [[0, 0], [5, 3], [95, 31]]) expect(got[o * 32 + i]).toBe(w[i * 96 + o]);
    const t = m.targets.find((x) => x.local === 'attn.c_attn' && x.layer === 0)!;
    expect(a.tensors.get('blk.0.attn_qkv.weight.lora_a')!.shape).toEqual([32, t.r]);
    expect(a.tensors.get('blk.0.attn_qkv.weight.lora_b')!.shape).toEqual([t.r, 96]);
  });
});
