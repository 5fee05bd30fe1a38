/**
 * Activation buffers. A layer's "set" holds everything its backward needs; in normal mode every layer has its own
 * set, with activation recomputation all layers share ONE set and backward re-runs each layer's forward from the
 * saved residual stream first (memory ~ one layer instead of L layers, compute ~ 1.33×).
 *
 * Shapes for N = B·T tokens, C hidden, H·hd query width, KV·hd key/value width, I MLP width:
 *   ln1 (N,C) norm1 stats (N) q (N,H·hd) k,v (N,KV·hd) att (N,H·hd) lse (B,H,T) res2 (N,C)
 *   ln2 (N,C) norm2 stats (N) llama: gate, up, h (N,I) — gpt2: qkv (N,3C), fc, h (N,I)
 *   u (N, r) per LoRA module of the layer
 */
import type { Gpu } from '../gpu/device';
import type { ModelConfig } from '../model/config';

export interface LayerActivations {
  ln1: GPUBuffer;
  mean1: GPUBuffer | null; // LayerNorm only
  rstd1: GPUBuffer;
  qkv: GPUBuffer | null; // GPT-2 only
  q: GPUBuffer;
  k: GPUBuffer;
  v: GPUBuffer;
  att: GPUBuffer;
  lse: GPUBuffer;
  res2: GPUBuffer;
  ln2: GPUBuffer;
  mean2: GPUBuffer | null;
  rstd2: GPUBuffer;
  gate: GPUBuffer; // llama: gate projection; gpt2: c_fc output (pre-GELU)
  up: GPUBuffer | null; // llama only
  h: GPUBuffer; // MLP hidden after activation
  /** u = dropout(x)·Aᵀ per LoRA module path. */
  u: Map<string, GPUBuffer>;
}

/** Gradient scratch shared by every layer's backward. */
export interface BackwardScratch {
  dres: GPUBuffer; // (N,C) gradient of the residual stream
  dln: GPUBuffer; // (N,C)
  datt: GPUBuffer; // (N,H·hd)
  dq: GPUBuffer;
  dk: GPUBuffer;
  dv: GPUBuffer;
  dqkv: GPUBuffer | null; // (N,3C) GPT-2
  dh: GPUBuffer; // (N,I)
  dgate: GPUBuffer; // (N,I)
  dup: GPUBuffer | null; // (N,I) llama
  du: GPUBuffer; // (N, max r)
  xDrop: GPUBuffer; // (N, max in)
}

export function allocLayerActivations(
  gpu: Gpu,
  cfg: ModelConfig,
  B: number,
  T: number,
  name: string,
  loraRanks: Map<string, number>,
  pool = 'activations',
): LayerActivations {
  const N = B * T;
  const C = cfg.hidden, qW = cfg.nHeads * cfg.headDim, kvW = cfg.nKVHeads * cfg.headDim, I = cfg.intermediate;
  const gpt2 = cfg.arch === 'gpt2';
  const f = (what: string, floats: number) => gpu.buffers.storage(pool, `${name}.${what}`, floats * 4);
  const u = new Map<string, GPUBuffer>();
  for (const [path, r] of loraRanks) u.set(path, f(`u:${path}`, N * r));
  return {
    ln1: f('ln1', N * C),
    mean1: gpt2 ? f('mean1', N) : null,
    rstd1: f('rstd1', N),
    qkv: gpt2 ? f('qkv', N * 3 * C) : null,
    q: f('q', N * qW),
    k: f('k', N * kvW),
    v: f('v', N * kvW),
    att: f('att', N * qW),
    lse: f('lse', B * cfg.nHeads * T),
    res2: f('res2', N * C),
    ln2: f('ln2', N * C),
    mean2: gpt2 ? f('mean2', N) : null,
    rstd2: f('rstd2', N),
    gate: f('gate', N * I),
    up: gpt2 ? null : f('up', N * I),
    h: f('h', N * I),
    u,
  };
}

export function allocBackwardScratch(gpu: Gpu, cfg: ModelConfig, N: number, maxRank: number, maxIn: number, pool = 'activations'): BackwardScratch {
  const C = cfg.hidden, qW = cfg.nHeads * cfg.headDim, kvW = cfg.nKVHeads * cfg.headDim, I = cfg.intermediate;
  const gpt2 = cfg.arch === 'gpt2';
  const f = (what: string, floats: number) => gpu.buffers.storage(pool, `grad.${what}`, floats * 4);
  return {
    dres: f('dres', N * C),
    dln: f('dln', N * C),
    datt: f('datt', N * qW),
    dq: f('dq', N * qW),
    dk: f('dk', N * kvW),
    dv: f('dv', N * kvW),
    dqkv: gpt2 ? f('dqkv', N * 3 * C) : null,
    dh: f('dh', N * I),
    dgate: f('dgate', N * I),
    dup: gpt2 ? null : f('dup', N * I),
    du: f('du', N * Math.max(1, maxRank)),
    xDrop: f('xdrop', N * Math.max(C, I, maxIn)),
  };
}
