/**
 * PEFT LoRA adapters: adapter_config.json parsing/serialisation, target resolution and initialisation, following
 * PEFT's semantics (peft.tuners.lora + peft.tuners.tuners_utils):
 *
 * - target_modules: a list matches a module whose full name equals an entry or ends with "." + entry; a string is a
 *   regex that must match the full module name (re.fullmatch); "all-linear" (any case) is every nn.Linear / Conv1D
 *   except the output layer (lm_head). null → PEFT's per-model default (the family spec's `peftDefaultTargets`; an error where PEFT has none).
 *   Names are matched against every named module of the HF model, so hitting a non-linear module is an error, as it is
 *   in PEFT ("Target module … is not supported"), and matching nothing is an error too.
 * - exclude_modules: same matching, applied first. layers_to_transform / layers_pattern: as PEFT (list targets only).
 * - rank_pattern / alpha_pattern: for each module, the first key K (in dict order) whose regex `(.*\.)?(K)$` matches
 *   the full module name from the start (PEFT get_pattern_key: re.match) gives r / lora_alpha; looked up separately.
 * - scale = lora_alpha / r, or lora_alpha / √r with use_rslora.
 * - Saved keys: `base_model.model.<module>.lora_A.weight` [r, in] and `.lora_B.weight` [out, r] (adapter name
 *   removed). lora_A/lora_B are nn.Linear for Conv1D bases too, so GPT-2 keys and shapes follow the same rule;
 *   fan_in_fan_out only affects merging. PEFT forces fan_in_fan_out = true for Conv1D (false for Linear) and saves the
 *   corrected value.
 * Python regexes are evaluated as JavaScript regexes (`(?P<name>` is translated); exotic syntax may differ.
 */
import type { ModelConfig } from './config.ts';
import { hashSeed, mulberry32, uniformArray } from './random.ts';
import { linearModules, namedModules, type LinearLocal, type WeightLayout } from './tensors.ts';

export type LoraInit = true | false | 'gaussian';

export interface LoraConfig {
  peftType: 'LORA';
  /** 'CAUSAL_LM' (or null when the adapter was made without a task type; keys are the same). */
  taskType: 'CAUSAL_LM' | null;
  baseModelNameOrPath: string | null;
  revision: string | null;
  r: number;
  loraAlpha: number;
  /** List of names/suffixes, a regex string, 'all-linear', or null for PEFT's default for the model type. */
  targetModules: string[] | string | null;
  excludeModules: string[] | string | null;
  layersToTransform: number[] | number | null;
  layersPattern: string[] | string | null;
  loraDropout: number;
  useRslora: boolean;
  /** Module name / regex → rank; insertion order matters (first match wins). */
  rankPattern: Record<string, number>;
  /** Module name / regex → alpha; insertion order matters. */
  alphaPattern: Record<string, number>;
  fanInFanOut: boolean;
  /** true: A kaiming-uniform(a=√5), B = 0. 'gaussian': A ~ N(0, 1/r), B = 0. false: A and B both kaiming-uniform. */
  initLoraWeights: LoraInit;
  inferenceMode: boolean;
}

export interface LoraTarget {
  /** HF module path, e.g. 'model.layers.3.self_attn.q_proj' or 'transformer.h.3.attn.c_attn'. */
  module: string;
  layer: number;
  local: LinearLocal;
  inFeatures: number;
  outFeatures: number;
  /** Layout of the BASE weight; the LoRA matrices are always [r, in] and [out, r]. */
  layout: WeightLayout;
  r: number;
  alpha: number;
  /** y = W x + scale · B (A x). */
  scale: number;
  /** 'base_model.model.<module>.lora_A.weight', shape [r, in]. */
  keyA: string;
  /** 'base_model.model.<module>.lora_B.weight', shape [out, r]. */
  keyB: string;
}

/** PEFT's default target_modules for the model type (the family spec's copy of PEFT's mapping). */
function peftDefaultTargets(model: ModelConfig): string[] {
  if (!model.peftDefaultTargets) {
    fail('target_modules', `is null, and PEFT has no default target modules for model_type ${model.modelType}: list them (e.g. ${JSON.stringify(model.attentionTargets)})`);
  }
  return [...model.peftDefaultTargets];
}

type Json = Record<string, unknown>;

function fail(field: string, msg: string): never {
  throw new Error(`adapter_config.json: ${field} ${msg}`);
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

function strOrList(j: Json, key: string): string[] | string | null {
  const v = j[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return [...v] as string[];
  fail(key, `must be a string, a list of strings or null, got ${JSON.stringify(v)}`);
}

function patternDict(j: Json, key: string, integer: boolean): Record<string, number> {
  const v = j[key];
  if (v === undefined || v === null) return {};
  if (!isObject(v)) fail(key, 'must be an object of name → number');
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'number' || !(x > 0) || (integer && !Number.isInteger(x))) {
      fail(`${key}["${k}"]`, `must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(x)}`);
    }
    compileRegex(`${key}["${k}"]`, `^(.*\\.)?(${k})$`);
    out[k] = x;
  }
  return out;
}

function boolField(j: Json, key: string, def: boolean): boolean {
  const v = j[key] ?? def;
  if (typeof v !== 'boolean') fail(key, `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** Python regex → JavaScript RegExp (named groups translated). */
function compileRegex(field: string, source: string): RegExp {
  const js = source.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  try {
    return new RegExp(js);
  } catch (e) {
    fail(field, `is not a valid regular expression: ${(e as Error).message}`);
  }
}

/** Parses a PEFT adapter_config.json (already JSON.parse'd). Throws naming the unsupported field. */
export function parseLoraConfig(json: unknown): LoraConfig {
  if (!isObject(json)) throw new Error('adapter_config.json: expected a JSON object');
  const j = json;
  if (j.peft_type !== 'LORA') fail('peft_type', `must be "LORA", got ${JSON.stringify(j.peft_type)}`);
  if (j.use_dora === true) fail('use_dora', '= true: DoRA is not supported');
  if ((j.bias ?? 'none') !== 'none') fail('bias', `must be "none" (training biases is not supported), got ${JSON.stringify(j.bias)}`);
  if (!isEmpty(j.modules_to_save)) fail('modules_to_save', `must be null or empty (fully trained modules are not supported), got ${JSON.stringify(j.modules_to_save)}`);
  if (j.lora_bias === true) fail('lora_bias', '= true is not supported');
  if (!isEmpty(j.layer_replication)) fail('layer_replication', 'is not supported');
  if (!isEmpty(j.target_parameters)) fail('target_parameters', 'is not supported');
  if (!isEmpty(j.trainable_token_indices)) fail('trainable_token_indices', 'is not supported');
  if (j.use_qalora === true) fail('use_qalora', '= true is not supported');
  if (!isEmpty(j.alora_invocation_tokens)) fail('alora_invocation_tokens', 'is not supported');
  const task = j.task_type ?? null;
  if (task !== null && task !== 'CAUSAL_LM') fail('task_type', `must be "CAUSAL_LM", got ${JSON.stringify(task)}`);

  const r = j.r ?? 8;
  if (typeof r !== 'number' || !Number.isInteger(r) || r <= 0) fail('r', `must be a positive integer, got ${JSON.stringify(r)}`);
  const alpha = j.lora_alpha ?? 8;
  if (typeof alpha !== 'number' || !(alpha > 0) || !Number.isFinite(alpha)) fail('lora_alpha', `must be a positive number, got ${JSON.stringify(alpha)}`);
  const dropout = j.lora_dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) fail('lora_dropout', `must be in [0, 1), got ${JSON.stringify(dropout)}`);

  const init = j.init_lora_weights ?? true;
  if (init !== true && init !== false && init !== 'gaussian') {
    fail('init_lora_weights', `${JSON.stringify(init)} is not supported (supported: true, false, "gaussian")`);
  }

  const targetModules = strOrList(j, 'target_modules');
  if (typeof targetModules === 'string' && targetModules.toLowerCase() !== 'all-linear') compileRegex('target_modules', targetModules);
  const excludeModules = strOrList(j, 'exclude_modules');
  if (typeof excludeModules === 'string') compileRegex('exclude_modules', excludeModules);

  const ltt = j.layers_to_transform ?? null;
  if (ltt !== null && !(Number.isInteger(ltt) || (Array.isArray(ltt) && ltt.every((x) => Number.isInteger(x))))) {
    fail('layers_to_transform', `must be an integer, a list of integers or null, got ${JSON.stringify(ltt)}`);
  }
  if (ltt !== null && typeof targetModules === 'string' && targetModules.toLowerCase() !== 'all-linear') {
    fail('layers_to_transform', 'cannot be used when target_modules is a regex string');
  }
  const base = j.base_model_name_or_path ?? null;
  if (base !== null && typeof base !== 'string') fail('base_model_name_or_path', 'must be a string or null');
  const revision = j.revision ?? null;
  if (revision !== null && typeof revision !== 'string') fail('revision', 'must be a string or null');

  return {
    peftType: 'LORA',
    taskType: task,
    baseModelNameOrPath: base,
    revision,
    r,
    loraAlpha: alpha,
    targetModules,
    excludeModules,
    layersToTransform: ltt as number[] | number | null,
    layersPattern: strOrList(j, 'layers_pattern'),
    loraDropout: dropout,
    useRslora: boolField(j, 'use_rslora', false),
    rankPattern: patternDict(j, 'rank_pattern', true),
    alphaPattern: patternDict(j, 'alpha_pattern', false),
    fanInFanOut: boolField(j, 'fan_in_fan_out', false),
    initLoraWeights: init,
    inferenceMode: boolField(j, 'inference_mode', false),
  };
}

export interface LoraOptions {
  r?: number;
  loraAlpha?: number;
  targetModules?: string[] | string | null;
  loraDropout?: number;
  useRslora?: boolean;
  rankPattern?: Record<string, number>;
  alphaPattern?: Record<string, number>;
  initLoraWeights?: LoraInit;
  baseModelNameOrPath?: string | null;
}

/**
 * A new adapter for `model`: r 8, alpha 16, dropout 0.05, PEFT's default targets for the model type unless given.
 * fan_in_fan_out is set as PEFT would save it (true for GPT-2's Conv1D modules).
 */
export function defaultLoraConfig(model: ModelConfig, opts: LoraOptions = {}): LoraConfig {
  const cfg: LoraConfig = {
    peftType: 'LORA',
    taskType: 'CAUSAL_LM',
    baseModelNameOrPath: opts.baseModelNameOrPath ?? null,
    revision: null,
    r: opts.r ?? 8,
    loraAlpha: opts.loraAlpha ?? 16,
    targetModules: opts.targetModules === undefined ? peftDefaultTargets(model) : opts.targetModules,
    excludeModules: null,
    layersToTransform: null,
    layersPattern: null,
    loraDropout: opts.loraDropout ?? 0.05,
    useRslora: opts.useRslora ?? false,
    rankPattern: { ...(opts.rankPattern ?? {}) },
    alphaPattern: { ...(opts.alphaPattern ?? {}) },
    fanInFanOut: model.names.linearLayout === 'conv1d',
    initLoraWeights: opts.initLoraWeights ?? true,
    inferenceMode: false,
  };
  // Validate through the parser so a bad option fails the same way a bad file would.
  return { ...parseLoraConfig(serializeLoraConfig(cfg)), inferenceMode: false };
}

/**
 * adapter_config.json contents PEFT loads. Keys are the ones PEFT has written since 0.10 (sorted, as PEFT's
 * json.dumps(sort_keys=True) does); the newer exclude_modules (0.14) only when set, because PEFT versions before
 * ~0.12 reject keys they do not know. inference_mode is true, as in saved adapters.
 */
export function serializeLoraConfig(cfg: LoraConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    alpha_pattern: { ...cfg.alphaPattern },
    auto_mapping: null,
    base_model_name_or_path: cfg.baseModelNameOrPath,
    bias: 'none',
    fan_in_fan_out: cfg.fanInFanOut,
    inference_mode: true,
    init_lora_weights: cfg.initLoraWeights,
    layer_replication: null,
    layers_pattern: cfg.layersPattern,
    layers_to_transform: cfg.layersToTransform,
    loftq_config: {},
    lora_alpha: cfg.loraAlpha,
    lora_dropout: cfg.loraDropout,
    megatron_config: null,
    megatron_core: 'megatron.core',
    modules_to_save: null,
    peft_type: 'LORA',
    r: cfg.r,
    rank_pattern: { ...cfg.rankPattern },
    revision: cfg.revision,
    target_modules: Array.isArray(cfg.targetModules) ? [...cfg.targetModules] : cfg.targetModules,
    task_type: cfg.taskType,
    use_dora: false,
    use_rslora: cfg.useRslora,
  };
  if (cfg.excludeModules !== null) out.exclude_modules = Array.isArray(cfg.excludeModules) ? [...cfg.excludeModules] : cfg.excludeModules;
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
}

/** scale = alpha / r, or alpha / √r with rsLoRA (PEFT LoraLayer.update_layer). */
export function loraScale(r: number, alpha: number, useRslora: boolean): number {
  return useRslora ? alpha / Math.sqrt(r) : alpha / r;
}

/** PEFT list matching: exact name or "." + entry suffix. */
function listMatch(list: readonly string[], path: string): boolean {
  return list.includes(path) || list.some((t) => path.endsWith(`.${t}`));
}

/** PEFT layers_to_transform filter; `path` already matched a list target by suffix. */
function layerAllowed(cfg: LoraConfig, path: string): boolean {
  const idx = cfg.layersToTransform;
  if (idx === null || (Array.isArray(idx) && idx.length === 0)) return true;
  const pats = cfg.layersPattern === null ? [] : Array.isArray(cfg.layersPattern) ? cfg.layersPattern : [cfg.layersPattern];
  let m: RegExpExecArray | null = null;
  if (pats.length === 0) m = /^.*?\.[^.]*\.(\d+)\./.exec(path);
  else for (const p of pats) if ((m = compileRegex('layers_pattern', `^.*?\\.${p}\\.(\\d+)\\.`).exec(path))) break;
  if (!m) return false;
  const layer = Number(m[1]);
  return Array.isArray(idx) ? idx.includes(layer) : layer === idx;
}

/** PEFT get_pattern_key: first key whose regex `(.*\.)?(key)$` matches the full module name. */
function patternValue(pattern: Record<string, number>, field: string, path: string): number | undefined {
  for (const [k, v] of Object.entries(pattern)) {
    if (compileRegex(`${field}["${k}"]`, `^(.*\\.)?(${k})$`).test(path)) return v;
  }
  return undefined;
}

/** Resolves which modules of `model` get LoRA, with per-module rank, alpha, scale and PEFT key names. */
export function resolveLoraTargets(model: ModelConfig, cfg: LoraConfig): LoraTarget[] {
  const targets = cfg.targetModules ?? peftDefaultTargets(model);
  const allLinear = typeof targets === 'string' && targets.toLowerCase() === 'all-linear';
  const regex = typeof targets === 'string' && !allLinear ? compileRegex('target_modules', `^(?:${targets})$`) : null;
  const exclude = cfg.excludeModules;
  const excludeRe = typeof exclude === 'string' ? compileRegex('exclude_modules', `^(?:${exclude})$`) : null;

  const matched = new Set<string>();
  for (const { path, kind } of namedModules(model)) {
    if (excludeRe ? excludeRe.test(path) : Array.isArray(exclude) && listMatch(exclude, path)) continue;
    let hit: boolean;
    if (allLinear) hit = (kind === 'linear' || kind === 'conv1d') && layerAllowed(cfg, path);
    else if (regex) hit = regex.test(path);
    else {
      const list = targets as string[];
      // An exact name bypasses the layer filter, as in PEFT.
      hit = list.includes(path) || (listMatch(list, path) && layerAllowed(cfg, path));
    }
    if (!hit) continue;
    if (kind === 'embedding' || kind === 'lm_head') {
      throw new Error(`target_modules matches ${path}: LoRA on the ${kind === 'lm_head' ? 'LM head' : 'embeddings'} is not supported`);
    }
    if (kind === 'other') throw new Error(`target_modules matches ${path}, which is not a Linear/Conv1D module (PEFT rejects it too)`);
    matched.add(path);
  }
  if (matched.size === 0) {
    const linearNames = [...new Set(linearModules(model).map((m) => m.local))].join(', ');
    throw new Error(`target_modules ${JSON.stringify(targets)} matched no module of ${model.architecture} (its linear modules: ${linearNames})`);
  }

  const out: LoraTarget[] = [];
  for (const m of linearModules(model)) {
    if (!matched.has(m.path)) continue;
    const r = patternValue(cfg.rankPattern, 'rank_pattern', m.path) ?? cfg.r;
    const alpha = patternValue(cfg.alphaPattern, 'alpha_pattern', m.path) ?? cfg.loraAlpha;
    out.push({
      module: m.path,
      layer: m.layer,
      local: m.local,
      inFeatures: m.inFeatures,
      outFeatures: m.outFeatures,
      layout: m.layout,
      r,
      alpha,
      scale: loraScale(r, alpha, cfg.useRslora),
      keyA: `base_model.model.${m.path}.lora_A.weight`,
      keyB: `base_model.model.${m.path}.lora_B.weight`,
    });
  }
  return out;
}

function kaimingUniform(n: number, fanIn: number, rand: () => number): Float32Array {
  // torch kaiming_uniform_(a=√5): gain = √(2/(1+5)), bound = gain·√3/√fan_in = 1/√fan_in.
  return uniformArray(n, 1 / Math.sqrt(fanIn), rand);
}

/**
 * Initial lora_A [r, in] as PEFT initialises it: kaiming-uniform a=√5 (bound 1/√in) for init true/false, N(0, 1/r)
 * for 'gaussian' (Box–Muller). Random stream: mulberry32 seeded with FNV-1a(seed, module path), so every module gets
 * its own reproducible values independent of the target order.
 */
export function initLoraA(target: LoraTarget, seed: number, init: LoraInit = true): Float32Array {
  const rand = mulberry32(hashSeed(seed, `${target.module}.lora_A`));
  const n = target.r * target.inFeatures;
  if (init !== 'gaussian') return kaimingUniform(n, target.inFeatures, rand);
  const out = new Float32Array(n);
  const std = 1 / target.r;
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - rand(); // (0, 1]
    const u2 = rand();
    const rad = Math.sqrt(-2 * Math.log(u1)) * std;
    out[i] = rad * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = rad * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** Initial lora_B [out, r]: zeros, except init_lora_weights=false (torch Linear default: kaiming-uniform, bound 1/√r). */
export function initLoraB(target: LoraTarget, seed: number, init: LoraInit = true): Float32Array {
  const n = target.outFeatures * target.r;
  if (init !== false) return new Float32Array(n);
  return kaimingUniform(n, target.r, mulberry32(hashSeed(seed, `${target.module}.lora_B`)));
}
