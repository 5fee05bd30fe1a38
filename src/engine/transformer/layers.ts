/**
 * One transformer block, forward and backward, for every family, driven by the config's features only:
 *
 *   xa  = attnIn ? Norm(x) : x                                   (pre-norm; OLMo 2 has none)
 *   q,k,v = Linear(xa)  — separate q/k/v, or one fused qkv split by columns [q | k | v]
 *   q,k ← qkNorm (per head, or over the whole projection) → RoPE of this layer (none: NoPE / learned positions)
 *   att = causal GQA attention (scale = cfg.attentionScale, sliding window of this layer)
 *   res2 = x + (attnOut ? Norm(o(att)) : o(att))                 (post-norm: OLMo 2, Gemma 3's sandwich)
 *   xm  = mlpIn ? Norm(res2) : res2
 *   h   = gated: act(gate(xm)) ∘ up(xm) (gate/up separate or one fused gateUp = [gate | up]);  plain: act(fc(xm))
 *   out = res2 + (mlpOut ? Norm(down(h)) : down(h))
 *
 * Norm is RMSNorm·(offset + w) or LayerNorm (+ bias). Backward takes dres = d(out) and leaves d(x) in dres: the skip
 * connection passes the gradient through and each branch's input gradient is accumulated on top.
 */
import type { Recorder } from '../gpu/recorder';
import type { LinearRole, ModelConfig } from '../model/config';
import { rmsnormForward, rmsnormBackward } from '../kernels/rmsnorm';
import { layernormForward, layernormBackward } from '../kernels/layernorm';
import { ropeForwardQK, ropeBackwardQK } from '../kernels/rope';
import { attentionForward, attentionBackward } from '../kernels/attention';
import { swigluForward, swigluBackward, swigluForwardFused, swigluBackwardFused } from '../kernels/swiglu';
import { geluForward, geluBackward } from '../kernels/gelu';
import { accumulate, addForward } from '../kernels/residual';
import { splitColumns3, mergeColumns3 } from '../kernels/columns';
import { kvAppend } from '../kernels/kvAppend';
import { linearForward, linearBackward, type Linear, type LinearScratch } from './linear';
import type { BackwardScratch, LayerActivations, NormActs } from './activations';

export interface Norm {
  weight: GPUBuffer;
  bias: GPUBuffer | null; // LayerNorm only
  dWeight: GPUBuffer | null;
  dBias: GPUBuffer | null;
  /** Features normalised per row (C, or head_dim / the q or k width for q/k norms). */
  width: number;
}

export interface LayerWeights {
  index: number;
  attnIn: Norm | null;
  attnOut: Norm | null;
  mlpIn: Norm | null;
  mlpOut: Norm | null;
  qNorm: Norm | null;
  kNorm: Norm | null;
  linears: Map<LinearRole, Linear>;
  /** RoPE inverse frequencies (rotaryDim/2) of this layer, or null for no rotary encoding. */
  invFreq: GPUBuffer | null;
  /** Sliding window (0 = full causal attention). */
  window: number;
}

/** Per-step inputs shared by all layers. */
export interface StepContext {
  cfg: ModelConfig;
  B: number;
  T: number;
  positions: GPUBuffer; // u32 (N)
  segments: GPUBuffer; // u32 (N)
  du: GPUBuffer;
  xDrop: GPUBuffer;
  /** Dropout seed base for this step; each module derives its own. */
  seed: number;
  /** Decoding with a KV cache (B = 1): new keys/values are appended after `past` cached tokens. */
  kv?: { k: GPUBuffer[]; v: GPUBuffer[]; past: number; cap: number; segments: GPUBuffer };
}

/** Dropout stream of each role (fused modules share their first part's; the numbering predates fused roles). */
const MODULE_INDEX: Record<LinearRole, number> = { q: 0, qkv: 0, k: 1, v: 2, o: 3, gate: 4, gateUp: 4, fc: 4, up: 5, down: 6 };

function lin(w: LayerWeights, role: LinearRole): Linear {
  const l = w.linears.get(role);
  if (!l) throw new Error(`layer ${w.index}: missing linear module for ${role}`);
  return l;
}

/** LoRA scratch of one module; the dropout seed is distinct per (step, layer, module) and equal in fwd and bwd. */
function scratch(ctx: StepContext, acts: LayerActivations, l: Linear, layer: number, role: LinearRole): LinearScratch | null {
  if (!l.lora) return null;
  const seed = (Math.imul(ctx.seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(layer * 16 + MODULE_INDEX[role] + 1, 0xc2b2ae35)) >>> 0;
  return { u: acts.u.get(l.path) ?? null, du: ctx.du, xDrop: ctx.xDrop, seed };
}

/** out (rows, n.width) = Norm(x) with statistics saved in `s`. */
export function normForward(rec: Recorder, cfg: ModelConfig, s: NormActs, x: GPUBuffer, n: Norm, rows: number): void {
  if (cfg.norm === 'layernorm') layernormForward(rec, s.out, s.mean!, s.rstd, x, n.weight, n.bias!, rows, n.width, cfg.normEps);
  else rmsnormForward(rec, s.out, s.rstd, x, n.weight, rows, n.width, cfg.normEps, { weightOffset: cfg.normWeightOffset });
}

/** dx (rows, width) = (or +=) d(Norm)/dx · dout; weight (and bias) gradients accumulate when trainable. */
export function normBackward(rec: Recorder, cfg: ModelConfig, dx: GPUBuffer, dout: GPUBuffer, x: GPUBuffer, n: Norm, s: NormActs, rows: number, accumulateDx: boolean): void {
  if (cfg.norm === 'layernorm') layernormBackward(rec, dx, n.dWeight, n.dBias, dout, x, n.weight, s.mean!, s.rstd, rows, n.width, { accumulate: accumulateDx });
  else rmsnormBackward(rec, dx, n.dWeight, dout, x, n.weight, s.rstd, rows, n.width, { accumulate: accumulateDx, weightOffset: cfg.normWeightOffset });
}

/** Rows and width a q/k norm works on: per head (N·heads rows of head_dim) or the whole projection (N rows). */
function qkRows(cfg: ModelConfig, N: number, heads: number): number {
  return cfg.qkNorm === 'head' ? N * heads : N;
}

/** out (N,C) = block(x). `out` may not alias x. */
export function layerForward(rec: Recorder, ctx: StepContext, out: GPUBuffer, x: GPUBuffer, w: LayerWeights, a: LayerActivations): void {
  const { cfg, B, T } = ctx;
  const N = B * T, C = cfg.hidden, H = cfg.nHeads, KV = cfg.nKVHeads, hd = cfg.headDim, I = cfg.intermediate;
  const qW = H * hd, kvW = KV * hd;
  /** y = Linear_role(xin) [+ residual: the skip connection added in the product's epilogue, no copy]. */
  const fwd = (y: GPUBuffer, xin: GPUBuffer, role: LinearRole, residual: GPUBuffer | null = null) => {
    const l = lin(w, role);
    linearForward(rec, y, xin, l, N, scratch(ctx, a, l, w.index, role), false, residual);
  };

  // ---- attention branch
  let xa = x;
  if (w.attnIn) {
    normForward(rec, cfg, a.attnIn!, x, w.attnIn, N);
    xa = a.attnIn!.out;
  }
  const qDst = a.qPre ?? a.q, kDst = a.kPre ?? a.k;
  if (w.linears.has('qkv')) {
    fwd(a.qkv!, xa, 'qkv');
    splitColumns3(rec, [qDst, kDst, a.v], a.qkv!, N, [qW, kvW, kvW]); // [q | k | v], one dispatch
  } else {
    fwd(qDst, xa, 'q');
    fwd(kDst, xa, 'k');
    fwd(a.v, xa, 'v');
  }
  if (w.qNorm && w.kNorm) {
    normForward(rec, cfg, a.qNormActs!, a.qPre!, w.qNorm, qkRows(cfg, N, H));
    normForward(rec, cfg, a.kNormActs!, a.kPre!, w.kNorm, qkRows(cfg, N, KV));
  }
  if (w.invFreq) ropeForwardQK(rec, a.q, a.k, ctx.positions, w.invFreq, N, H, KV, hd, { rotaryDim: cfg.rotaryDim });
  const attn = { window: w.window };
  if (ctx.kv) {
    const { k, v, past, cap, segments } = ctx.kv;
    kvAppend(rec, k[w.index], a.k, past * kvW, N * kvW);
    kvAppend(rec, v[w.index], a.v, past * kvW, N * kvW);
    attentionForward(rec, a.att, a.lse, a.q, k[w.index], v[w.index], segments, 1, T, past + T, cap, H, KV, hd, cfg.attentionScale, attn);
  } else {
    attentionForward(rec, a.att, a.lse, a.q, a.k, a.v, ctx.segments, B, T, T, T, H, KV, hd, cfg.attentionScale, attn);
  }
  if (w.attnOut) {
    fwd(a.attnProj!, a.att, 'o');
    normForward(rec, cfg, a.attnOut!, a.attnProj!, w.attnOut, N);
    addForward(rec, a.res2, x, a.attnOut!.out, N * C);
  } else {
    fwd(a.res2, a.att, 'o', x);
  }

  // ---- MLP branch
  let xm = a.res2;
  if (w.mlpIn) {
    normForward(rec, cfg, a.mlpIn!, a.res2, w.mlpIn, N);
    xm = a.mlpIn!.out;
  }
  if (cfg.mlp === 'gated') {
    if (w.linears.has('gateUp')) {
      // Fused gate_up_proj: the activation reads [gate | up] in place (backward reads it there too).
      fwd(a.gateUp!, xm, 'gateUp');
      swigluForwardFused(rec, a.h, a.gateUp!, N, I, { activation: cfg.hiddenAct });
    } else {
      fwd(a.gate, xm, 'gate');
      fwd(a.up!, xm, 'up');
      swigluForward(rec, a.h, a.gate, a.up!, N * I, { activation: cfg.hiddenAct });
    }
  } else {
    fwd(a.gate, xm, 'fc');
    geluForward(rec, a.h, a.gate, N * I);
  }
  if (w.mlpOut) {
    fwd(a.mlpProj!, a.h, 'down');
    normForward(rec, cfg, a.mlpOut!, a.mlpProj!, w.mlpOut, N);
    addForward(rec, out, a.res2, a.mlpOut!.out, N * C);
  } else {
    fwd(out, a.h, 'down', a.res2);
  }
}

/** On entry g.dres = d(out); on exit g.dres = d(x). Parameter gradients are accumulated. */
export function layerBackward(rec: Recorder, ctx: StepContext, x: GPUBuffer, w: LayerWeights, a: LayerActivations, g: BackwardScratch): void {
  const { cfg, B, T } = ctx;
  const N = B * T, C = cfg.hidden, H = cfg.nHeads, KV = cfg.nKVHeads, hd = cfg.headDim, I = cfg.intermediate;
  const qW = H * hd, kvW = KV * hd;
  const bwd = (dx: GPUBuffer, dy: GPUBuffer, xin: GPUBuffer, role: LinearRole, acc = false) => {
    const l = lin(w, role);
    linearBackward(rec, dx, dy, xin, l, N, scratch(ctx, a, l, w.index, role), acc);
  };
  /** d(branch input) in g.dln → into dres, through the branch's input norm when there is one. */
  const intoResidual = (norm: Norm | null, acts: NormActs | null, input: GPUBuffer) => {
    if (norm) normBackward(rec, cfg, g.dres, g.dln, input, norm, acts!, N, true);
    else accumulate(rec, g.dres, g.dln, N * C);
  };

  // ---- MLP branch: out = res2 + post?(down(h))
  const xm = w.mlpIn ? a.mlpIn!.out : a.res2;
  let dDown = g.dres;
  if (w.mlpOut) {
    normBackward(rec, cfg, g.dpost!, g.dres, a.mlpProj!, w.mlpOut, a.mlpOut!, N, false);
    dDown = g.dpost!;
  }
  bwd(g.dh, dDown, a.h, 'down');
  if (cfg.mlp === 'gated') {
    if (w.linears.has('gateUp')) {
      swigluBackwardFused(rec, g.dgateUp!, g.dh, a.gateUp!, N, I, { activation: cfg.hiddenAct }); // straight into [dgate | dup]
      bwd(g.dln, g.dgateUp!, xm, 'gateUp');
    } else {
      swigluBackward(rec, g.dgate, g.dup!, g.dh, a.gate, a.up!, N * I, { activation: cfg.hiddenAct });
      bwd(g.dln, g.dgate, xm, 'gate');
      bwd(g.dln, g.dup!, xm, 'up', true);
    }
  } else {
    geluBackward(rec, g.dgate, g.dh, a.gate, N * I);
    bwd(g.dln, g.dgate, xm, 'fc');
  }
  intoResidual(w.mlpIn, a.mlpIn, a.res2);

  // ---- attention branch: res2 = x + post?(o(att))
  const xa = w.attnIn ? a.attnIn!.out : x;
  let dO = g.dres;
  if (w.attnOut) {
    normBackward(rec, cfg, g.dpost!, g.dres, a.attnProj!, w.attnOut, a.attnOut!, N, false);
    dO = g.dpost!;
  }
  bwd(g.datt, dO, a.att, 'o');
  attentionBackward(rec, g.dq, g.dk, g.dv, g.datt, a.q, a.k, a.v, ctx.segments, a.att, a.lse, B, T, H, KV, hd, cfg.attentionScale, { window: w.window });
  if (w.invFreq) ropeBackwardQK(rec, g.dq, g.dk, ctx.positions, w.invFreq, N, H, KV, hd, { rotaryDim: cfg.rotaryDim });
  let dq = g.dq, dk = g.dk;
  if (w.qNorm && w.kNorm) {
    normBackward(rec, cfg, g.dqPre!, g.dq, a.qPre!, w.qNorm, a.qNormActs!, qkRows(cfg, N, H), false);
    normBackward(rec, cfg, g.dkPre!, g.dk, a.kPre!, w.kNorm, a.kNormActs!, qkRows(cfg, N, KV), false);
    dq = g.dqPre!;
    dk = g.dkPre!;
  }
  if (w.linears.has('qkv')) {
    mergeColumns3(rec, g.dqkv!, [dq, dk, g.dv], N, [qW, kvW, kvW]);
    bwd(g.dln, g.dqkv!, xa, 'qkv');
  } else {
    bwd(g.dln, dq, xa, 'q');
    bwd(g.dln, dk, xa, 'k', true);
    bwd(g.dln, g.dv, xa, 'v', true);
  }
  intoResidual(w.attnIn, a.attnIn, x);
}
