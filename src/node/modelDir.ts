/**
 * Local model and adapter directories for the CLI. Weights are opened as Blobs (fs.openAsBlob) and streamed through
 * the very same checkpoint loader the browser uses for picked files, so the CLI exercises the product's code path.
 */
import { existsSync, openAsBlob, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseModelConfig, type ModelConfig } from '../engine/model/config';
import { parseGenerationConfig } from '../engine/io/generationConfig';
import type { CheckpointSource, NamedBlob } from '../engine/io/checkpoint';
import { ADAPTER_CONFIG, ADAPTER_WEIGHTS, readAdapter, type Adapter } from '../engine/adapter/peft';
import { describeMissingOutput } from './outputDir';

export interface ModelDir {
  dir: string;
  configJson: Record<string, unknown>;
  config: ModelConfig;
  /** generation_config.json (validated), or null when the directory has none. */
  generationConfig: Record<string, unknown> | null;
  source: CheckpointSource;
}

function readJson(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

export async function openModelDir(dir: string): Promise<ModelDir> {
  if (!existsSync(dir)) throw new Error(describeMissingOutput(dir) ?? `model directory ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new Error(`${dir} is a file; --model needs the model's directory (config.json, *.safetensors, tokenizer files)`);
  const configJson = readJson(join(dir, 'config.json'));
  const config = parseModelConfig(configJson);
  const genPath = join(dir, 'generation_config.json');
  const generationConfig = existsSync(genPath) ? readJson(genPath) : null;
  parseGenerationConfig(generationConfig, genPath);
  const names = readdirSync(dir).filter((f) => f.endsWith('.safetensors') || f === 'model.safetensors.index.json');
  if (!names.some((f) => f.endsWith('.safetensors'))) throw new Error(`${dir} has no .safetensors weights`);
  const files: NamedBlob[] = await Promise.all(names.map(async (name) => ({ name, blob: await openAsBlob(join(dir, name)) })));
  return { dir, configJson, config, generationConfig, source: { kind: 'files', files } };
}

export function readAdapterDir(dir: string, model: ModelConfig): Adapter {
  const cfgPath = join(dir, ADAPTER_CONFIG), wPath = join(dir, ADAPTER_WEIGHTS);
  const interrupted = describeMissingOutput(dir);
  if (interrupted) throw new Error(interrupted);
  if (!existsSync(dir)) throw new Error(`adapter directory ${dir} does not exist`);
  if (!existsSync(cfgPath)) throw new Error(`${dir} has no ${ADAPTER_CONFIG}`);
  if (!existsSync(wPath)) throw new Error(`${dir} has no ${ADAPTER_WEIGHTS}`);
  return readAdapter(model, readFileSync(cfgPath, 'utf8'), new Uint8Array(readFileSync(wPath)));
}
