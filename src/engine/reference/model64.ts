/**
 * Independent float64 CPU reference of the whole model — forward, causal-LM loss and backward, with LoRA — used as
 * the gold standard for the GPU model's loss and gradients. Follows HF transformers' modeling code, driven only by the
 * config's features and the family spec's names (never by a family's name):
 *
 *   x = embed[ids] · embedScale (+ learned position rows 0…T−1, unscaled, when the model has them);
 *   per layer: see model64Block.ts (optional pre/post norms around attention and MLP, separate or fused projections,
 *   q/k norms, per-layer RoPE / NoPE, partial rotary, sliding windows, GQA, gated or plain MLP, biases);
 *   final norm; logits = x W_headᵀ with W_head = lm_head or the (unscaled) embedding when tied.
 * Positions are 0…T−1 for every row (no attention mask: pad on the right and mask the labels).
 * Targeted linears compute W x + b + scale·B(A x) (LoRA dropout off), fused ones over their whole output.
 * Loss (HF ForCausalLMLoss): logits at t predict labels[t+1]; labels of −100 are ignored; the loss is the sum of
 * token cross-entropies over the whole batch divided by the number of counted targets (or `lossNormalizer`).
 * Gradients: LoRA A/B always; every base tensor with fullParams (a tied head adds into the embedding, whose input
 * gradient carries the embedScale factor).
 */
import type { ModelConfig, NormRole } from '../model/config.ts';
import { ropeInvFreq } from '../model/config.ts';
import type { LoraTarget } from '../model/lora.ts';
import {
  embedWeightName, expectedTensors, finalNormName, headWeightName, linearModules, normName, positionEmbedWeightName,
  qkNormNames, qkNormWidths,
} from '../model/tensors.ts';
import { blockBackward, blockForward, normBackward, normForward, type Block64, type BlockCache, type LinearSlot, type Norm64 } from './model64Block.ts';
import { activation, type F64, type Linear64, type LinearGrads } from './model64Ops.ts';

export const IGNORE_INDEX = -100;

export interface Model64Args {
  config: ModelConfig;
  /** Base weights by logical HF name (see expectedTensors), in the checkpoint layout (Conv1D weights [in, out]). */
  weights: ReadonlyMap<string, Float64Array>;
  /** LoRA targets and their matrices keyed by target.keyA ([r, in]) / target.keyB ([out, r]). */
  lora?: { targets: readonly LoraTarget[]; params: ReadonlyMap<string, Float64Array> };
  /** (B, T) token ids. */
  inputIds: number[][];
  /** (B, T) labels (usually the input ids), −100 = not trained. */
  labels: number[][];
  /** Also return gradients of every base weight (keyed by logical name; a tied head adds into the embedding). */
  fullParams?: boolean;
  /** Return logits (B, T, V). */
  returnLogits?: boolean;
  /** Skip the backward (forward + loss only). Default true = compute gradients. */
  backward?: boolean;
  /** Divide the summed token loss by this instead of the number of targets (HF num_items_in_batch). */
  lossNormalizer?: number;
}

export interface Model64Result {
  loss: number;
  /** Number of (non-ignored) predicted targets in the batch. */
  nTargets: number;
  /** (B, T, V) when returnLogits. */
  logits?: Float64Array;
  /** LoRA gradients by PEFT key (always, when lora is given) + base-weight gradients by logical name (fullParams). */
  grads: Map<string, Float64Array>;
}

function need(weights: ReadonlyMap<string, Float64Array>, name: string): Float64Array {
  const w = weights.get(name);
  if (!w) throw new Error(`model64: missing weight ${name}`);
  return w;
}

function validate(args: Model64Args): { B: number; T: number } {
  const { config, weights, inputIds, labels } = args;
  const problems: string[] = [];
  for (const s of expectedTensors(config)) {
    const w = weights.get(s.name);
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (!w) problems.push(`missing ${s.name}`);
    else if (w.length !== n) problems.push(`${s.name} has ${w.length} values, expected ${n} [${s.shape.join(', ')}]`);
  }
  for (const t of args.lora?.targets ?? []) {
    const a = args.lora!.params.get(t.keyA);
    const b = args.lora!.params.get(t.keyB);
    if (!a || a.length !== t.r * t.inFeatures) problems.push(`LoRA ${t.keyA} needs ${t.r * t.inFeatures} values`);
    if (!b || b.length !== t.outFeatures * t.r) problems.push(`LoRA ${t.keyB} needs ${t.outFeatures * t.r} values`);
  }
  if (config.layers.length !== config.nLayers) problems.push(`config has ${config.layers.length} layer specs for ${config.nLayers} layers`);
  const rd = config.rotaryDim;
  if (config.layers.some((l) => l.rope) && !(rd > 0 && rd % 2 === 0 && rd <= config.headDim)) problems.push(`rotaryDim ${rd} must be even and in (0, headDim]`);
  if (config.layers.some((l) => l.window !== null && !(l.window >= 1))) problems.push('sliding windows must be ≥ 1');
  if (problems.length) throw new Error(`model64: ${problems.join('; ')}`);
  const B = inputIds.length;
  const T = inputIds[0]?.length ?? 0;
  if (B === 0 || T === 0) throw new Error('model64: input_ids must be a non-empty (B, T) array');
  if (T > config.maxTrainLength) throw new Error(`model64: sequence length ${T} exceeds maxTrainLength ${config.maxTrainLength}`);
  if (labels.length !== B) throw new Error(`model64: labels has ${labels.length} rows, input_ids ${B}`);
  for (let b = 0; b < B; b++) {
    if (inputIds[b].length !== T || labels[b].length !== T) throw new Error(`model64: row ${b} is not of length ${T}`);
    for (let t = 0; t < T; t++) {
      const id = inputIds[b][t];
      const y = labels[b][t];
      if (!Number.isInteger(id) || id < 0 || id >= config.vocabSize) throw new Error(`model64: input_ids[${b}][${t}] = ${id} is out of range`);
      if (y !== IGNORE_INDEX && (!Number.isInteger(y) || y < 0 || y >= config.vocabSize)) throw new Error(`model64: labels[${b}][${t}] = ${y} is out of range`);
    }
  }
  return { B, T };
}

/** Builds the modules of every layer (norms with offset-applied weights, linears with LoRA, gradient sinks). */
function buildBlocks(args: Model64Args, T: number, grad: (name: string) => F64 | null, backward: boolean, grads: Map<string, F64>): Block64[] {
  const { config: cfg, weights } = args;
  const norm = (name: string | null, width: number) => (name === null ? null : normModule(cfg, weights, grad, name, width));
  const loraBy = new Map((args.lora?.targets ?? []).map((t) => [t.module, t]));
  const blocks: Block64[] = [];
  const qkW = qkNormWidths(cfg);
  const C = cfg.hidden;
  for (let l = 0; l < cfg.nLayers; l++) {
    const layer = cfg.layers[l];
    const n = (role: NormRole) => norm(normName(cfg, l, role), C);
    const qk = qkNormNames(cfg, l);
    const blk: Block64 = {
      attnIn: n('attnIn'), attnOut: n('attnOut'), mlpIn: n('mlpIn'), mlpOut: n('mlpOut'),
      qNorm: qk ? norm(qk.q, qkW.q) : null,
      kNorm: qk ? norm(qk.k, qkW.k) : null,
      linears: {},
      invFreq: layer.rope ? ropeInvFreq(cfg, layer.rope) : null,
      rotaryDim: cfg.rotaryDim,
      attention: { T, nH: cfg.nHeads, nKV: cfg.nKVHeads, hd: cfg.headDim, scale: cfg.attentionScale, window: layer.window },
      gated: cfg.mlp === 'gated',
      act: activation(cfg.hiddenAct),
      qW: cfg.nHeads * cfg.headDim,
      kvW: cfg.nKVHeads * cfg.headDim,
      I: cfg.intermediate,
    };
    blocks.push(blk);
  }
  for (const spec of linearModules(cfg)) {
    const t = loraBy.get(spec.path);
    const lin: Linear64 = {
      W: need(weights, spec.weight),
      layout: spec.layout,
      bias: spec.bias ? need(weights, spec.bias) : null,
      inF: spec.inFeatures,
      outF: spec.outFeatures,
      lora: t ? { A: args.lora!.params.get(t.keyA)!, B: args.lora!.params.get(t.keyB)!, r: t.r, scale: t.scale } : null,
    };
    const g: LinearGrads = { dW: grad(spec.weight), db: spec.bias ? grad(spec.bias) : null, dA: null, dB: null };
    if (t && backward) {
      grads.set(t.keyA, (g.dA = new Float64Array(t.r * t.inFeatures)));
      grads.set(t.keyB, (g.dB = new Float64Array(t.outFeatures * t.r)));
    }
    const slot: LinearSlot = { spec, lin, grads: g };
    blocks[spec.layer].linears[spec.role] = slot;
  }
  return blocks;
}

/** Forward, loss and (optionally) backward of the whole model in float64. */
export function model64(args: Model64Args): Model64Result {
  const { config: cfg, weights } = args;
  const { B, T } = validate(args);
  const backward = args.backward ?? true;
  const full = backward && (args.fullParams ?? false);
  const C = cfg.hidden;
  const V = cfg.vocabSize;
  const grads = new Map<string, Float64Array>();
  // fullParams: a zero gradient for every base tensor, up front (LoRA keys are added by buildBlocks).
  const baseGrads = new Map<string, Float64Array>();
  if (full) for (const s of expectedTensors(cfg)) baseGrads.set(s.name, new Float64Array(s.shape.reduce((a, b) => a * b, 1)));
  const grad = (name: string): F64 | null => {
    if (!full) return null;
    const g = baseGrads.get(name);
    if (!g) throw new Error(`model64: ${name} is used but not among the config's expected tensors`);
    return g;
  };
  const blocks = buildBlocks(args, T, grad, backward, grads);
  for (const [k, g] of baseGrads) grads.set(k, g);

  const embName = embedWeightName(cfg);
  const emb = need(weights, embName);
  const wpeName = positionEmbedWeightName(cfg);
  const wpe = wpeName ? need(weights, wpeName) : null;
  const finalNorm = normModule(cfg, weights, grad, finalNormName(cfg), C);
  const headName = headWeightName(cfg);
  const headW = need(weights, headName);
  const es = cfg.embedScale;

  let lossSum = 0;
  let nTargets = 0;
  for (const row of args.labels) for (let t = 1; t < T; t++) if (row[t] !== IGNORE_INDEX) nTargets++;
  const denom = args.lossNormalizer ?? nTargets;
  if (!(denom > 0)) throw new Error('model64: the batch has no trained targets (every shifted label is −100)');
  const logitsOut = args.returnLogits ? new Float64Array(B * T * V) : undefined;

  for (let b = 0; b < B; b++) {
    const ids = args.inputIds[b];
    // ---- embeddings: x (T, C)
    let x: F64 = new Float64Array(T * C);
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < C; c++) x[t * C + c] = emb[ids[t] * C + c] * es + (wpe ? wpe[t * C + c] : 0);
    }

    // ---- layers
    const caches: BlockCache[] = [];
    for (const blk of blocks) {
      const r = blockForward(blk, x);
      caches.push(r.cache);
      x = r.out;
    }

    // ---- final norm, head, loss: logits (T, V) = xf W_headᵀ
    const nf = normForward(finalNorm, x);
    const dlogits = new Float64Array(T * V);
    for (let t = 0; t < T; t++) {
      const logits = new Float64Array(V);
      for (let vv = 0; vv < V; vv++) {
        let s = 0;
        for (let c = 0; c < C; c++) s += nf.y[t * C + c] * headW[vv * C + c];
        logits[vv] = s;
      }
      logitsOut?.set(logits, (b * T + t) * V);
      const y = t + 1 < T ? args.labels[b][t + 1] : IGNORE_INDEX;
      if (y === IGNORE_INDEX) continue;
      let max = -Infinity;
      for (let vv = 0; vv < V; vv++) max = Math.max(max, logits[vv]);
      let sum = 0;
      for (let vv = 0; vv < V; vv++) sum += Math.exp(logits[vv] - max);
      lossSum += Math.log(sum) + max - logits[y];
      for (let vv = 0; vv < V; vv++) dlogits[t * V + vv] = Math.exp(logits[vv] - max) / sum / denom;
      dlogits[t * V + y] -= 1 / denom;
    }
    if (!backward) continue;

    // ---- backward: head and final norm
    const dHead = grad(headName);
    const dxf = new Float64Array(T * C);
    for (let t = 0; t < T; t++) {
      for (let vv = 0; vv < V; vv++) {
        const d = dlogits[t * V + vv];
        if (d === 0) continue;
        for (let c = 0; c < C; c++) {
          dxf[t * C + c] += d * headW[vv * C + c];
          if (dHead) dHead[vv * C + c] += d * nf.y[t * C + c];
        }
      }
    }
    let dx = normBackward(finalNorm, dxf, x, nf);

    // ---- backward through the layers
    for (let l = cfg.nLayers - 1; l >= 0; l--) dx = blockBackward(blocks[l], caches[l], dx);

    // ---- embeddings (a tied head's gradient is already in dEmb)
    const dEmb = grad(embName);
    const dWpe = wpeName ? grad(wpeName) : null;
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < C; c++) {
        if (dEmb) dEmb[ids[t] * C + c] += es * dx[t * C + c];
        if (dWpe) dWpe[t * C + c] += dx[t * C + c];
      }
    }
  }

  return { loss: lossSum / denom, nTargets, logits: logitsOut, grads };
}

/** A norm module by path (no '.weight'): weights with the config's offset applied, LayerNorm bias, gradient sinks. */
function normModule(
  cfg: ModelConfig, weights: ReadonlyMap<string, Float64Array>, grad: (name: string) => F64 | null, name: string, width: number,
): Norm64 {
  const layer = cfg.norm === 'layernorm';
  return {
    kind: cfg.norm,
    w: need(weights, `${name}.weight`).map((wi) => cfg.normWeightOffset + wi),
    b: layer ? need(weights, `${name}.bias`) : null,
    width,
    eps: cfg.normEps,
    dw: grad(`${name}.weight`),
    db: layer ? grad(`${name}.bias`) : null,
  };
}
