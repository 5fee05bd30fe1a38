/**
 * How llama.cpp names and lays out our families (what its convert_hf_to_gguf.py / convert_lora_to_gguf.py write):
 * the llama.cpp architecture an HF model converts to (one table, LLAMA_CPP, keyed by model_type as the converter is
 * keyed by HF class) and what that architecture's graph can express; tensor names by role (token_embd,
 * blk.N.attn_q, …, output); the architecture metadata; and the layout changes the converter makes:
 *   - `llama` / `smollm3` (LlamaModel): q_proj / k_proj rows (and those of their LoRA B) permuted from Hugging Face's
 *     half-split RoPE order to llama.cpp's interleaved pairs;
 *   - Gemma's (1 + w) RMSNorms: the +1 baked into every norm weight (normWeightOffset);
 *   - GPT-2's Conv1D weights [in, out] transposed to [out, in].
 * Every check below reads a feature of the ModelConfig; a model whose features the llama.cpp graph cannot reproduce is
 * refused with the reason.
 */
import type { ModelConfig, NormRole } from '../model/config';
import { embedWeightName, finalNormName, linearModules, normName, qkNormNames, positionEmbedWeightName } from '../model/tensors';
import { f32, str, u32, type GgufMetadata } from './gguf';

/** What one llama.cpp architecture's graph computes (src/models/<arch>.cpp) and how the converter writes it. */
export interface GgufArch {
  arch: 'llama' | 'qwen2' | 'qwen3' | 'gemma3' | 'phi3' | 'olmo2' | 'smollm3' | 'gpt2';
  /** q/k rows permuted to interleaved RoPE pairs (LLAMA_ROPE_TYPE_NORM archs the converter permutes for). */
  permuteQK: boolean;
  /** Biases the graph adds (q/k/v or fused qkv, o_proj, MLP). */
  biases: { attention: boolean; oProj: boolean; mlp: boolean };
  qkNorm: ModelConfig['qkNorm'];
  act: ModelConfig['hiddenAct'];
  mlp: ModelConfig['mlp'];
  /**
   * Sliding windows llama.cpp can express: none, or every `period`-th layer global and the rest sliding with θ
   * `localTheta`, unscaled (gemma3: the pattern and θ are fixed in llama.cpp, only the window is read).
   */
  windows: { kind: 'none' } | { kind: 'period'; period: number; localTheta: number };
  /** The converter writes attention.sliding_window (0 = none) even where the graph ignores it. */
  writesWindow?: boolean;
  /** Every `step`-th layer (1-based) has no RoPE — fixed in llama.cpp (smollm3: 4), not read from the file. */
  noRopeStep: number | null;
  /** rope.dimension_count < head_dim allowed (phi3's partial rotary). */
  partialRotary: boolean;
  ropeScaling: readonly ('linear' | 'llama3')[];
  /** llama.cpp loads output.weight unconditionally: a tied model gets a copy of token_embd. */
  outputRequired: boolean;
  /** The q·kᵀ scale llama.cpp computes for this model. */
  attentionScale(c: ModelConfig): number;
  /** The embedding scale llama.cpp applies (gemma3: √n_embd in f32). */
  embedScale(c: ModelConfig): number;
}

const ALL_BIASES = { attention: true, oProj: true, mlp: true };
const NO_BIASES = { attention: false, oProj: false, mlp: false };
const headScale = (c: ModelConfig) => 1 / Math.sqrt(c.headDim);
const ONE = () => 1;
const LLAMA_LIKE: Omit<GgufArch, 'arch'> = {
  permuteQK: false, biases: NO_BIASES, qkNorm: 'none', act: 'silu', mlp: 'gated', windows: { kind: 'none' }, noRopeStep: null,
  partialRotary: false, ropeScaling: ['linear'], outputRequired: false, attentionScale: headScale, embedScale: ONE,
};

/** HF model_type → the llama.cpp architecture convert_hf_to_gguf.py converts it to. */
const LLAMA_CPP: Record<string, GgufArch> = {
  llama: { ...LLAMA_LIKE, arch: 'llama', permuteQK: true, biases: ALL_BIASES, ropeScaling: ['linear', 'llama3'] },
  mistral: { ...LLAMA_LIKE, arch: 'llama', permuteQK: true, biases: ALL_BIASES, ropeScaling: ['linear', 'llama3'] },
  qwen2: { ...LLAMA_LIKE, arch: 'qwen2', biases: { attention: true, oProj: false, mlp: false } },
  qwen3: { ...LLAMA_LIKE, arch: 'qwen3', qkNorm: 'head' },
  gemma3_text: {
    ...LLAMA_LIKE, arch: 'gemma3', qkNorm: 'head', act: 'gelu_tanh', windows: { kind: 'period', period: 6, localTheta: 10000 },
    // llama.cpp: 1/√(n_embd / n_head) for the 62-layer (27B) model, 1/√head_dim otherwise; never query_pre_attn_scalar.
    attentionScale: (c) => (c.nLayers === 62 ? 1 / Math.sqrt(c.hidden / c.nHeads) : headScale(c)),
    embedScale: (c) => Math.fround(Math.sqrt(c.hidden)),
  },
  // llama.cpp's phi3 writes sliding_window but ignores it ("Phi SWA is currently disabled", llama.cpp PR 13676).
  phi3: { ...LLAMA_LIKE, arch: 'phi3', windows: { kind: 'none' }, writesWindow: true, partialRotary: true, outputRequired: true },
  olmo2: { ...LLAMA_LIKE, arch: 'olmo2', qkNorm: 'projection', outputRequired: true },
  smollm3: { ...LLAMA_LIKE, arch: 'smollm3', permuteQK: true, biases: ALL_BIASES, noRopeStep: 4, ropeScaling: ['linear', 'llama3'] },
  gpt2: { ...LLAMA_LIKE, arch: 'gpt2', biases: ALL_BIASES, act: 'gelu_tanh', mlp: 'plain', ropeScaling: [] },
};

/** Not exportable as GGUF by our writer; the message says why and what to do instead. */
export class GgufUnsupportedError extends Error {
  override name = 'GgufUnsupportedError';
}

const HOW = 'Export the merged Hugging Face folder instead and convert it with llama.cpp\'s convert_hf_to_gguf.py.';

/** The first feature of `c` that llama.cpp's graph for `a` cannot reproduce, or null. */
function mismatch(c: ModelConfig, a: GgufArch): string | null {
  const n = a.arch;
  if (c.qkNorm !== a.qkNorm) return `its q/k norm (${c.qkNorm}) differs from llama.cpp's ${n} (${a.qkNorm})`;
  if (c.mlp !== a.mlp || c.hiddenAct !== a.act) return `its MLP (${c.mlp} ${c.hiddenAct}) differs from llama.cpp's ${n} (${a.mlp} ${a.act})`;
  if ((c.attentionBias && !a.biases.attention) || (c.oProjBias && !a.biases.oProj) || (c.mlpBias && !a.biases.mlp)) return `llama.cpp's ${n} has no biases where this model has them`;
  if (c.attentionScale !== a.attentionScale(c)) return `its attention scale (${c.attentionScale}) differs from the ${a.attentionScale(c)} llama.cpp's ${n} computes (query_pre_attn_scalar ≠ head_dim)`;
  if (c.embedScale !== a.embedScale(c)) return `its embedding scale differs from what llama.cpp's ${n} computes`;
  if (c.positions === 'learned') return n === 'gpt2' ? null : `llama.cpp's ${n} has no learned positions`;
  if (n === 'gpt2') return 'llama.cpp\'s gpt2 has learned positions, not RoPE';
  if (c.rotaryDim !== c.headDim && !a.partialRotary) return `partial rotary embeddings (${c.rotaryDim} of ${c.headDim} dims) are not expressible for llama.cpp's ${n}`;
  // Windows llama.cpp's graph ignores (Phi-3-mini's 2047, Mistral v0.1's 4096, Qwen2's optional ones) are no mismatch:
  // the GGUF declares a context no longer than the window (ggufContextLength), within which no token is ever outside
  // it, so llama.cpp's full causal attention is exactly the model's.
  const w = a.windows;
  // (llama.cpp's pattern also decides each layer's RoPE θ, so it must match even where windows span the context.)
  if (w.kind === 'period' && c.layers.some((l, i) => (l.window !== null) !== ((i + 1) % w.period !== 0))) return `llama.cpp's ${n} slides every layer but each ${w.period}th (this model's layer_types / sliding_window_pattern differ)`;
  const windows = new Set(c.layers.map((l) => l.window).filter((x) => x !== null));
  if (windows.size > 1) return 'its layers slide over different windows';
  const roped = c.layers.map((l) => l.rope !== null);
  const step = a.noRopeStep;
  if (roped.some((x, i) => x !== (step === null || (i + 1) % step !== 0))) return step === null ? `some layers have no rotary encoding, which llama.cpp's ${n} cannot express` : `llama.cpp's ${n} leaves exactly every ${step}th layer without RoPE (fixed in llama.cpp), this model's no_rope_layers differ`;
  const full = c.layers.find((l) => l.rope && l.window === null)?.rope ?? c.layers.find((l) => l.rope)!.rope!;
  for (const l of c.layers) {
    if (!l.rope) continue;
    const local = w.kind === 'period' && l.window !== null;
    if (local && (l.rope.theta !== w.localTheta || l.rope.scaling.type !== 'none')) return `llama.cpp's ${n} rotates its sliding layers with θ ${w.localTheta} and no scaling, this model with θ ${l.rope.theta}`;
    if (!local && (l.rope.theta !== full.theta || JSON.stringify(l.rope.scaling) !== JSON.stringify(full.scaling))) return 'its layers use different RoPE settings';
  }
  const s = full.scaling.type;
  if (s !== 'none' && !a.ropeScaling.includes(s)) return `${s} RoPE scaling is not written for llama.cpp's ${n}`;
  return null;
}

/** The llama.cpp architecture of a model, or a GgufUnsupportedError naming the reason. */
export function ggufArchFor(c: ModelConfig): GgufArch {
  const a = LLAMA_CPP[c.modelType];
  if (!a) throw new GgufUnsupportedError(`GGUF export does not support ${c.architecture} (model_type ${c.modelType}): no llama.cpp mapping is known for it. ${HOW}`);
  const why = mismatch(c, a);
  if (why) throw new GgufUnsupportedError(`GGUF export refuses this ${c.architecture}: ${why}, so llama.cpp's outputs would differ. ${HOW}`);
  return a;
}

const NORM_GGUF: Record<NormRole, string> = { attnIn: 'attn_norm', attnOut: 'post_attention_norm', mlpIn: 'ffn_norm', mlpOut: 'post_ffw_norm' };
const LINEAR_GGUF: Record<string, string> = { q: 'attn_q', k: 'attn_k', v: 'attn_v', qkv: 'attn_qkv', o: 'attn_output', gate: 'ffn_gate', up: 'ffn_up', gateUp: 'ffn_up', fc: 'ffn_up', down: 'ffn_down' };

/** HF logical norm weight names (per-layer, q/k and final norms): where a normWeightOffset is baked in. */
export function normWeightNames(c: ModelConfig): Set<string> {
  const s = new Set<string>();
  for (let i = 0; i < c.nLayers; i++) {
    for (const role of ['attnIn', 'attnOut', 'mlpIn', 'mlpOut'] as const) {
      const n = normName(c, i, role);
      if (n) s.add(`${n}.weight`);
    }
    const qk = qkNormNames(c, i);
    if (qk) s.add(`${qk.q}.weight`).add(`${qk.k}.weight`);
  }
  s.add(`${finalNormName(c)}.weight`);
  return s;
}

/** HF logical tensor name → GGUF tensor name, for every tensor of the model. */
export function ggufTensorNames(c: ModelConfig): Map<string, string> {
  const m = new Map<string, string>();
  m.set(embedWeightName(c), 'token_embd.weight');
  const pos = positionEmbedWeightName(c);
  if (pos) m.set(pos, 'position_embd.weight');
  const norm = (hf: string | null, gg: string) => {
    if (!hf) return;
    m.set(`${hf}.weight`, `${gg}.weight`);
    if (c.norm === 'layernorm') m.set(`${hf}.bias`, `${gg}.bias`);
  };
  for (let i = 0; i < c.nLayers; i++) {
    for (const role of ['attnIn', 'attnOut', 'mlpIn', 'mlpOut'] as const) norm(normName(c, i, role), `blk.${i}.${NORM_GGUF[role]}`);
    const qk = qkNormNames(c, i);
    if (qk) {
      norm(qk.q, `blk.${i}.attn_q_norm`);
      norm(qk.k, `blk.${i}.attn_k_norm`);
    }
  }
  for (const l of linearModules(c)) {
    const g = `blk.${l.layer}.${LINEAR_GGUF[l.role]}`;
    m.set(l.weight, `${g}.weight`);
    if (l.bias) m.set(l.bias, `${g}.bias`);
  }
  norm(finalNormName(c), 'output_norm');
  if (!c.tieEmbeddings) m.set('lm_head.weight', 'output.weight');
  return m;
}

/** HF weights stored [in, out] (GPT-2's Conv1D) that the converter transposes to [out, in]. */
export function transposedWeights(c: ModelConfig): Set<string> {
  return new Set(c.names.linearLayout === 'conv1d' ? linearModules(c).map((l) => l.weight) : []);
}

/** A row-major [rows, cols] matrix transposed to [cols, rows]. */
export function transpose(v: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) out[k * rows + r] = v[r * cols + k];
  return out;
}

/** Which q/k head count a tensor's rows are permuted with (llama arch), or null. */
export function permuteHeads(c: ModelConfig, a: GgufArch, hfName: string): number | null {
  if (!a.permuteQK) return null;
  const l = linearModules(c).find((x) => x.weight === hfName || x.bias === hfName);
  if (!l) return null;
  return l.role === 'q' ? c.nHeads : l.role === 'k' ? c.nKVHeads : null;
}

/**
 * convert_hf_to_gguf's LlamaModel.permute on the rows of a [rows, cols] tensor: within each of `heads` heads, rows
 * [first half | second half] become interleaved pairs (row h·d + 2i + j ← row h·d + j·d/2 + i).
 */
export function permuteRows(v: Float32Array, rows: number, heads: number): Float32Array {
  const cols = v.length / rows, d = rows / heads, half = d / 2;
  const out = new Float32Array(v.length);
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < half; i++)
      for (let j = 0; j < 2; j++) {
        const dst = (h * d + 2 * i + j) * cols, src = (h * d + j * half + i) * cols;
        out.set(v.subarray(src, src + cols), dst);
      }
  return out;
}

/** llama3 RoPE scaling as llama.cpp takes it: a rope_freqs tensor of per-frequency divisors (the converter's formula). */
export function llama3RopeFactors(c: ModelConfig): Float32Array | null {
  const s = c.ropeScaling;
  if (s.type !== 'llama3') return null;
  const dim = c.rotaryDim, theta = c.ropeTheta;
  const lowWavelen = s.originalMaxPositions / s.lowFreqFactor, highWavelen = s.originalMaxPositions / s.highFreqFactor;
  const out = new Float32Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) {
    const freq = 1 / Math.pow(theta, (2 * i) / dim);
    const wavelen = (2 * Math.PI) / freq;
    if (wavelen < highWavelen) out[i] = 1;
    else if (wavelen > lowWavelen) out[i] = s.factor;
    else {
      const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
      out[i] = 1 / ((1 - smooth) / s.factor + smooth);
    }
  }
  return out;
}

/**
 * The context the GGUF declares ({arch}.context_length, which llama.cpp and Ollama use by default): the model's, or,
 * when it has sliding windows llama.cpp's graph for `a` ignores, the shortest window — the longest context in which
 * those windows never mask anything, so llama.cpp computes exactly what the model does. `capped` says which.
 */
export function ggufContextLength(c: ModelConfig, a: GgufArch): { length: number; capped: boolean } {
  const windows = c.layers.map((l) => l.window).filter((x): x is number => x !== null && x < c.maxPositions);
  if (a.windows.kind !== 'none' || windows.length === 0) return { length: c.maxPositions, capped: false };
  return { length: Math.min(...windows), capped: true };
}

/** The architecture key/values llama.cpp reads for this model (as the converter writes them). */
export function archMetadata(c: ModelConfig, a: GgufArch): GgufMetadata {
  const k = (s: string) => `${a.arch}.${s}`;
  const md: GgufMetadata = [
    [k('vocab_size'), u32(c.vocabSize)],
    [k('context_length'), u32(ggufContextLength(c, a).length)],
    [k('embedding_length'), u32(c.hidden)],
    [k('block_count'), u32(c.nLayers)],
    [k('feed_forward_length'), u32(c.intermediate)],
    [k('attention.head_count'), u32(c.nHeads)],
    [k('attention.head_count_kv'), u32(c.nKVHeads)],
  ];
  if (c.norm === 'layernorm') md.push([k('attention.layer_norm_epsilon'), f32(c.normEps)]);
  else md.push([k('attention.layer_norm_rms_epsilon'), f32(c.normEps)]);
  if (c.positions === 'learned') return md;
  md.push(
    [k('attention.key_length'), u32(c.headDim)],
    [k('attention.value_length'), u32(c.headDim)],
    [k('rope.dimension_count'), u32(c.rotaryDim)],
    [k('rope.freq_base'), f32(c.ropeTheta)],
  );
  if (c.ropeScaling.type === 'linear') md.push([k('rope.scaling.type'), str('linear')], [k('rope.scaling.factor'), f32(c.ropeScaling.factor)]);
  // phi3 writes 0 for "no window"; gemma3 always has one.
  if (a.windows.kind !== 'none' || a.writesWindow) md.push([k('attention.sliding_window'), u32(c.slidingWindow ?? 0)]);
  return md;
}
