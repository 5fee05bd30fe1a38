/**
 * Hugging Face `config.json` → ModelConfig: the features of one checkpoint, which the graph (transformer/), the float64
 * reference (reference/model64.ts), tensor naming (tensors.ts), LoRA targeting (lora.ts) and the UI all read.
 *
 * Every model family is described in ONE place, its spec in `families/` (names, defaults, features); this module only
 * finds the spec for a config and runs it. Code elsewhere branches on features (`norm`, `qkNorm`, `mlp`, `layers[i]`,
 * which linears exist, …), never on a family's name. Anything the engine cannot reproduce exactly is an error naming
 * the config field, never a silent approximation.
 */
import { FAMILIES, familyFor } from './families/index.ts';
import { fail, isObject, type Json } from './configFields.ts';

/** HF model_type of a supported family (see families/index.ts). */
export type ModelType = string;

/** RoPE frequency scaling (HF ROPE_INIT_FUNCTIONS); 'none' is HF's "default". */
export type RopeScaling =
  | { type: 'none' }
  | { type: 'linear'; factor: number }
  | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number };

/** Rotary position encoding of one layer: base θ and frequency scaling. */
export interface RopeSpec {
  theta: number;
  scaling: RopeScaling;
}

/** What differs between the layers of one model. */
export interface LayerSpec {
  /** Rotary encoding of this layer's q and k; null = no position encoding in this layer (NoPE, or learned positions). */
  rope: RopeSpec | null;
  /** Sliding-window width (query p sees keys u with p − u < window), or null for full causal attention. */
  window: number | null;
}

/** Where each per-layer norm sits: the input of a branch (pre-norm) or its output before the residual add (post-norm). */
export type NormRole = 'attnIn' | 'attnOut' | 'mlpIn' | 'mlpOut';

/** What a linear module computes in the block. Fused modules: qkv = [q | k | v], gateUp = [gate | up] along outputs. */
export type LinearRole = 'q' | 'k' | 'v' | 'qkv' | 'o' | 'gate' | 'up' | 'gateUp' | 'fc' | 'down';

/** Hugging Face module names of a family (the state_dict keys are these + '.weight' / '.bias'). */
export interface ModelNames {
  /** Base model inside the *ForCausalLM wrapper: 'model.' or 'transformer.'. */
  base: string;
  /** Layer list under the base, e.g. 'layers' → 'model.layers.3.'. */
  layers: string;
  /** Token (and learned position) embedding modules under the base. */
  embed: string;
  positionEmbed: string | null;
  /** Final norm under the base. */
  finalNorm: string;
  /** Per-layer norms by role (local to the layer), null where the family has none. */
  norms: Record<NormRole, string | null>;
  /** q/k norms (local to the layer), null where the family has none. */
  qNorm: string | null;
  kNorm: string | null;
  /** Attention and MLP containers (local to the layer). */
  attention: string;
  mlp: string;
  /** Linear modules by role (local to the layer); exactly one of q,k,v / qkv and one of gate,up / gateUp / fc. */
  linears: Partial<Record<LinearRole, string>>;
  /** 'linear': nn.Linear, weight [out, in]; 'conv1d': GPT-2's Conv1D, weight [in, out]. */
  linearLayout: 'linear' | 'conv1d';
  /** Other named submodules (torch named_modules) of a layer and of the base model: PEFT rejects targeting them. */
  layerExtras: string[];
  baseExtras: string[];
  /** Suffixes of checkpoint entries HF loading ignores (non-persistent buffers some exports still carry). */
  ignoredBuffers: string[];
}

export interface ModelConfig {
  /** HF model_type (the family's spec id). */
  modelType: ModelType;
  /** HF causal-LM class, e.g. 'LlamaForCausalLM' (from `architectures`, or implied by model_type). */
  architecture: string;
  names: ModelNames;
  /** PEFT's default target_modules for this model_type, or null where PEFT has none (targets must then be given). */
  peftDefaultTargets: string[] | null;
  /** The studio's "attention" LoRA preset (every attention projection). */
  attentionTargets: string[];
  /** V: rows of the token embedding and of the LM head. */
  vocabSize: number;
  /** C: residual stream width. */
  hidden: number;
  nLayers: number;
  /** Query heads. */
  nHeads: number;
  /** Key/value heads (GQA: nHeads is a multiple of it). */
  nKVHeads: number;
  /** Per-head width (head_dim, independent of C where the config says so). q has nHeads·headDim features. */
  headDim: number;
  /** MLP inner width. */
  intermediate: number;
  /** max_position_embeddings / n_positions (GPT-2: rows of wpe, a hard limit). */
  maxPositions: number;
  normEps: number;
  norm: 'rmsnorm' | 'layernorm';
  /** RMSNorm multiplies by (offset + w): 0 normally, 1 for Gemma's `(1 + w)` norms (all of them, q/k norms included). */
  normWeightOffset: number;
  /** q/k RMSNorm before RoPE: per head (weights [headDim]), over the whole projection (q: [nHeads·hd], k: [nKV·hd]), or none. */
  qkNorm: 'none' | 'head' | 'projection';
  /** 'gated': down(act(gate) ∘ up); 'plain': down(act(fc)). */
  mlp: 'gated' | 'plain';
  hiddenAct: 'silu' | 'gelu_tanh';
  positions: 'rope' | 'learned';
  /** RoPE of the full-attention layers (display; per-layer values are in `layers`). θ 0 when positions are learned. */
  ropeTheta: number;
  ropeScaling: RopeScaling;
  /** Leading dims of each head that RoPE rotates (partial rotary: < headDim; the rest pass through). */
  rotaryDim: number;
  layers: LayerSpec[];
  /** Multiplier of q·kᵀ (head_dim^−½, or query_pre_attn_scalar^−½). */
  attentionScale: number;
  /** Token embeddings are multiplied by this (f32; Gemma: √hidden); 1 elsewhere. */
  embedScale: number;
  /** LM head shares the token embedding (no lm_head.weight). */
  tieEmbeddings: boolean;
  /** q/k/v projections (or the fused qkv) carry a bias. */
  attentionBias: boolean;
  /** o_proj carries a bias. */
  oProjBias: boolean;
  /** MLP projections carry a bias. */
  mlpBias: boolean;
  bosTokenId: number | null;
  /** eos_token_id normalised to a list (configs may hold a single id or a list). */
  eosTokenIds: number[];
  padTokenId: number | null;
  /** Largest sliding window of any layer (display), or null. */
  slidingWindow: number | null;
  /** Longest sequence the engine may train on (maxPositions: a hard limit for learned positions). */
  maxTrainLength: number;
  /** Checkpoint storage dtype as declared (torch_dtype / dtype), e.g. 'bfloat16'; null if absent. */
  torchDtype: string | null;
}

/** The parts of a ModelConfig a family spec computes from config.json (the rest comes from the spec itself). */
export type ModelFeatures = Omit<ModelConfig, 'modelType' | 'architecture' | 'names' | 'peftDefaultTargets' | 'attentionTargets'>;

/** One model family: everything the studio knows about it, in one declarative place (see families/). */
export interface FamilySpec {
  /** HF model_type values this spec reads (aliases share a spec). */
  modelType: string;
  /** HF causal-LM class. */
  architecture: string;
  /** Short human name for lists ("Qwen3"). */
  label: string;
  names: ModelNames;
  peftDefaultTargets: string[] | null;
  attentionTargets: string[];
  /** config.json → features, with this family's HF config-class defaults; throws naming unsupported fields. */
  parse(j: Json): ModelFeatures;
}

const SUPPORTED = () =>
  `supported model_type: ${FAMILIES.map((f) => f.modelType).join(', ')}; architectures: ${FAMILIES.map((f) => f.architecture).join(', ')}`;

function resolveFamily(j: Json): FamilySpec {
  const mt = j.model_type;
  const archs = j.architectures;
  if (archs !== undefined && archs !== null && (!Array.isArray(archs) || archs.some((a) => typeof a !== 'string'))) {
    fail('architectures', `must be a list of class names, got ${JSON.stringify(archs)}`);
  }
  const archList = (archs ?? []) as string[];
  let spec: FamilySpec | undefined;
  if (mt === undefined || mt === null) {
    spec = FAMILIES.find((f) => archList.includes(f.architecture));
    if (!spec) fail('model_type', `is missing and architectures ${JSON.stringify(archList)} name no supported model (${SUPPORTED()})`);
  } else {
    spec = typeof mt === 'string' ? familyFor(mt) : undefined;
    if (!spec) fail('model_type', `${JSON.stringify(mt)} is not supported (${SUPPORTED()})`);
  }
  if (archList.length > 0 && !archList.includes(spec.architecture)) {
    fail('architectures', `${JSON.stringify(archList)} has no ${spec.architecture} for model_type ${spec.modelType} (${SUPPORTED()})`);
  }
  return spec;
}

/** Parses a Hugging Face config.json (already JSON.parse'd). Throws an Error naming the offending field. */
export function parseModelConfig(json: unknown): ModelConfig {
  if (!isObject(json)) throw new Error('config.json: expected a JSON object');
  if (json.is_encoder_decoder === true) fail('is_encoder_decoder', '= true is not supported');
  const spec = resolveFamily(json);
  return {
    modelType: spec.modelType,
    architecture: spec.architecture,
    names: spec.names,
    peftDefaultTargets: spec.peftDefaultTargets,
    attentionTargets: spec.attentionTargets,
    ...spec.parse(json),
  };
}

/** f32 rounding of a float64 result. For + − × ÷ this equals the IEEE f32 operation (double rounding is innocuous). */
const f32 = Math.fround;

/**
 * RoPE inverse frequencies, (rotaryDim/2), of one layer's RoPE (default: the first layer that has one), exactly as transformers' ROPE_INIT_FUNCTIONS compute them.
 *
 * HF computes in float32 tensors: `inv = 1 / (base ** (arange(0, dim, 2).float() / dim))`, then (linear) `inv /= factor`,
 * or (llama3) `wavelen = 2π / inv` etc. We replay that op by op: each step is evaluated in float64 and rounded to f32,
 * which reproduces f32 + − × ÷ bit for bit. Python scalars meet f32 tensors as f32 (PyTorch type promotion), and
 * `scalar / tensor` is `tensor.reciprocal() * scalar` (Tensor.__rtruediv__), so we do the same. The one inexact step
 * is `pow`: we round the exact power, torch's f32 powf may differ by ≤ 1 ulp. Evaluating the whole formula in float64
 * instead would drift by several ulps (the exponent 2i/dim is rounded to f32 first in HF).
 */
export function ropeInvFreq(config: ModelConfig, rope: RopeSpec | null = config.layers.find((l) => l.rope)?.rope ?? null): Float32Array {
  if (!rope) throw new Error(`ropeInvFreq: model_type ${config.modelType} has no rotary embeddings`);
  const dim = config.rotaryDim;
  const half = dim / 2;
  const out = new Float32Array(half);
  const base = f32(rope.theta);
  for (let i = 0; i < half; i++) {
    const expo = f32((2 * i) / dim);
    out[i] = f32(1 / f32(Math.pow(base, expo)));
  }
  const s = rope.scaling;
  if (s.type === 'linear') {
    const factor = f32(s.factor);
    for (let i = 0; i < half; i++) out[i] = f32(out[i] / factor);
  } else if (s.type === 'llama3') {
    const factor = f32(s.factor);
    const low = f32(s.lowFreqFactor);
    const oldCtx = f32(s.originalMaxPositions);
    // Python floats (double) compared against an f32 tensor: the scalar is cast to f32.
    const lowFreqWavelen = f32(s.originalMaxPositions / s.lowFreqFactor);
    const highFreqWavelen = f32(s.originalMaxPositions / s.highFreqFactor);
    const twoPi = f32(2 * Math.PI);
    const highMinusLow = f32(s.highFreqFactor - s.lowFreqFactor);
    for (let i = 0; i < half; i++) {
      const inv = out[i];
      const wavelen = f32(f32(1 / inv) * twoPi);
      // wavelen > low_freq_wavelen: divide by factor; wavelen < high_freq_wavelen: keep.
      const invLlama = wavelen > lowFreqWavelen ? f32(inv / factor) : inv;
      const isMedium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
      if (isMedium) {
        const smooth = f32(f32(f32(f32(1 / wavelen) * oldCtx) - low) / highMinusLow);
        const a = f32(f32(f32(1 - smooth) * invLlama) / factor);
        const b = f32(smooth * invLlama);
        out[i] = f32(a + b);
      } else {
        out[i] = invLlama;
      }
    }
  }
  return out;
}
