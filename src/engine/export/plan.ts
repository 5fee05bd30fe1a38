/**
 * What one export writes, as planned files (sizes known, bytes produced on demand), for the three formats:
 *   hf           — the merged (or fully trained) model as a Hugging Face folder;
 *   gguf         — the same model as one GGUF + an Ollama Modelfile;
 *   gguf-adapter — the LoRA adapter as a llama.cpp adapter GGUF, the base model as GGUF (unless left out) and a
 *                  Modelfile with FROM + ADAPTER.
 * Shared by the Worker (browser export) and `cli export`.
 */
import type { WeightDtype } from '../io/safetensors';
import type { ModelConfig } from '../model/config';
import type { LoraConfig, LoraTarget } from '../model/lora';
import { hfModelFiles } from './hfModel';
import { ggufAdapterFile, ggufModelFile, modelfile } from './ggufModel';
import { ggufArchFor, ggufContextLength } from './ggufArch';
import { mainDtype, mergedWeights, trainedWeights, type WeightSource } from './weights';
import { textFile, type PlannedFile } from './sink';
import { modelCard } from './card';

export type ExportFormat = 'hf' | 'gguf' | 'gguf-adapter';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['hf', 'gguf', 'gguf-adapter'];

export interface ExportInput {
  format: ExportFormat;
  /** hf: store every tensor in this dtype (default: the base checkpoint's); gguf: the matrices' type (default F16). */
  dtype?: WeightDtype;
  /** The base model's name (hub repo or folder) for cards and metadata. */
  baseName: string;
  /** Name for the exported model (cards, GGUF general.name). */
  name: string;
  config: ModelConfig;
  configJson: Record<string, unknown>;
  base: WeightSource;
  lora: { config: LoraConfig; targets: LoraTarget[]; values: ReadonlyMap<string, Float32Array> } | null;
  /** A full-parameter run's weights (logical name → f32), instead of a LoRA. */
  full: ReadonlyMap<string, Float32Array> | null;
  tokenizerJson: unknown;
  tokenizerConfig: unknown;
  /** SentencePiece's tokenizer.model when the model folder has one (GGUF export of SPM vocabularies uses its scores). */
  tokenizerModel?: Uint8Array | null;
  generationConfig: unknown;
  /** Tokenizer files as they should be copied into an HF folder (default: tokenizer.json + tokenizer_config.json). */
  tokenizerFiles?: PlannedFile[];
  /** gguf-adapter: also write the base model GGUF the Modelfile's FROM points at (default true). */
  includeBase?: boolean;
  maxShardBytes?: number;
  /** Lines about the training run for the README (settings, losses). */
  runFacts?: [string, string][];
}

/** The model weights an export writes: base + LoRA folded in, a full run's weights, or the base alone. */
export function exportWeights(i: ExportInput): WeightSource {
  if (i.full) return trainedWeights(i.base, i.full);
  if (i.lora) return mergedWeights(i.base, i.lora.targets, i.lora.values);
  return i.base;
}

/** End-of-sequence strings for the Modelfile's stop parameters. */
function stopStrings(i: ExportInput): string[] {
  const tok = i.tokenizerJson as { added_tokens?: { id: number; content: string }[] } | null;
  const ids = new Set(i.config.eosTokenIds);
  const gen = i.generationConfig as { eos_token_id?: number | number[] } | null;
  for (const e of [gen?.eos_token_id ?? []].flat()) ids.add(e);
  return (tok?.added_tokens ?? []).filter((t) => ids.has(t.id)).map((t) => t.content);
}

export function exportFiles(i: ExportInput): PlannedFile[] {
  const ggufType = i.dtype ?? 'F16';
  const tag = ggufType.toLowerCase();
  const tokenizerFiles = i.tokenizerFiles ?? [
    textFile('tokenizer.json', JSON.stringify(i.tokenizerJson)),
    textFile('tokenizer_config.json', JSON.stringify(i.tokenizerConfig, null, 2) + '\n'),
  ];
  const card = (files: string[]) => modelCard({ ...i, files, storedAs: i.format === 'hf' ? (i.dtype ?? mainDtype(i.base.tensors)) : ggufType });
  if (i.format === 'hf') {
    const files = hfModelFiles({
      config: i.config, configJson: i.configJson, weights: exportWeights(i), dtype: i.dtype, maxShardBytes: i.maxShardBytes,
      extraFiles: tokenizerFiles, generationConfig: i.generationConfig ?? undefined, readme: '',
    });
    const readme = files.findIndex((f) => f.name === 'README.md');
    files[readme] = textFile('README.md', card(files.map((f) => f.name)));
    return files;
  }
  const tok = { tokenizerJson: i.tokenizerJson, tokenizerConfig: i.tokenizerConfig, tokenizerModel: i.tokenizerModel ?? null };
  const stops = stopStrings(i);
  const context = ggufContextLength(i.config, ggufArchFor(i.config)); // (refuses a model llama.cpp computes differently)
  const windowContext = context.capped ? context.length : undefined;
  if (i.format === 'gguf') {
    const model = ggufModelFile({ fileName: `model-${tag}.gguf`, name: i.name, config: i.config, weights: exportWeights(i), type: ggufType, ...tok });
    const mf = textFile('Modelfile', modelfile({ from: `./${model.name}`, stops, windowContext, comment: `${i.name}: ${i.lora ? `${i.baseName} with the LoRA adapter merged in` : i.full ? `${i.baseName} fine-tuned (all weights)` : i.baseName}` }));
    return [model, mf, textFile('README.md', card([model.name, 'Modelfile']))];
  }
  if (!i.lora) throw new Error(i.full ? 'A full-parameter run has no adapter: export it as a merged model (hf or gguf).' : 'There is no adapter to export.');
  const adapter = ggufAdapterFile({ fileName: 'adapter.gguf', name: i.name, config: i.config, targets: i.lora.targets, values: i.lora.values, type: 'F32' });
  const files: PlannedFile[] = [];
  const withBase = i.includeBase !== false;
  const baseFile = `base-${tag}.gguf`;
  if (withBase) files.push(ggufModelFile({ fileName: baseFile, name: i.baseName, config: i.config, weights: i.base, type: ggufType, ...tok }));
  files.push(adapter);
  files.push(textFile('Modelfile', modelfile({ from: withBase ? `./${baseFile}` : '<path to the base model GGUF>', adapter: './adapter.gguf', stops, windowContext, comment: `${i.baseName} + the LoRA adapter ${i.name}` })));
  files.push(textFile('README.md', card(files.map((f) => f.name).concat('README.md'))));
  return files;
}
