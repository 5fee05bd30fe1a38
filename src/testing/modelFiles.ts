/**
 * Real model and adapter directories on disk for CLI tests: a tiny random model (tinyModel) as config.json +
 * model.safetensors, optionally with the byte-level BPE fixture tokenizer, and PEFT adapter directories written with
 * writeAdapter. Node only.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serializeSafetensors } from '../engine/io/safetensors';
import { expectedTensors } from '../engine/model/tensors';
import { tinyModel, type TinyModel } from '../engine/model/tiny';
import type { ModelType } from '../engine/model/config';
import type { LoraConfig, LoraTarget } from '../engine/model/lora';
import { writeAdapter, ADAPTER_CONFIG, ADAPTER_WEIGHTS } from '../engine/adapter/peft';
import { fixtureModelDir } from '../text/__fixtures__/fixtures';

/** Tokens of the byte-bpe fixture (476 byte-level BPE entries + 17 added special tokens). */
export const FIXTURE_VOCAB = 493;
/** Ids of the fixture's special tokens used as BOS/EOS (<|endoftext|>, <|im_end|>). */
export const FIXTURE_BOS = 476;
export const FIXTURE_EOS = 478;

export interface TinyModelDirOptions {
  seed?: number;
  /** config.json keys over tinyModel's base config. */
  overrides?: Record<string, unknown>;
  /**
   * Copy the byte-bpe tokenizer fixture in (tokenizer.json + tokenizer_config.json, SmolLM2's chat template). The
   * vocabulary is then sized to the tokenizer and BOS/EOS set to its tokens, unless `overrides` says otherwise.
   */
  tokenizer?: boolean;
}

/** Writes a tiny model of `arch` to `dir` (created if needed) and returns what was written. */
export function writeTinyModelDir(dir: string, arch: ModelType, opts: TinyModelDirOptions = {}): TinyModel {
  const tokenizerKeys = opts.tokenizer ? { vocab_size: FIXTURE_VOCAB, bos_token_id: FIXTURE_BOS, eos_token_id: FIXTURE_EOS } : {};
  const tiny = tinyModel(arch, opts.seed ?? 1, { ...tokenizerKeys, ...opts.overrides });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(tiny.configJson, null, 2) + '\n');
  const tensors = expectedTensors(tiny.config).map((spec) => ({
    name: spec.name, dtype: 'F32' as const, shape: spec.shape, data: tiny.weights.get(spec.name)!,
  }));
  writeFileSync(join(dir, 'model.safetensors'), serializeSafetensors(tensors, { format: 'pt' }));
  if (opts.tokenizer) {
    const src = fixtureModelDir('byte-bpe');
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(src, f), join(dir, f));
  }
  return tiny;
}

/** Writes a PEFT adapter directory (adapter_config.json + adapter_model.safetensors). */
export function writeAdapterDir(dir: string, config: LoraConfig, targets: readonly LoraTarget[], values: ReadonlyMap<string, Float32Array>): void {
  const files = writeAdapter(config, targets, values);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, ADAPTER_CONFIG), files.config);
  writeFileSync(join(dir, ADAPTER_WEIGHTS), files.weights);
}
