/**
 * Independent float64 CPU reference of the whole model — forward, causal-LM loss and backward, with LoRA — used as
 * the gold standard for the GPU model's loss and gradients. Follows HF transformers' modeling code:
 *
 * llama family (Llama / Mistral / Qwen2), per layer, x (T, C):
 *   h = RMSNorm(x)·w;  q, k, v = Linear(h) (+ bias: qwen2 q/k/v, llama attention_bias);  q, k ← RoPE rotate-half;
 *   causal softmax(q kᵀ/√hd) v with GQA (query head h reads kv head ⌊h·nKV/nH⌋);  x += o_proj(·);
 *   h = RMSNorm(x)·w;  x += down(silu(gate(h)) ∘ up(h)).   Final RMSNorm, head = lm_head or embed_tokens (tied).
 * gpt2: x = wte[ids] + wpe[0..T);  h = LN_1(x);  qkv = h·c_attn + b (Conv1D, W [C, 3C]) split q | k | v;
 *   x += c_proj(attention);  x += c_proj(gelu_tanh(c_fc(LN_2(x))));  final ln_f;  head = wte (tied).
 * Positions are 0…T−1 for every row (no attention mask: pad on the right and mask the labels).
 * Targeted linears compute W x + b + scale·B(A x) (LoRA dropout off).
 * Loss (HF ForCausalLMLoss): logits at t predict labels[t+1]; labels of −100 are ignored; the loss is the sum of
 * token cross-entropies over the whole batch divided by the number of counted targets (or `lossNormalizer`).
 */
import type { ModelConfig } from '../model/config.ts';
import { ropeInvFreq } from '../model/config.ts';
import type { LoraTarget } from '../model/lora.ts';
import { expectedTensors, headWeightName, linearModules, type LinearModuleSpec } from '../model/tensors.ts';
import {
  attentionBackward, attentionForward, geluTanh, geluTanhGrad, layernormBackward, layernormForward, linearBackward,
  linearForward, rmsnormBackward, rmsnormForward, rope, silu, siluGrad, type F64, type Linear64, type LinearGrads,
} from './model64Ops.ts';

export const IGNORE_INDEX = -100;

export interface Model64Args {
  config: ModelConfig;
  /** Base weights by logical HF name (see expectedTensors), in the checkpoint layout (Conv1D [in, out] for gpt2). */
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

interface LinearSlot {
  spec: LinearModuleSpec;
  lin: Linear64;
  grads: LinearGrads;
}

/** Per-layer activations saved for the backward of one sequence. */
interface LayerCache {
  x: F64; // layer input (T, C)
  n1: { y: F64; rstd: F64; mean?: F64 };
  qkvIn: { y: F64; z: F64 | null }[]; // llama: q, k, v outputs; gpt2: [c_attn]
  q: F64; k: F64; v: F64; // attention inputs (after RoPE for llama)
  probs: F64;
  o: F64; // attention output (T, nH·hd)
  oz: F64 | null;
  x1: F64; // after the attention residual
  n2: { y: F64; rstd: F64; mean?: F64 };
  up: { y: F64; z: F64 | null }[]; // llama: gate, up; gpt2: c_fc
  m: F64; // MLP activation fed to down / c_proj
  mz: F64 | null;
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

/** Forward, loss and (optionally) backward of the whole model in float64. */
export function model64(args: Model64Args): Model64Result {
  const { config: cfg, weights } = args;
  const { B, T } = validate(args);
  const backward = args.backward ?? true;
  const full = backward && (args.fullParams ?? false);
  const C = cfg.hidden;
  const V = cfg.vocabSize;
  const gpt2 = cfg.arch === 'gpt2';
  const grads = new Map<string, Float64Array>();
  const grad = (name: string, n: number): F64 | null => {
    if (!full) return null;
    let g = grads.get(name);
    if (!g) grads.set(name, (g = new Float64Array(n)));
    return g;
  };

  // Linear modules with their LoRA (if targeted) and gradient sinks.
  const loraBy = new Map((args.lora?.targets ?? []).map((t) => [t.module, t]));
  const slots = new Map<string, LinearSlot>();
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
    const g: LinearGrads = {
      dW: grad(spec.weight, spec.inFeatures * spec.outFeatures),
      db: spec.bias ? grad(spec.bias, spec.outFeatures) : null,
      dA: null,
      dB: null,
    };
    if (t && backward) {
      grads.set(t.keyA, (g.dA = new Float64Array(t.r * t.inFeatures)));
      grads.set(t.keyB, (g.dB = new Float64Array(t.outFeatures * t.r)));
    }
    slots.set(`${spec.layer}:${spec.local}`, { spec, lin, grads: g });
  }
  const slot = (l: number, local: string) => slots.get(`${l}:${local}`)!;
  const invFreq = gpt2 ? null : ropeInvFreq(cfg);
  const nH = cfg.nHeads;
  const nKV = cfg.nKVHeads;
  const hd = cfg.headDim;
  const lp = (l: number) => (gpt2 ? `transformer.h.${l}.` : `model.layers.${l}.`);

  // Norm helpers: RMSNorm (llama) or LayerNorm (gpt2) by weight-name stem.
  const normF = (x: F64, stem: string) => {
    const w = need(weights, `${stem}.weight`);
    if (!gpt2) return rmsnormForward(x, w, T, C, cfg.normEps);
    return layernormForward(x, w, need(weights, `${stem}.bias`), T, C, cfg.normEps);
  };
  const normB = (dy: F64, x: F64, n: { rstd: F64; mean?: F64 }, stem: string) => {
    const w = need(weights, `${stem}.weight`);
    if (!gpt2) return rmsnormBackward(dy, x, w, n.rstd, T, C, grad(`${stem}.weight`, C));
    return layernormBackward(dy, x, w, n.mean!, n.rstd, T, C, grad(`${stem}.weight`, C), grad(`${stem}.bias`, C));
  };
  const norm1 = (l: number) => lp(l) + (gpt2 ? 'ln_1' : 'input_layernorm');
  const norm2 = (l: number) => lp(l) + (gpt2 ? 'ln_2' : 'post_attention_layernorm');
  const normF_ = gpt2 ? 'transformer.ln_f' : 'model.norm';
  const embName = gpt2 ? 'transformer.wte.weight' : 'model.embed_tokens.weight';
  const headW = need(weights, headWeightName(cfg));

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
    const emb = need(weights, embName);
    const wpe = gpt2 ? need(weights, 'transformer.wpe.weight') : null;
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < C; c++) x[t * C + c] = emb[ids[t] * C + c] + (wpe ? wpe[t * C + c] : 0);
    }

    // ---- layers
    const caches: LayerCache[] = [];
    for (let l = 0; l < cfg.nLayers; l++) {
      const n1 = normF(x, norm1(l));
      let q: F64, k: F64, v: F64;
      let qkvIn: { y: F64; z: F64 | null }[];
      if (gpt2) {
        const qkv = linearForward(n1.y, slot(l, 'attn.c_attn').lin, T);
        qkvIn = [qkv];
        [q, k, v] = [0, 1, 2].map((part) => {
          const out = new Float64Array(T * C);
          for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) out[t * C + c] = qkv.y[t * 3 * C + part * C + c];
          return out;
        });
      } else {
        qkvIn = ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj'].map((m) => linearForward(n1.y, slot(l, m).lin, T));
        q = rope(qkvIn[0].y, T, nH, hd, invFreq!);
        k = rope(qkvIn[1].y, T, nKV, hd, invFreq!);
        v = qkvIn[2].y;
      }
      const att = attentionForward(q, k, v, T, nH, nKV, hd);
      const oProj = linearForward(att.out, slot(l, gpt2 ? 'attn.c_proj' : 'self_attn.o_proj').lin, T);
      const x1 = new Float64Array(T * C);
      for (let i = 0; i < T * C; i++) x1[i] = x[i] + oProj.y[i];
      const n2 = normF(x1, norm2(l));
      let up: { y: F64; z: F64 | null }[];
      let m: F64;
      if (gpt2) {
        up = [linearForward(n2.y, slot(l, 'mlp.c_fc').lin, T)];
        m = up[0].y.map(geluTanh);
      } else {
        up = [linearForward(n2.y, slot(l, 'mlp.gate_proj').lin, T), linearForward(n2.y, slot(l, 'mlp.up_proj').lin, T)];
        m = up[0].y.map((g, i) => silu(g) * up[1].y[i]);
      }
      const down = linearForward(m, slot(l, gpt2 ? 'mlp.c_proj' : 'mlp.down_proj').lin, T);
      const x2 = new Float64Array(T * C);
      for (let i = 0; i < T * C; i++) x2[i] = x1[i] + down.y[i];
      caches.push({ x, n1, qkvIn, q, k, v, probs: att.probs, o: att.out, oz: oProj.z, x1, n2, up, m, mz: down.z });
      x = x2;
    }

    // ---- final norm, head, loss: logits (T, V) = xf W_headᵀ
    const nf = normF(x, normF_);
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
    const dHead = grad(headWeightName(cfg), V * C);
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
    let dx = normB(dxf, x, nf, normF_);

    // ---- backward through the layers
    for (let l = cfg.nLayers - 1; l >= 0; l--) {
      const c = caches[l];
      const dx1 = dx.slice(); // residual path
      const downSlot = slot(l, gpt2 ? 'mlp.c_proj' : 'mlp.down_proj');
      const dm = linearBackward(dx, c.m, c.mz, downSlot.lin, T, downSlot.grads);
      let dh2: F64;
      if (gpt2) {
        const dfc = dm.map((d, i) => d * geluTanhGrad(c.up[0].y[i]));
        const s = slot(l, 'mlp.c_fc');
        dh2 = linearBackward(dfc, c.n2.y, c.up[0].z, s.lin, T, s.grads);
      } else {
        const [g, u] = [c.up[0].y, c.up[1].y];
        const dg = dm.map((d, i) => d * u[i] * siluGrad(g[i]));
        const du = dm.map((d, i) => d * silu(g[i]));
        const sg = slot(l, 'mlp.gate_proj');
        const su = slot(l, 'mlp.up_proj');
        dh2 = linearBackward(dg, c.n2.y, c.up[0].z, sg.lin, T, sg.grads);
        const dh2u = linearBackward(du, c.n2.y, c.up[1].z, su.lin, T, su.grads);
        for (let i = 0; i < T * C; i++) dh2[i] += dh2u[i];
      }
      const dn2 = normB(dh2, c.x1, c.n2, norm2(l));
      for (let i = 0; i < T * C; i++) dx1[i] += dn2[i];

      const oSlot = slot(l, gpt2 ? 'attn.c_proj' : 'self_attn.o_proj');
      const dO = linearBackward(dx1, c.o, c.oz, oSlot.lin, T, oSlot.grads);
      const { dq, dk, dv } = attentionBackward(dO, c.q, c.k, c.v, c.probs, T, nH, nKV, hd);
      let dh1: F64;
      if (gpt2) {
        const dqkv = new Float64Array(T * 3 * C);
        for (let t = 0; t < T; t++) {
          for (let j = 0; j < C; j++) {
            dqkv[t * 3 * C + j] = dq[t * C + j];
            dqkv[t * 3 * C + C + j] = dk[t * C + j];
            dqkv[t * 3 * C + 2 * C + j] = dv[t * C + j];
          }
        }
        const s = slot(l, 'attn.c_attn');
        dh1 = linearBackward(dqkv, c.n1.y, c.qkvIn[0].z, s.lin, T, s.grads);
      } else {
        const dIn = [rope(dq, T, nH, hd, invFreq!, true), rope(dk, T, nKV, hd, invFreq!, true), dv];
        dh1 = new Float64Array(T * C);
        ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj'].forEach((m, j) => {
          const s = slot(l, m);
          const d = linearBackward(dIn[j], c.n1.y, c.qkvIn[j].z, s.lin, T, s.grads);
          for (let i = 0; i < T * C; i++) dh1[i] += d[i];
        });
      }
      const dn1 = normB(dh1, c.x, c.n1, norm1(l));
      for (let i = 0; i < T * C; i++) dx1[i] += dn1[i];
      dx = dx1;
    }

    // ---- embeddings
    const dEmb = grad(embName, V * C);
    const dWpe = gpt2 ? grad('transformer.wpe.weight', cfg.maxPositions * C) : null;
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < C; c++) {
        if (dEmb) dEmb[ids[t] * C + c] += dx[t * C + c];
        if (dWpe) dWpe[t * C + c] += dx[t * C + c];
      }
    }
  }

  return { loss: lossSum / denom, nTargets, logits: logitsOut, grads };
}
