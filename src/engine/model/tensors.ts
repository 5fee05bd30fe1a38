/**
 * The tensors of a checkpoint and the linear modules of the model, named as Hugging Face names them — all derived
 * from the family spec's names (config.names) and the config's features; nothing here knows a family by name.
 *
 * "Logical" names are the state_dict names of the *ForCausalLM model (`model.…` / `transformer.…`, plus
 * `lm_head.weight` when the head is not tied). Checkpoint files differ: the original openai-community/gpt2 file has no
 * `transformer.` prefix and carries mask buffers; old Llama exports carry `rotary_emb.inv_freq`; tied checkpoints may
 * still store `lm_head.weight`. `resolveCheckpointNames` maps logical names to names in the file and ignores such
 * extras, as HF loading does.
 *
 * Weight layouts: nn.Linear stores [out, in]; GPT-2's Conv1D stores [in, out] (y = x W + b).
 */
import type { LinearRole, ModelConfig, NormRole } from './config.ts';

export interface TensorSpec {
  /** Logical HF name, e.g. 'model.layers.0.self_attn.q_proj.weight'. */
  name: string;
  /** Row-major shape as stored in the checkpoint. */
  shape: number[];
}

export type WeightLayout = 'linear' | 'conv1d';

/** Module path inside one layer, e.g. 'self_attn.q_proj' (unique within a family). */
export type LinearLocal = string;

export interface LinearModuleSpec {
  /** Full HF module path, e.g. 'model.layers.3.self_attn.q_proj' or 'transformer.h.3.attn.c_attn'. */
  path: string;
  layer: number;
  local: LinearLocal;
  role: LinearRole;
  inFeatures: number;
  outFeatures: number;
  /** 'linear': weight [out, in]; 'conv1d': weight [in, out]. */
  layout: WeightLayout;
  /** Logical weight name (`${path}.weight`) and its stored shape. */
  weight: string;
  weightShape: [number, number];
  /** Logical bias name ([out]) or null. */
  bias: string | null;
}

/** Forward order of the linear roles in a block. */
const ROLE_ORDER: LinearRole[] = ['q', 'k', 'v', 'qkv', 'o', 'gate', 'up', 'gateUp', 'fc', 'down'];

/** state_dict prefix of the base model inside the *ForCausalLM wrapper ('model.' / 'transformer.'). */
export function basePrefix(config: ModelConfig): string {
  return config.names.base;
}

/** 'model.layers.3.' */
export function layerPrefix(config: ModelConfig, i: number): string {
  return `${config.names.base}${config.names.layers}.${i}.`;
}

/** Logical names of the model-level tensors. */
export function embedWeightName(config: ModelConfig): string {
  return `${config.names.base}${config.names.embed}.weight`;
}
export function positionEmbedWeightName(config: ModelConfig): string | null {
  return config.names.positionEmbed === null ? null : `${config.names.base}${config.names.positionEmbed}.weight`;
}
/** Module path (no '.weight') of the final norm. */
export function finalNormName(config: ModelConfig): string {
  return `${config.names.base}${config.names.finalNorm}`;
}
/** Module path of layer i's norm with this role, or null when the family has none there. */
export function normName(config: ModelConfig, i: number, role: NormRole): string | null {
  const local = config.names.norms[role];
  return local === null ? null : layerPrefix(config, i) + local;
}
/** Module paths of layer i's q/k norms (null when qkNorm is 'none'). */
export function qkNormNames(config: ModelConfig, i: number): { q: string; k: string } | null {
  const { qNorm, kNorm } = config.names;
  if (config.qkNorm === 'none' || !qNorm || !kNorm) return null;
  return { q: layerPrefix(config, i) + qNorm, k: layerPrefix(config, i) + kNorm };
}
/** Widths of the q and k norm weights. */
export function qkNormWidths(config: ModelConfig): { q: number; k: number } {
  const hd = config.headDim;
  return config.qkNorm === 'projection' ? { q: config.nHeads * hd, k: config.nKVHeads * hd } : { q: hd, k: hd };
}

/** (in, out) features and bias flag of a linear role. */
function roleShape(config: ModelConfig, role: LinearRole): { inF: number; outF: number; bias: boolean } {
  const C = config.hidden, I = config.intermediate;
  const qW = config.nHeads * config.headDim, kvW = config.nKVHeads * config.headDim;
  switch (role) {
    case 'q': return { inF: C, outF: qW, bias: config.attentionBias };
    case 'k': case 'v': return { inF: C, outF: kvW, bias: config.attentionBias };
    case 'qkv': return { inF: C, outF: qW + 2 * kvW, bias: config.attentionBias };
    case 'o': return { inF: qW, outF: C, bias: config.oProjBias };
    case 'gate': case 'up': case 'fc': return { inF: C, outF: I, bias: config.mlpBias };
    case 'gateUp': return { inF: C, outF: 2 * I, bias: config.mlpBias };
    case 'down': return { inF: I, outF: C, bias: config.mlpBias };
  }
}

/** Linear modules of every layer in forward order, with in/out features, weight layout and role. */
export function linearModules(config: ModelConfig): LinearModuleSpec[] {
  const layout = config.names.linearLayout;
  const out: LinearModuleSpec[] = [];
  for (let i = 0; i < config.nLayers; i++) {
    for (const role of ROLE_ORDER) {
      const local = config.names.linears[role];
      if (!local) continue;
      const { inF, outF, bias } = roleShape(config, role);
      const path = layerPrefix(config, i) + local;
      out.push({
        path, layer: i, local, role, inFeatures: inF, outFeatures: outF, layout,
        weight: `${path}.weight`,
        weightShape: layout === 'linear' ? [outF, inF] : [inF, outF],
        bias: bias ? `${path}.bias` : null,
      });
    }
  }
  return out;
}

/** Every tensor a checkpoint must contain (logical names), in model order. */
export function expectedTensors(config: ModelConfig): TensorSpec[] {
  const C = config.hidden;
  const V = config.vocabSize;
  const specs: TensorSpec[] = [];
  const linears = linearModules(config);
  const isAttn = (role: LinearRole) => role === 'q' || role === 'k' || role === 'v' || role === 'qkv' || role === 'o';
  const pushLinears = (i: number, attn: boolean) => {
    for (const m of linears) {
      if (m.layer !== i || isAttn(m.role) !== attn) continue;
      specs.push({ name: m.weight, shape: [...m.weightShape] });
      if (m.bias) specs.push({ name: m.bias, shape: [m.outFeatures] });
    }
  };
  // A norm: weight [width] (+ bias [width] for LayerNorm).
  const pushNorm = (name: string | null, width = C) => {
    if (name === null) return;
    specs.push({ name: `${name}.weight`, shape: [width] });
    if (config.norm === 'layernorm') specs.push({ name: `${name}.bias`, shape: [width] });
  };
  specs.push({ name: embedWeightName(config), shape: [V, C] });
  const wpe = positionEmbedWeightName(config);
  if (wpe) specs.push({ name: wpe, shape: [config.maxPositions, C] });
  for (let i = 0; i < config.nLayers; i++) {
    pushNorm(normName(config, i, 'attnIn'));
    pushLinears(i, true);
    const qk = qkNormNames(config, i);
    if (qk) {
      const w = qkNormWidths(config);
      pushNorm(qk.q, w.q);
      pushNorm(qk.k, w.k);
    }
    pushNorm(normName(config, i, 'attnOut'));
    pushNorm(normName(config, i, 'mlpIn'));
    pushLinears(i, false);
    pushNorm(normName(config, i, 'mlpOut'));
  }
  pushNorm(finalNormName(config));
  if (!config.tieEmbeddings) specs.push({ name: 'lm_head.weight', shape: [V, C] });
  return specs;
}

/** Logical name of the matrix the LM head multiplies with: [V, C]. */
export function headWeightName(config: ModelConfig): string {
  return config.tieEmbeddings ? embedWeightName(config) : 'lm_head.weight';
}

/** True for norm weights/biases and biases: tensors that are never stored as f16 and get no weight decay. */
export function isNormOrBias(config: ModelConfig, name: string): boolean {
  if (name.endsWith('.bias')) return true;
  return expectedTensors(config).some((s) => s.name === name && s.shape.length === 1);
}

/** Checkpoint entries that HF loading ignores for these models (buffers, tied duplicates). */
function isIgnorable(config: ModelConfig, fileName: string): boolean {
  if (config.names.ignoredBuffers.some((b) => fileName === b || fileName.endsWith(`.${b}`))) return true;
  return config.tieEmbeddings && fileName === 'lm_head.weight';
}

/**
 * Maps every expected logical tensor name to its name in a checkpoint.
 * `present`: the file's tensor names, or name → shape to also check shapes.
 * Tries the logical name, then the name without the base prefix ('transformer.' / 'model.'), which is how the
 * original GPT-2 file and base-model exports store them. Throws one Error listing every missing tensor and every
 * shape mismatch. Extra tensors (known buffers or anything else) are left unused, as HF does.
 */
export function resolveCheckpointNames(
  config: ModelConfig,
  present: Iterable<string> | ReadonlyMap<string, readonly number[]>,
): Map<string, string> {
  const shapes = present instanceof Map ? (present as ReadonlyMap<string, readonly number[]>) : null;
  const names = new Set<string>(shapes ? shapes.keys() : (present as Iterable<string>));
  const prefix = basePrefix(config);
  const resolved = new Map<string, string>();
  const missing: string[] = [];
  const badShapes: string[] = [];
  for (const spec of expectedTensors(config)) {
    const candidates = [spec.name];
    if (spec.name.startsWith(prefix)) candidates.push(spec.name.slice(prefix.length));
    const found = candidates.find((c) => names.has(c));
    if (found === undefined) {
      missing.push(spec.name);
      continue;
    }
    resolved.set(spec.name, found);
    const shape = shapes?.get(found);
    if (shape && (shape.length !== spec.shape.length || shape.some((d, k) => d !== spec.shape[k]))) {
      badShapes.push(`${found}: [${shape.join(', ')}], expected [${spec.shape.join(', ')}]`);
    }
  }
  if (missing.length || badShapes.length) {
    const parts: string[] = [];
    if (missing.length) parts.push(`missing ${missing.length} tensor(s): ${missing.join(', ')}`);
    if (badShapes.length) parts.push(`unexpected shape(s): ${badShapes.join('; ')}`);
    throw new Error(`checkpoint does not match the ${config.architecture} config: ${parts.join('. ')}`);
  }
  return resolved;
}

/** Names in a checkpoint that no expected tensor uses and that are not known-ignorable buffers (for warnings). */
export function unusedCheckpointNames(config: ModelConfig, present: Iterable<string>, resolved: ReadonlyMap<string, string>): string[] {
  const used = new Set(resolved.values());
  return [...present].filter((n) => !used.has(n) && !isIgnorable(config, n));
}

export type ModuleKind = 'linear' | 'conv1d' | 'embedding' | 'lm_head' | 'other';

/**
 * Every named module of the HF *ForCausalLM model (torch `named_modules()` minus the root), with a coarse kind. PEFT
 * matches target_modules against all of these, so a pattern that hits a container (e.g. 'self_attn') must be an error,
 * as it is in PEFT.
 */
export function namedModules(config: ModelConfig): { path: string; kind: ModuleKind }[] {
  const n = config.names;
  const base = n.base.replace(/\.$/, '');
  const mods: { path: string; kind: ModuleKind }[] = [];
  const other = (path: string) => mods.push({ path, kind: 'other' });
  const linearKind: ModuleKind = n.linearLayout === 'conv1d' ? 'conv1d' : 'linear';
  const linears = linearModules(config);
  other(base);
  mods.push({ path: `${n.base}${n.embed}`, kind: 'embedding' });
  if (n.positionEmbed) mods.push({ path: `${n.base}${n.positionEmbed}`, kind: 'embedding' });
  for (const e of n.baseExtras) other(`${n.base}${e}`);
  other(`${n.base}${n.layers}`);
  for (let i = 0; i < config.nLayers; i++) {
    const p = layerPrefix(config, i);
    other(p.slice(0, -1));
    other(p + n.attention);
    other(p + n.mlp);
    for (const m of linears) if (m.layer === i) mods.push({ path: m.path, kind: linearKind });
    const qk = qkNormNames(config, i);
    if (qk) {
      other(qk.q);
      other(qk.k);
    }
    for (const role of ['attnIn', 'attnOut', 'mlpIn', 'mlpOut'] as const) {
      const name = normName(config, i, role);
      if (name) other(name);
    }
    for (const e of n.layerExtras) other(p + e);
  }
  other(finalNormName(config));
  mods.push({ path: 'lm_head', kind: 'lm_head' });
  return mods;
}
