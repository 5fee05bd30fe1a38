/**
 * How llama.cpp names and lays out our families (what its convert_hf_to_gguf.py / convert_lora_to_gguf.py write):
 * tensor names by role (token_embd, blk.N.attn_q, …, output), the architecture metadata, and the one layout change
 * the converter makes — for the `llama` architecture (Llama, Mistral) the rows of q_proj / k_proj (and of their LoRA
 * B) are permuted from Hugging Face's half-split RoPE order to llama.cpp's interleaved pairs. Families whose layout we
 * have not reproduced and checked against llama.cpp are refused with the reason.
 */
import type { ModelConfig, NormRole } from '../model/config';
import { embedWeightName, finalNormName, linearModules, normName, qkNormNames, positionEmbedWeightName } from '../model/tensors';
import { f32, str, u32, type GgufMetadata } from './gguf';

export interface GgufArch {
  arch: 'llama' | 'qwen2' | 'qwen3';
  /** q/k rows permuted to interleaved RoPE pairs (llama arch). */
  permuteQK: boolean;
}

/** Not exportable as GGUF by our writer; the message says why and what to do instead. */
export class GgufUnsupportedError extends Error {
  override name = 'GgufUnsupportedError';
}

const HOW = 'Export the merged Hugging Face folder instead and convert it with llama.cpp\'s convert_hf_to_gguf.py.';

/** The llama.cpp architecture of a model, or a GgufUnsupportedError naming the reason. */
export function ggufArchFor(c: ModelConfig): GgufArch {
  const t = c.modelType;
  const arch: GgufArch | null = t === 'llama' || t === 'mistral' ? { arch: 'llama', permuteQK: true } : t === 'qwen2' ? { arch: 'qwen2', permuteQK: false } : t === 'qwen3' ? { arch: 'qwen3', permuteQK: false } : null;
  if (!arch) {
    const why: Record<string, string> = {
      gemma3_text: 'llama.cpp\'s gemma3 needs its norms shifted by one, its own sliding-window pattern and a SentencePiece vocabulary',
      phi3: 'llama.cpp\'s phi3 needs the LongRoPE factor tensors and its sliding-window settings',
      olmo2: 'llama.cpp\'s olmo2 layout has not been checked against our writer',
      smollm3: 'llama.cpp\'s smollm3 needs its no-RoPE layer list, which our writer does not produce',
      gpt2: 'llama.cpp\'s converter transposes GPT-2\'s Conv1D weights, and a LoRA on them cannot be expressed the way llama.cpp loads adapters',
    };
    throw new GgufUnsupportedError(`GGUF export does not support ${c.architecture} (model_type ${t}) yet: ${why[t] ?? 'no llama.cpp mapping is known for it'}. ${HOW}`);
  }
  if (c.layers.some((l) => l.window !== null)) throw new GgufUnsupportedError(`GGUF export refuses this ${c.architecture}: it uses sliding-window attention, which llama.cpp's ${arch.arch} architecture ignores, so its outputs would differ. ${HOW}`);
  if (c.layers.some((l) => !l.rope)) throw new GgufUnsupportedError(`GGUF export refuses this model: some layers have no rotary encoding, which llama.cpp's ${arch.arch} cannot express. ${HOW}`);
  if (c.rotaryDim !== c.headDim) throw new GgufUnsupportedError(`GGUF export refuses this model: partial rotary embeddings (${c.rotaryDim} of ${c.headDim} dims) are not expressible for llama.cpp's ${arch.arch}. ${HOW}`);
  if (c.attentionScale !== 1 / Math.sqrt(c.headDim) || c.embedScale !== 1) throw new GgufUnsupportedError(`GGUF export refuses this model: its attention or embedding scale differs from what llama.cpp's ${arch.arch} computes. ${HOW}`);
  const s = c.ropeScaling;
  if (s.type === 'llama3' && arch.arch !== 'llama') throw new GgufUnsupportedError(`GGUF export refuses this model: llama3 RoPE scaling on ${arch.arch}. ${HOW}`);
  return arch;
}

const NORM_GGUF: Record<NormRole, string> = { attnIn: 'attn_norm', attnOut: 'post_attention_norm', mlpIn: 'ffn_norm', mlpOut: 'post_ffw_norm' };
const LINEAR_GGUF: Record<string, string> = { q: 'attn_q', k: 'attn_k', v: 'attn_v', qkv: 'attn_qkv', o: 'attn_output', gate: 'ffn_gate', up: 'ffn_up', gateUp: 'ffn_up', fc: 'ffn_up', down: 'ffn_down' };

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

/** The architecture key/values llama.cpp reads for this model (as the converter writes them). */
export function archMetadata(c: ModelConfig, a: GgufArch): GgufMetadata {
  const k = (s: string) => `${a.arch}.${s}`;
  const md: GgufMetadata = [
    [k('vocab_size'), u32(c.vocabSize)],
    [k('context_length'), u32(c.maxPositions)],
    [k('embedding_length'), u32(c.hidden)],
    [k('block_count'), u32(c.nLayers)],
    [k('feed_forward_length'), u32(c.intermediate)],
    [k('attention.head_count'), u32(c.nHeads)],
    [k('attention.head_count_kv'), u32(c.nKVHeads)],
    [k('attention.key_length'), u32(c.headDim)],
    [k('attention.value_length'), u32(c.headDim)],
    [k('attention.layer_norm_rms_epsilon'), f32(c.normEps)],
    [k('rope.dimension_count'), u32(c.rotaryDim)],
    [k('rope.freq_base'), f32(c.ropeTheta)],
  ];
  if (c.ropeScaling.type === 'linear') md.push([k('rope.scaling.type'), str('linear')], [k('rope.scaling.factor'), f32(c.ropeScaling.factor)]);
  return md;
}
