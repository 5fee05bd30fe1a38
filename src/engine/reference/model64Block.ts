/**
 * One transformer block of the float64 reference (model64.ts), forward and hand-written backward, driven only by the
 * config's features (no family names). Per layer, x (T, C):
 *
 *   a  = attnIn ? Norm(x) : x
 *   q, k, v = q/k/v(a)  or  split of qkv(a) into [q (nH·hd) | k (nKV·hd) | v (nKV·hd)] columns
 *   q, k ← qkNorm ('head': RMSNorm of each head over hd; 'projection': RMSNorm over all of q / all of k)
 *   q, k ← RoPE of this layer (rotate-half over the first rotaryDim dims of each head; none for a NoPE layer)
 *   o  = o_proj(softmax(scale·q kᵀ, causal, sliding window of this layer, GQA) v);   x1 = x + (attnOut ? Norm(o) : o)
 *   b  = mlpIn ? Norm(x1) : x1
 *   m  = act(gate(b)) ∘ up(b)  (gate | up separate or split of gateUp(b) = [gate (I) | up (I)])   or  act(fc(b))
 *   x2 = x1 + (mlpOut ? Norm(down(m)) : down(m))
 *
 * Norm is RMSNorm y = x·rstd·(offset + w) or LayerNorm (with bias) as `config.norm` says, for every norm of the model.
 */
import type { LinearRole } from '../model/config.ts';
import type { LinearModuleSpec } from '../model/tensors.ts';
import {
  activation, addInto, attentionBackward, attentionForward, concatCols, layernormBackward, layernormForward, linearBackward,
  linearForward, rmsnormBackward, rmsnormForward, rope, sliceCols, type AttentionShape, type F64, type Linear64,
  type LinearGrads,
} from './model64Ops.ts';

/** A norm module: effective weight (offset + w), bias (LayerNorm), gradient sinks (null = not wanted). */
export interface Norm64 {
  kind: 'rmsnorm' | 'layernorm';
  /** offset + w, (width). */
  w: F64;
  b: F64 | null;
  width: number;
  eps: number;
  dw: F64 | null;
  db: F64 | null;
}

export interface NormCache {
  y: F64;
  rstd: F64;
  mean: F64 | null;
}

/** Normalises each of the x.length / width rows of x. */
export function normForward(n: Norm64, x: F64): NormCache {
  const rows = x.length / n.width;
  if (n.kind === 'rmsnorm') return { ...rmsnormForward(x, n.w, rows, n.width, n.eps), mean: null };
  return layernormForward(x, n.w, n.b!, rows, n.width, n.eps);
}

export function normBackward(n: Norm64, dy: F64, x: F64, c: NormCache): F64 {
  const rows = x.length / n.width;
  if (n.kind === 'rmsnorm') return rmsnormBackward(dy, x, n.w, c.rstd, rows, n.width, n.dw);
  return layernormBackward(dy, x, n.w, c.mean!, c.rstd, rows, n.width, n.dw, n.db);
}

export interface LinearSlot {
  spec: LinearModuleSpec;
  lin: Linear64;
  grads: LinearGrads;
}

/** Everything one layer needs: its modules (null / absent where the config has none) and its attention settings. */
export interface Block64 {
  attnIn: Norm64 | null;
  attnOut: Norm64 | null;
  mlpIn: Norm64 | null;
  mlpOut: Norm64 | null;
  qNorm: Norm64 | null;
  kNorm: Norm64 | null;
  linears: Partial<Record<LinearRole, LinearSlot>>;
  /** RoPE inverse frequencies of this layer (rotaryDim/2), or null: no position encoding in this layer. */
  invFreq: Float32Array | null;
  rotaryDim: number;
  attention: AttentionShape;
  gated: boolean;
  act: ReturnType<typeof activation>;
  /** Widths: q = nH·hd, kv = nKV·hd, intermediate. */
  qW: number;
  kvW: number;
  I: number;
}

type LinOut = { y: F64; z: F64 | null };

/** Activations of one layer saved for the backward. */
export interface BlockCache {
  x: F64;
  nAttnIn: NormCache | null;
  a: F64;
  proj: Partial<Record<LinearRole, LinOut>>;
  /** q, k before the q/k norms and those norms' caches. */
  qPre: F64;
  kPre: F64;
  nq: NormCache | null;
  nk: NormCache | null;
  q: F64;
  k: F64;
  v: F64;
  probs: F64;
  att: F64;
  nAttnOut: NormCache | null;
  x1: F64;
  nMlpIn: NormCache | null;
  b: F64;
  /** Gate and up (or fc) pre-activations, (T, I). */
  g: F64;
  u: F64 | null;
  m: F64;
  nMlpOut: NormCache | null;
}

function slot(blk: Block64, role: LinearRole): LinearSlot {
  const s = blk.linears[role];
  if (!s) throw new Error(`model64: the layer has no ${role} linear`);
  return s;
}

/** Forward of one layer: x (T, C) → x2 (T, C) and the cache for the backward. */
export function blockForward(blk: Block64, x: F64): { out: F64; cache: BlockCache } {
  const T = blk.attention.T;
  const { qW, kvW, I } = blk;
  const { nH, nKV, hd } = blk.attention;
  const proj: BlockCache['proj'] = {};
  const run = (role: LinearRole, inp: F64) => (proj[role] = linearForward(inp, slot(blk, role).lin, T)).y;

  // ---- attention branch
  const nAttnIn = blk.attnIn ? normForward(blk.attnIn, x) : null;
  const a = nAttnIn ? nAttnIn.y : x;
  let qPre: F64, kPre: F64, v: F64;
  if (blk.linears.qkv) {
    const qkv = run('qkv', a);
    const W = qW + 2 * kvW;
    [qPre, kPre, v] = [sliceCols(qkv, T, W, 0, qW), sliceCols(qkv, T, W, qW, kvW), sliceCols(qkv, T, W, qW + kvW, kvW)];
  } else {
    [qPre, kPre, v] = [run('q', a), run('k', a), run('v', a)];
  }
  const nq = blk.qNorm ? normForward(blk.qNorm, qPre) : null;
  const nk = blk.kNorm ? normForward(blk.kNorm, kPre) : null;
  let q = nq ? nq.y : qPre;
  let k = nk ? nk.y : kPre;
  if (blk.invFreq) {
    q = rope(q, T, nH, hd, blk.rotaryDim, blk.invFreq);
    k = rope(k, T, nKV, hd, blk.rotaryDim, blk.invFreq);
  }
  const { out: att, probs } = attentionForward(q, k, v, blk.attention);
  const o = run('o', att);
  const nAttnOut = blk.attnOut ? normForward(blk.attnOut, o) : null;
  const x1 = addInto(x.slice(), nAttnOut ? nAttnOut.y : o);

  // ---- MLP branch
  const nMlpIn = blk.mlpIn ? normForward(blk.mlpIn, x1) : null;
  const b = nMlpIn ? nMlpIn.y : x1;
  let g: F64, u: F64 | null;
  if (!blk.gated) {
    [g, u] = [run('fc', b), null];
  } else if (blk.linears.gateUp) {
    const gu = run('gateUp', b);
    [g, u] = [sliceCols(gu, T, 2 * I, 0, I), sliceCols(gu, T, 2 * I, I, I)];
  } else {
    [g, u] = [run('gate', b), run('up', b)];
  }
  const m = u ? g.map((gi, i) => blk.act.f(gi) * u[i]) : g.map(blk.act.f);
  const d = run('down', m);
  const nMlpOut = blk.mlpOut ? normForward(blk.mlpOut, d) : null;
  const x2 = addInto(x1.slice(), nMlpOut ? nMlpOut.y : d);
  return {
    out: x2,
    cache: { x, nAttnIn, a, proj, qPre, kPre, nq, nk, q, k, v, probs, att, nAttnOut, x1, nMlpIn, b, g, u, m, nMlpOut },
  };
}

/** Backward of one layer: dOut = dL/dx2 → dL/dx; parameter gradients accumulate into the modules' sinks. */
export function blockBackward(blk: Block64, c: BlockCache, dOut: F64): F64 {
  const T = blk.attention.T;
  const { nH, nKV, hd } = blk.attention;
  const back = (role: LinearRole, dy: F64, inp: F64) => {
    const s = slot(blk, role);
    return linearBackward(dy, inp, c.proj[role]!.z, s.lin, T, s.grads);
  };

  // ---- MLP branch: x2 = x1 + post(down(m))
  const dx1 = dOut.slice();
  const dDown = blk.mlpOut ? normBackward(blk.mlpOut, dOut, c.proj.down!.y, c.nMlpOut!) : dOut;
  const dm = back('down', dDown, c.m);
  const { f, df } = blk.act;
  let db: F64;
  if (!c.u) {
    db = back('fc', dm.map((d, i) => d * df(c.g[i])), c.b);
  } else {
    const u = c.u;
    const dg = dm.map((d, i) => d * u[i] * df(c.g[i]));
    const du = dm.map((d, i) => d * f(c.g[i]));
    db = blk.linears.gateUp ? back('gateUp', concatCols([dg, du], T), c.b) : addInto(back('gate', dg, c.b), back('up', du, c.b));
  }
  addInto(dx1, blk.mlpIn ? normBackward(blk.mlpIn, db, c.x1, c.nMlpIn!) : db);

  // ---- attention branch: x1 = x + post(o(att))
  const dx = dx1.slice();
  const dO = blk.attnOut ? normBackward(blk.attnOut, dx1, c.proj.o!.y, c.nAttnOut!) : dx1;
  const dAtt = back('o', dO, c.att);
  const dAttn = attentionBackward(dAtt, c.q, c.k, c.v, c.probs, blk.attention);
  let { dq, dk } = dAttn;
  const { dv } = dAttn;
  if (blk.invFreq) {
    dq = rope(dq, T, nH, hd, blk.rotaryDim, blk.invFreq, true);
    dk = rope(dk, T, nKV, hd, blk.rotaryDim, blk.invFreq, true);
  }
  if (blk.qNorm) dq = normBackward(blk.qNorm, dq, c.qPre, c.nq!);
  if (blk.kNorm) dk = normBackward(blk.kNorm, dk, c.kPre, c.nk!);
  const da = blk.linears.qkv
    ? back('qkv', concatCols([dq, dk, dv], T), c.a)
    : addInto(addInto(back('q', dq, c.a), back('k', dk, c.a)), back('v', dv, c.a));
  return addInto(dx, blk.attnIn ? normBackward(blk.attnIn, da, c.x, c.nAttnIn!) : da);
}
