/**
 * The tensors of a checkpoint and the linear modules of the model, named as Hugging Face names them.
 *
 * "Logical" names are the state_dict names of the *ForCausalLM model: `model.…` for the llama family and
 * `transformer.…` for GPT-2, plus `lm_head.weight` when the head is not tied. Checkpoint files differ: the original
 * openai-community/gpt2 file has no `transformer.` prefix and carries `h.{i}.attn.bias` / `attn.masked_bias` mask
 * buffers; old Llama exports carry `rotary_emb.inv_freq`; tied checkpoints may still store `lm_head.weight`.
 * `resolveCheckpointNames` maps logical names to names in the file and ignores such extras, as HF loading does.
 *
 * Weight layouts: nn.Linear stores [out, in]; GPT-2's Conv1D stores [in, out] (y = x W + b).
 */
import type { ModelConfig } from './config.ts';

export interface TensorSpec {
  /** Logical HF name, e.g. 'model.layers.0.self_attn.q_proj.weight'. */
  name: string;
  /** Row-major shape as stored in the checkpoint. */
  shape: number[];
}

export type WeightLayout = 'linear' | 'conv1d';

/** Module path inside one layer (unique per family). */
export type LinearLocal =
  | 'self_attn.q_proj'
  | 'self_attn.k_proj'
  | 'self_attn.v_proj'
  | 'self_attn.o_proj'
  | 'mlp.gate_proj'
  | 'mlp.up_proj'
  | 'mlp.down_proj'
  | 'attn.c_attn'
  | 'attn.c_proj'
  | 'mlp.c_fc'
  | 'mlp.c_proj';

export interface LinearModuleSpec {
  /** Full HF module path, e.g. 'model.layers.3.self_attn.q_proj' or 'transformer.h.3.attn.c_attn'. */
  path: string;
  layer: number;
  local: LinearLocal;
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

/** state_dict prefix of the base model inside the *ForCausalLM wrapper. */
export function basePrefix(config: ModelConfig): string {
  return config.arch === 'gpt2' ? 'transformer.' : 'model.';
}

function layerPrefix(config: ModelConfig, i: number): string {
  return config.arch === 'gpt2' ? `transformer.h.${i}.` : `model.layers.${i}.`;
}

/** Linear modules of every layer in forward order, with in/out features and weight layout. */
export function linearModules(config: ModelConfig): LinearModuleSpec[] {
  const C = config.hidden;
  const out: LinearModuleSpec[] = [];
  const add = (i: number, local: LinearLocal, inF: number, outF: number, layout: WeightLayout, hasBias: boolean) => {
    const path = layerPrefix(config, i) + local;
    out.push({
      path,
      layer: i,
      local,
      inFeatures: inF,
      outFeatures: outF,
      layout,
      weight: `${path}.weight`,
      weightShape: layout === 'linear' ? [outF, inF] : [inF, outF],
      bias: hasBias ? `${path}.bias` : null,
    });
  };
  for (let i = 0; i < config.nLayers; i++) {
    if (config.arch === 'gpt2') {
      add(i, 'attn.c_attn', C, 3 * C, 'conv1d', true);
      add(i, 'attn.c_proj', C, C, 'conv1d', true);
      add(i, 'mlp.c_fc', C, config.intermediate, 'conv1d', true);
      add(i, 'mlp.c_proj', config.intermediate, C, 'conv1d', true);
    } else {
      const qDim = config.nHeads * config.headDim;
      const kvDim = config.nKVHeads * config.headDim;
      add(i, 'self_attn.q_proj', C, qDim, 'linear', config.attentionBias);
      add(i, 'self_attn.k_proj', C, kvDim, 'linear', config.attentionBias);
      add(i, 'self_attn.v_proj', C, kvDim, 'linear', config.attentionBias);
      add(i, 'self_attn.o_proj', qDim, C, 'linear', config.oProjBias);
      add(i, 'mlp.gate_proj', C, config.intermediate, 'linear', config.mlpBias);
      add(i, 'mlp.up_proj', C, config.intermediate, 'linear', config.mlpBias);
      add(i, 'mlp.down_proj', config.intermediate, C, 'linear', config.mlpBias);
    }
  }
  return out;
}

/** Every tensor a checkpoint must contain (logical names), in model order. */
export function expectedTensors(config: ModelConfig): TensorSpec[] {
  const C = config.hidden;
  const V = config.vocabSize;
  const gpt2 = config.arch === 'gpt2';
  const specs: TensorSpec[] = [];
  const linears = linearModules(config);
  // Weight (+ bias) of the layer's linear modules whose local path starts with `group` ('attn.', 'self_attn.', 'mlp.').
  const pushLinears = (i: number, group: string) => {
    for (const m of linears) {
      if (m.layer !== i || !m.local.startsWith(group)) continue;
      specs.push({ name: m.weight, shape: [...m.weightShape] });
      if (m.bias) specs.push({ name: m.bias, shape: [m.outFeatures] });
    }
  };
  // A norm: weight [C] (+ bias [C] for LayerNorm).
  const pushNorm = (name: string) => {
    specs.push({ name: `${name}.weight`, shape: [C] });
    if (gpt2) specs.push({ name: `${name}.bias`, shape: [C] });
  };
  if (gpt2) {
    specs.push({ name: 'transformer.wte.weight', shape: [V, C] });
    specs.push({ name: 'transformer.wpe.weight', shape: [config.maxPositions, C] });
  } else {
    specs.push({ name: 'model.embed_tokens.weight', shape: [V, C] });
  }
  for (let i = 0; i < config.nLayers; i++) {
    const p = layerPrefix(config, i);
    pushNorm(gpt2 ? `${p}ln_1` : `${p}input_layernorm`);
    pushLinears(i, gpt2 ? 'attn.' : 'self_attn.');
    pushNorm(gpt2 ? `${p}ln_2` : `${p}post_attention_layernorm`);
    pushLinears(i, 'mlp.');
  }
  pushNorm(gpt2 ? 'transformer.ln_f' : 'model.norm');
  if (!config.tieEmbeddings) specs.push({ name: 'lm_head.weight', shape: [V, C] });
  return specs;
}

/** Logical name of the matrix the LM head multiplies with: [V, C]. */
export function headWeightName(config: ModelConfig): string {
  if (!config.tieEmbeddings) return 'lm_head.weight';
  return config.arch === 'gpt2' ? 'transformer.wte.weight' : 'model.embed_tokens.weight';
}

/** Checkpoint entries that HF loading ignores for these models (buffers, tied duplicates). */
function isIgnorable(config: ModelConfig, fileName: string): boolean {
  if (/(^|\.)attn\.(bias|masked_bias)$/.test(fileName) && config.arch === 'gpt2') return true;
  if (/rotary_emb\.inv_freq$/.test(fileName)) return true;
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
  const mods: { path: string; kind: ModuleKind }[] = [];
  const other = (path: string) => mods.push({ path, kind: 'other' });
  const linears = linearModules(config);
  if (config.arch === 'gpt2') {
    other('transformer');
    mods.push({ path: 'transformer.wte', kind: 'embedding' }, { path: 'transformer.wpe', kind: 'embedding' });
    other('transformer.drop');
    other('transformer.h');
    for (let i = 0; i < config.nLayers; i++) {
      const p = `transformer.h.${i}`;
      other(p);
      other(`${p}.ln_1`);
      other(`${p}.attn`);
      for (const m of linears) if (m.layer === i && m.local.startsWith('attn.')) mods.push({ path: m.path, kind: 'conv1d' });
      other(`${p}.attn.attn_dropout`);
      other(`${p}.attn.resid_dropout`);
      other(`${p}.ln_2`);
      other(`${p}.mlp`);
      for (const m of linears) if (m.layer === i && m.local.startsWith('mlp.')) mods.push({ path: m.path, kind: 'conv1d' });
      other(`${p}.mlp.act`);
      other(`${p}.mlp.dropout`);
    }
    other('transformer.ln_f');
  } else {
    other('model');
    mods.push({ path: 'model.embed_tokens', kind: 'embedding' });
    other('model.layers');
    for (let i = 0; i < config.nLayers; i++) {
      const p = `model.layers.${i}`;
      other(p);
      other(`${p}.self_attn`);
      for (const m of linears) if (m.layer === i && m.local.startsWith('self_attn.')) mods.push({ path: m.path, kind: 'linear' });
      other(`${p}.mlp`);
      for (const m of linears) if (m.layer === i && m.local.startsWith('mlp.')) mods.push({ path: m.path, kind: 'linear' });
      other(`${p}.mlp.act_fn`);
      other(`${p}.input_layernorm`);
      other(`${p}.post_attention_layernorm`);
    }
    other('model.norm');
    other('model.rotary_emb');
  }
  mods.push({ path: 'lm_head', kind: 'lm_head' });
  return mods;
}
