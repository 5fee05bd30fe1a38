/**
 * One transformer block, forward and backward, for both graph families:
 *   llama (Llama/Mistral/Qwen2): x → RMSNorm → q,k,v (+RoPE) → causal GQA attention → o_proj → +x
 *                                  → RMSNorm → SwiGLU(gate, up) → down_proj → +res2
 *   gpt2:                        x → LayerNorm → c_attn → split q,k,v → causal attention → c_proj → +x
 *                                  → LayerNorm → c_fc → GELU(tanh) → c_proj → +res2
 * Backward takes dres = d(block output) and leaves d(block input) in dres (the residual stream is updated in place:
 * the skip connection passes the gradient through and each branch's input gradient is accumulated on top).
 */
import type { Recorder } from '../gpu/recorder';
import type { ModelConfig } from '../model/config';
import type { LinearLocal } from '../model/tensors';
import { rmsnormForward, rmsnormBackward } from '../kernels/rmsnorm';
import { layernormForward, layernormBackward } from '../kernels/layernorm';
import { ropeForward, ropeBackward } from '../kernels/rope';
import { attentionForward, attentionBackward } from '../kernels/attention';
import { swigluForward, swigluBackward } from '../kernels/swiglu';
import { geluForward, geluBackward } from '../kernels/gelu';
import { copy } from '../kernels/residual';
import { qkvSplitForward, qkvSplitBackward } from '../kernels/qkvSplit';
import { kvAppend } from '../kernels/kvAppend';
import { linearForward, linearBackward, type Linear, type LinearScratch } from './linear';
import type { BackwardScratch, LayerActivations } from './activations';

export interface Norm {
  weight: GPUBuffer;
  bias: GPUBuffer | null; // LayerNorm only
  dWeight: GPUBuffer | null;
  dBias: GPUBuffer | null;
}

export interface LayerWeights {
  index: number;
  norm1: Norm;
  norm2: Norm;
  linears: Map<LinearLocal, Linear>;
}

/** Per-step inputs shared by all layers. */
export interface StepContext {
  cfg: ModelConfig;
  B: number;
  T: number;
  positions: GPUBuffer; // u32 (N)
  segments: GPUBuffer; // u32 (N)
  invFreq: GPUBuffer | null; // f32 (hd/2), RoPE only
  du: GPUBuffer;
  xDrop: GPUBuffer;
  /** Dropout seed base for this step; each module derives its own. */
  seed: number;
  /** Decoding with a KV cache (B = 1): new keys/values are appended after `past` cached tokens. */
  kv?: { k: GPUBuffer[]; v: GPUBuffer[]; past: number; cap: number; segments: GPUBuffer };
}

function lin(w: LayerWeights, local: LinearLocal): Linear {
  const l = w.linears.get(local);
  if (!l) throw new Error(`layer ${w.index}: missing linear module ${local}`);
  return l;
}

/** LoRA scratch of one module; the dropout seed is distinct per (step, layer, module) and equal in fwd and bwd. */
function scratch(ctx: StepContext, acts: LayerActivations, l: Linear, layer: number, moduleIndex: number): LinearScratch | null {
  if (!l.lora) return null;
  const seed = (Math.imul(ctx.seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(layer * 16 + moduleIndex + 1, 0xc2b2ae35)) >>> 0;
  return { u: acts.u.get(l.path) ?? null, du: ctx.du, xDrop: ctx.xDrop, seed };
}

function normForward(rec: Recorder, ctx: StepContext, out: GPUBuffer, mean: GPUBuffer | null, rstd: GPUBuffer, x: GPUBuffer, n: Norm, N: number) {
  const { cfg } = ctx;
  if (cfg.norm === 'layernorm') layernormForward(rec, out, mean!, rstd, x, n.weight, n.bias!, N, cfg.hidden, cfg.normEps);
  else rmsnormForward(rec, out, rstd, x, n.weight, N, cfg.hidden, cfg.normEps);
}

function normBackward(rec: Recorder, ctx: StepContext, dx: GPUBuffer, dout: GPUBuffer, x: GPUBuffer, n: Norm, mean: GPUBuffer | null, rstd: GPUBuffer, N: number, accumulate: boolean) {
  const C = ctx.cfg.hidden;
  if (ctx.cfg.norm === 'layernorm') layernormBackward(rec, dx, n.dWeight, n.dBias, dout, x, n.weight, mean!, rstd, N, C, { accumulate });
  else rmsnormBackward(rec, dx, n.dWeight, dout, x, n.weight, rstd, N, C, { accumulate });
}

export { normForward, normBackward };

/** out (N,C) = block(x). `out` may not alias x. */
export function layerForward(rec: Recorder, ctx: StepContext, out: GPUBuffer, x: GPUBuffer, w: LayerWeights, a: LayerActivations): void {
  const { cfg, B, T } = ctx;
  const N = B * T, C = cfg.hidden, H = cfg.nHeads, KV = cfg.nKVHeads, hd = cfg.headDim;
  normForward(rec, ctx, a.ln1, a.mean1, a.rstd1, x, w.norm1, N);
  if (cfg.arch === 'gpt2') {
    const cAttn = lin(w, 'attn.c_attn');
    linearForward(rec, a.qkv!, a.ln1, cAttn, N, scratch(ctx, a, cAttn, w.index, 0));
    qkvSplitForward(rec, a.q, a.k, a.v, a.qkv!, N, C);
  } else {
    const [q, k, v] = [lin(w, 'self_attn.q_proj'), lin(w, 'self_attn.k_proj'), lin(w, 'self_attn.v_proj')];
    linearForward(rec, a.q, a.ln1, q, N, scratch(ctx, a, q, w.index, 0));
    linearForward(rec, a.k, a.ln1, k, N, scratch(ctx, a, k, w.index, 1));
    linearForward(rec, a.v, a.ln1, v, N, scratch(ctx, a, v, w.index, 2));
    ropeForward(rec, a.q, ctx.positions, ctx.invFreq!, N, H, hd);
    ropeForward(rec, a.k, ctx.positions, ctx.invFreq!, N, KV, hd);
  }
  if (ctx.kv) {
    const { k, v, past, cap, segments } = ctx.kv;
    kvAppend(rec, k[w.index], a.k, past * KV * hd, N * KV * hd);
    kvAppend(rec, v[w.index], a.v, past * KV * hd, N * KV * hd);
    attentionForward(rec, a.att, a.lse, a.q, k[w.index], v[w.index], segments, 1, T, past + T, cap, H, KV, hd, 1 / Math.sqrt(hd));
  } else {
    attentionForward(rec, a.att, a.lse, a.q, a.k, a.v, ctx.segments, B, T, T, T, H, KV, hd, 1 / Math.sqrt(hd));
  }
  // res2 = x + o(att)
  copy(rec, a.res2, x, N * C);
  const o = lin(w, cfg.arch === 'gpt2' ? 'attn.c_proj' : 'self_attn.o_proj');
  linearForward(rec, a.res2, a.att, o, N, scratch(ctx, a, o, w.index, 3), true);
  normForward(rec, ctx, a.ln2, a.mean2, a.rstd2, a.res2, w.norm2, N);
  copy(rec, out, a.res2, N * C);
  const I = cfg.intermediate;
  if (cfg.arch === 'gpt2') {
    const [fc, proj] = [lin(w, 'mlp.c_fc'), lin(w, 'mlp.c_proj')];
    linearForward(rec, a.gate, a.ln2, fc, N, scratch(ctx, a, fc, w.index, 4));
    geluForward(rec, a.h, a.gate, N * I);
    linearForward(rec, out, a.h, proj, N, scratch(ctx, a, proj, w.index, 5), true);
  } else {
    const [gate, up, down] = [lin(w, 'mlp.gate_proj'), lin(w, 'mlp.up_proj'), lin(w, 'mlp.down_proj')];
    linearForward(rec, a.gate, a.ln2, gate, N, scratch(ctx, a, gate, w.index, 4));
    linearForward(rec, a.up!, a.ln2, up, N, scratch(ctx, a, up, w.index, 5));
    swigluForward(rec, a.h, a.gate, a.up!, N * I);
    linearForward(rec, out, a.h, down, N, scratch(ctx, a, down, w.index, 6), true);
  }
}

/** On entry g.dres = d(out); on exit g.dres = d(x). Parameter gradients are accumulated. */
export function layerBackward(rec: Recorder, ctx: StepContext, x: GPUBuffer, w: LayerWeights, a: LayerActivations, g: BackwardScratch): void {
  const { cfg, B, T } = ctx;
  const N = B * T, C = cfg.hidden, H = cfg.nHeads, KV = cfg.nKVHeads, hd = cfg.headDim, I = cfg.intermediate;
  // MLP branch: out = res2 + mlp(ln2(res2))
  if (cfg.arch === 'gpt2') {
    const [fc, proj] = [lin(w, 'mlp.c_fc'), lin(w, 'mlp.c_proj')];
    linearBackward(rec, g.dh, g.dres, a.h, proj, N, scratch(ctx, a, proj, w.index, 5));
    geluBackward(rec, g.dgate, g.dh, a.gate, N * I);
    linearBackward(rec, g.dln, g.dgate, a.ln2, fc, N, scratch(ctx, a, fc, w.index, 4));
  } else {
    const [gate, up, down] = [lin(w, 'mlp.gate_proj'), lin(w, 'mlp.up_proj'), lin(w, 'mlp.down_proj')];
    linearBackward(rec, g.dh, g.dres, a.h, down, N, scratch(ctx, a, down, w.index, 6));
    swigluBackward(rec, g.dgate, g.dup!, g.dh, a.gate, a.up!, N * I);
    linearBackward(rec, g.dln, g.dgate, a.ln2, gate, N, scratch(ctx, a, gate, w.index, 4));
    linearBackward(rec, g.dln, g.dup!, a.ln2, up, N, scratch(ctx, a, up, w.index, 5), true);
  }
  normBackward(rec, ctx, g.dres, g.dln, a.res2, w.norm2, a.mean2, a.rstd2, N, true);
  // Attention branch: res2 = x + o(attn(ln1(x)))
  const o = lin(w, cfg.arch === 'gpt2' ? 'attn.c_proj' : 'self_attn.o_proj');
  linearBackward(rec, g.datt, g.dres, a.att, o, N, scratch(ctx, a, o, w.index, 3));
  attentionBackward(rec, g.dq, g.dk, g.dv, g.datt, a.q, a.k, a.v, ctx.segments, a.att, a.lse, B, T, H, KV, hd, 1 / Math.sqrt(hd));
  if (cfg.arch === 'gpt2') {
    const cAttn = lin(w, 'attn.c_attn');
    qkvSplitBackward(rec, g.dqkv!, g.dq, g.dk, g.dv, N, C);
    linearBackward(rec, g.dln, g.dqkv!, a.ln1, cAttn, N, scratch(ctx, a, cAttn, w.index, 0));
  } else {
    ropeBackward(rec, g.dq, ctx.positions, ctx.invFreq!, N, H, hd);
    ropeBackward(rec, g.dk, ctx.positions, ctx.invFreq!, N, KV, hd);
    const [q, k, v] = [lin(w, 'self_attn.q_proj'), lin(w, 'self_attn.k_proj'), lin(w, 'self_attn.v_proj')];
    linearBackward(rec, g.dln, g.dq, a.ln1, q, N, scratch(ctx, a, q, w.index, 0));
    linearBackward(rec, g.dln, g.dk, a.ln1, k, N, scratch(ctx, a, k, w.index, 1), true);
    linearBackward(rec, g.dln, g.dv, a.ln1, v, N, scratch(ctx, a, v, w.index, 2), true);
  }
  normBackward(rec, ctx, g.dres, g.dln, x, w.norm1, a.mean1, a.rstd1, N, true);
}
