/**
 * Writes the Hugging Face model directory: model.safetensors (logical HF names, F32; the embedding is tied so there
 * is no lm_head.weight), config.json, generation_config.json, tokenizer.json, tokenizer_config.json and README.md.
 * Files are written to temporary names and renamed so a reader never sees a half-written model.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModelConfig } from '../engine/model/config';
import { expectedTensors } from '../engine/model/tensors';
import { serializeSafetensors, type TensorToWrite } from '../engine/io/safetensors';

export interface ModelFiles {
  configJson: Record<string, unknown>;
  /** Logical HF name → values (every tensor expectedTensors lists). */
  weights: ReadonlyMap<string, Float32Array>;
  tokenizerJson: unknown;
  tokenizerConfig: unknown;
  readme: string;
}

export function generationConfigJson(configJson: Record<string, unknown>, imEndId: number): Record<string, unknown> {
  const eos = configJson.eos_token_id as number;
  return {
    _from_model_config: true,
    bos_token_id: configJson.bos_token_id,
    // <|endoftext|> ends a document; <|im_end|> ends a chat turn once instruction tuning has taught it.
    eos_token_id: [eos, imEndId],
    pad_token_id: configJson.pad_token_id,
    transformers_version: configJson.transformers_version,
  };
}

export function modelSafetensors(configJson: Record<string, unknown>, weights: ReadonlyMap<string, Float32Array>): Uint8Array {
  const config = parseModelConfig(configJson);
  const tensors: TensorToWrite[] = expectedTensors(config).map((spec) => {
    const data = weights.get(spec.name);
    if (!data) throw new Error(`cannot export: tensor ${spec.name} is missing`);
    return { name: spec.name, dtype: 'F32', shape: spec.shape, data };
  });
  return serializeSafetensors(tensors, { format: 'pt' });
}

export function writeModelDir(out: string, files: ModelFiles, imEndId: number): string[] {
  mkdirSync(out, { recursive: true });
  const written: [string, string | Uint8Array][] = [
    ['model.safetensors', modelSafetensors(files.configJson, files.weights)],
    ['config.json', JSON.stringify(files.configJson, null, 2) + '\n'],
    ['generation_config.json', JSON.stringify(generationConfigJson(files.configJson, imEndId), null, 2) + '\n'],
    ['tokenizer.json', JSON.stringify(files.tokenizerJson) + '\n'],
    ['tokenizer_config.json', JSON.stringify(files.tokenizerConfig, null, 2) + '\n'],
    ['README.md', files.readme],
  ];
  for (const [name, data] of written) {
    writeFileSync(join(out, `${name}.tmp`), data);
    renameSync(join(out, `${name}.tmp`), join(out, name));
  }
  return written.map(([n]) => n);
}
