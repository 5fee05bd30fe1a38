/**
 * PEFT adapter files: `adapter_config.json` + `adapter_model.safetensors` with PEFT's key names
 * (`base_model.model.<module>.lora_A.weight` [r, in], `.lora_B.weight` [out, r]). What we write loads with
 * `PeftModel.from_pretrained`; what PEFT writes loads here, with every mismatch reported by name.
 *
 * The two files must come from the same write: the weights' safetensors metadata records a fingerprint of the config
 * fields that decide the math — rank, alpha, rsLoRA, targets and their patterns — (`studio_adapter_config`, ignored by
 * PEFT), and readAdapter refuses a pair whose fingerprints differ: new weights beside an old config would otherwise
 * load at the wrong scale. Editing anything else (base_model_name_or_path, formatting) keeps the pair valid. Every value is
 * checked to be finite (one NaN in lora_B turns every output into NaN).
 */
import type { ModelConfig } from '../model/config';
import { parseLoraConfig, resolveLoraTargets, serializeLoraConfig, type LoraConfig, type LoraTarget } from '../model/lora';
import { parseSafetensorsHeader, readHeaderLength, serializeSafetensors } from '../io/safetensors';
import { convertBytes } from '../io/convert';
import { ModelFileError } from '../io/errors';
import { describeNonFinite, firstNonFinite } from '../io/finite';

export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';
/** safetensors metadata key holding configFingerprint() of the adapter_config.json written with the weights. */
export const CONFIG_FINGERPRINT_KEY = 'studio_adapter_config';

/** FNV-1a-style hash (two 32-bit halves, hex) of the config fields that decide the math. */
export function configFingerprint(config: LoraConfig): string {
  const c = config;
  const text = JSON.stringify([c.r, c.loraAlpha, c.useRslora, c.targetModules, c.excludeModules, c.layersToTransform, c.layersPattern, c.rankPattern, c.alphaPattern]);
  let h1 = 0x811c9dc5, h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h1 >>> 13);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

export interface AdapterFiles {
  config: string;
  weights: Uint8Array;
}

export interface Adapter {
  config: LoraConfig;
  targets: LoraTarget[];
  /** PEFT key → f32 values. */
  values: Map<string, Float32Array>;
}

export function writeAdapter(config: LoraConfig, targets: readonly LoraTarget[], values: ReadonlyMap<string, Float32Array>, metadata: Record<string, string> = {}): AdapterFiles {
  const tensors = targets.flatMap((t) => {
    const A = values.get(t.keyA), B = values.get(t.keyB);
    if (!A || !B) throw new Error(`No values for ${t.module}`);
    return [
      { name: t.keyA, dtype: 'F32' as const, shape: [t.r, t.inFeatures], data: A },
      { name: t.keyB, dtype: 'F32' as const, shape: [t.outFeatures, t.r], data: B },
    ];
  });
  const text = JSON.stringify(serializeLoraConfig(config), null, 2) + '\n';
  return { config: text, weights: serializeSafetensors(tensors, { format: 'pt', ...metadata, [CONFIG_FINGERPRINT_KEY]: configFingerprint(config) }) };
}

/** Parse and validate an adapter against the model it is for. */
export function readAdapter(model: ModelConfig, configText: string, weights: Uint8Array): Adapter {
  let json: unknown;
  try {
    json = JSON.parse(configText);
  } catch (e) {
    throw new ModelFileError(ADAPTER_CONFIG, `is not valid JSON (${(e as Error).message}).`);
  }
  const config = parseLoraConfig(json);
  const targets = resolveLoraTargets(model, config);
  const ctx = { fileName: ADAPTER_WEIGHTS, fileSize: weights.byteLength };
  const n = readHeaderLength(weights.subarray(0, 8), ctx);
  const header = parseSafetensorsHeader(weights.subarray(0, 8 + n), ctx);
  const written = header.metadata[CONFIG_FINGERPRINT_KEY];
  if (written !== undefined && written !== configFingerprint(config))
    throw new ModelFileError(
      ADAPTER_WEIGHTS,
      `was written together with a different ${ADAPTER_CONFIG} (the folder holds files from two different runs, e.g. a write that was interrupted); its scale and targets cannot be trusted. Train again, or restore both files from one run.`,
    );
  const byName = new Map(header.tensors.map((t) => [t.name, t]));
  const values = new Map<string, Float32Array>();
  const problems: string[] = [];
  for (const t of targets) {
    for (const [key, shape] of [[t.keyA, [t.r, t.inFeatures]], [t.keyB, [t.outFeatures, t.r]]] as const) {
      // PEFT also accepts keys saved with an adapter name (…lora_A.default.weight); normalise that form.
      const info = byName.get(key) ?? byName.get(key.replace(/\.weight$/, '.default.weight'));
      if (!info) {
        problems.push(`missing ${key}`);
        continue;
      }
      if (info.shape.join(',') !== shape.join(',')) {
        problems.push(`${key} has shape [${info.shape}] but the config implies [${shape}]`);
        continue;
      }
      if (!info.supported) {
        problems.push(`${key} is ${info.dtype}`);
        continue;
      }
      const bytes = weights.slice(header.dataOffset + info.begin, header.dataOffset + info.end);
      const v = convertBytes(bytes, info.dtype as 'F32' | 'F16' | 'BF16', 'f32');
      const bad = firstNonFinite(v);
      if (bad >= 0)
        throw new ModelFileError(ADAPTER_WEIGHTS, `tensor "${info.name}" ${describeNonFinite(v[bad], bad)}; a value that is not a finite number makes every output NaN (was it saved after training diverged?).`, info.name);
      values.set(key, v);
    }
  }
  const known = new Set(targets.flatMap((t) => [t.keyA, t.keyB, t.keyA.replace(/\.weight$/, '.default.weight'), t.keyB.replace(/\.weight$/, '.default.weight')]));
  const extra = header.tensors.filter((t) => !known.has(t.name)).map((t) => t.name);
  if (extra.length) problems.push(`tensors the config does not target: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ` and ${extra.length - 5} more` : ''}`);
  if (problems.length) throw new ModelFileError(ADAPTER_WEIGHTS, `does not match ${ADAPTER_CONFIG}: ${problems.join('; ')}.`);
  return { config, targets, values };
}
