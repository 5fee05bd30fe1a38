/**
 * The GGUF files of an export: the model (base, merged or fully trained) in F32/F16/BF16 — 1-D tensors (norms,
 * biases) stay F32, as llama.cpp's converter keeps them — and a LoRA adapter GGUF as convert_lora_to_gguf.py writes
 * it (general.type = adapter, adapter.type = lora, adapter.lora.alpha, `<tensor>.lora_a` [r, in] and `.lora_b`
 * [out, r]), plus the Ollama Modelfile that ties them together.
 */
import type { ModelConfig } from '../model/config';
import type { LoraTarget } from '../model/lora';
import { f32, ggufFile, str, u32, type GgmlType, type GgufMetadata, type GgufTensor } from './gguf';
import { archMetadata, ggufArchFor, ggufTensorNames, llama3RopeFactors, normWeightNames, permuteHeads, permuteRows, transpose, transposedWeights } from './ggufArch';
import { embedWeightName } from '../model/tensors';
import { vocabMetadata } from './ggufVocab';
import type { WeightSource } from './weights';
import type { PlannedFile } from './sink';

/** general.file_type (llama_ftype) of an all-F32 / mostly-F16 / mostly-BF16 file. */
const FILE_TYPE: Record<GgmlType, number> = { F32: 0, F16: 1, BF16: 32 };

export interface GgufModelOptions {
  fileName: string;
  name: string;
  config: ModelConfig;
  weights: WeightSource;
  type: GgmlType;
  tokenizerJson: unknown;
  tokenizerConfig: unknown;
  /** SentencePiece's tokenizer.model when the model folder has one: exact scores and types for an SPM vocabulary. */
  tokenizerModel?: Uint8Array | null;
}

const reversed = (shape: readonly number[]) => [...shape].reverse();

export function ggufModelFile(o: GgufModelOptions): PlannedFile {
  const c = o.config;
  const a = ggufArchFor(c);
  const names = ggufTensorNames(c);
  const md: GgufMetadata = [
    ['general.architecture', str(a.arch)],
    ['general.type', str('model')],
    ['general.name', str(o.name)],
    ['general.file_type', u32(FILE_TYPE[o.type])],
    ['general.quantization_version', u32(2)],
    ...archMetadata(c, a),
    ...vocabMetadata(o.tokenizerJson, o.tokenizerConfig, c.vocabSize, { bos: c.bosTokenId, eos: c.eosTokenIds, pad: c.padTokenId }, o.tokenizerModel ?? null),
  ];
  const norms = normWeightNames(c), transposed = transposedWeights(c);
  const tensors: GgufTensor[] = o.weights.tensors.map((t) => {
    const name = names.get(t.name);
    if (!name) throw new Error(`internal: no GGUF name for ${t.name}`);
    const heads = permuteHeads(c, a, t.name);
    const flip = transposed.has(t.name), shift = norms.has(t.name) ? c.normWeightOffset : 0;
    return {
      name,
      // Conv1D [in, out] is transposed to [out, in], whose ggml dims are [in, out].
      ne: flip ? [...t.shape] : reversed(t.shape),
      type: t.shape.length === 1 ? 'F32' : o.type,
      read: async (signal) => {
        let v = await o.weights.read(t.name, signal);
        if (flip) v = transpose(v, t.shape[0], t.shape[1]);
        if (heads) v = permuteRows(v, t.shape[0], heads);
        // Gemma's (1 + w) norms: the converter stores 1 + w, llama.cpp multiplies by it.
        if (shift) v = v.map((x) => x + shift);
        return v;
      },
    };
  });
  if (c.tieEmbeddings && a.outputRequired) {
    const embed = o.weights.tensors.find((t) => t.name === embedWeightName(c))!;
    tensors.push({ name: 'output.weight', ne: reversed(embed.shape), type: o.type, read: (signal) => o.weights.read(embed.name, signal) });
  }
  const factors = llama3RopeFactors(c);
  if (factors) tensors.unshift({ name: 'rope_freqs.weight', ne: [factors.length], type: 'F32', read: () => Promise.resolve(factors) });
  return ggufFile(o.fileName, md, tensors);
}

export interface GgufAdapterOptions {
  fileName: string;
  name: string;
  config: ModelConfig;
  targets: readonly LoraTarget[];
  values: ReadonlyMap<string, Float32Array>;
  type: GgmlType;
}

/**
 * llama.cpp scales an adapter by alpha / rank (rank = lora_b's inner size) — one alpha per file. Per-module scales
 * that differ from alpha / r (rsLoRA, alpha_pattern, rank_pattern) are folded into lora_b so every module keeps
 * exactly PEFT's scale.
 */
export function ggufAdapterFile(o: GgufAdapterOptions): PlannedFile {
  const c = o.config;
  const a = ggufArchFor(c);
  const names = ggufTensorNames(c);
  if (o.targets.length === 0) throw new Error('the adapter has no target modules');
  const alpha = o.targets[0].scale * o.targets[0].r;
  const md: GgufMetadata = [
    ['general.architecture', str(a.arch)],
    ['general.type', str('adapter')],
    ['general.name', str(o.name)],
    ['general.file_type', u32(FILE_TYPE[o.type])],
    ['general.quantization_version', u32(2)],
    ['adapter.type', str('lora')],
    ['adapter.lora.alpha', f32(alpha)],
  ];
  const tensors: GgufTensor[] = [];
  for (const t of o.targets) {
    // LoRA A [r, in] and B [out, r] whatever the base layout (Conv1D included): llama.cpp adds B·A to [out, in].
    const base = names.get(`${t.module}.weight`);
    if (!base) throw new Error(`internal: no GGUF name for ${t.module}`);
    const A = o.values.get(t.keyA), B = o.values.get(t.keyB);
    if (!A || !B) throw new Error(`the adapter has no values for ${t.module}`);
    const heads = permuteHeads(c, a, `${t.module}.weight`);
    const factor = (t.scale * t.r) / alpha;
    tensors.push({ name: `${base}.lora_a`, ne: [t.inFeatures, t.r], type: o.type, read: () => Promise.resolve(A) });
    tensors.push({
      name: `${base}.lora_b`, ne: [t.r, t.outFeatures], type: o.type,
      read: () => {
        let b = heads ? permuteRows(B, t.outFeatures, heads) : B;
        if (factor !== 1) b = b.map((x) => x * factor);
        return Promise.resolve(b);
      },
    });
  }
  return ggufFile(o.fileName, md, tensors);
}

/**
 * An Ollama Modelfile: FROM the model GGUF (and ADAPTER the LoRA GGUF), stopping at the model's end tokens; with the
 * context pinned to the sliding window when llama.cpp ignores the model's window (ggufContextLength).
 */
export function modelfile(o: { from: string; adapter?: string; stops: string[]; comment: string; windowContext?: number }): string {
  const lines = [`# ${o.comment}`, '# Create the model with: ollama create my-model -f Modelfile', `FROM ${o.from}`];
  if (o.adapter) lines.push(`ADAPTER ${o.adapter}`);
  for (const s of o.stops) lines.push(`PARAMETER stop ${JSON.stringify(s)}`);
  if (o.windowContext) {
    lines.push(`# llama.cpp ignores this model's ${o.windowContext}-token sliding window: within ${o.windowContext} tokens of context it`);
    lines.push('# computes exactly what the model does, past that it would attend further back than the model was trained to.');
    lines.push(`PARAMETER num_ctx ${o.windowContext}`);
  }
  return lines.join('\n') + '\n';
}
