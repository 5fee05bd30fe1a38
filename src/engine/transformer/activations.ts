/**
 * Activation buffers. A layer's "set" holds everything its backward needs; in normal mode every layer has its own
 * set, with activation recomputation all layers share ONE set and backward re-runs each layer's forward from the
 * saved residual stream first (memory ~ one layer instead of L layers, compute ~ 1.33×).
 *
 * Shapes for N = B·T tokens, C hidden, qW = H·hd query width, kvW = KV·hd key/value width, I MLP width; a buffer
 * exists only when the config's features need it (see layers.ts for the block):
 *   attnIn / mlpIn norms: out (N,C), rstd (N) [+ mean (N) for LayerNorm]
 *   qkv (N, qW+2kvW) fused projection · qPre (N,qW), kPre (N,kvW) before q/k norms, whose rstd are (N·H) / (N·KV)
 *   per head or (N) per projection · q (N,qW) k,v (N,kvW) as attention reads them · att (N,qW) · lse (B,H,T)
 *   attnProj (N,C) o_proj output before a post-norm attnOut (out (N,C), rstd (N)) · res2 (N,C)
 *   gateUp (N,2I) fused · gate (N,I) (plain MLP: fc output) · up (N,I) gated only · h (N,I) activation
 *   mlpProj (N,C) down output before a post-norm mlpOut
 *   u (N, r) per LoRA module of the layer
 *
 * Sizes live in ONE place: the `*Sizes` functions list every buffer (name and f32 count) and the allocators create
 * exactly those, so the memory plan (transformer/memory.ts), which adds the same lists up without a GPU, is what the
 * model allocates (tested against the buffer pool's accounting).
 */
import type { Gpu } from '../gpu/device';
import type { ModelConfig } from '../model/config';

/** Output and statistics of one norm application (what its backward needs). */
export interface NormActs {
  out: GPUBuffer;
  mean: GPUBuffer | null; // LayerNorm only
  rstd: GPUBuffer;
}

export interface LayerActivations {
  attnIn: NormActs | null;
  qkv: GPUBuffer | null;
  qPre: GPUBuffer | null;
  kPre: GPUBuffer | null;
  /** q/k norms write their outputs straight into q and k (then RoPE rotates them in place). */
  qNormActs: NormActs | null;
  kNormActs: NormActs | null;
  q: GPUBuffer;
  k: GPUBuffer;
  v: GPUBuffer;
  att: GPUBuffer;
  lse: GPUBuffer;
  attnProj: GPUBuffer | null;
  attnOut: NormActs | null;
  res2: GPUBuffer;
  mlpIn: NormActs | null;
  gateUp: GPUBuffer | null;
  gate: GPUBuffer;
  up: GPUBuffer | null;
  h: GPUBuffer;
  mlpProj: GPUBuffer | null;
  mlpOut: NormActs | null;
  /** u = dropout(x)·Aᵀ per LoRA module path. */
  u: Map<string, GPUBuffer>;
}

/** Gradient scratch shared by every layer's backward. */
export interface BackwardScratch {
  dres: GPUBuffer; // (N,C) gradient of the residual stream
  dln: GPUBuffer; // (N,C) gradient of a branch input
  dpost: GPUBuffer | null; // (N,C) gradient of a branch output before its post-norm
  datt: GPUBuffer; // (N,qW)
  dq: GPUBuffer;
  dk: GPUBuffer;
  dv: GPUBuffer;
  dqPre: GPUBuffer | null; // (N,qW) before the q norm
  dkPre: GPUBuffer | null;
  dqkv: GPUBuffer | null; // (N, qW+2kvW) fused
  dh: GPUBuffer; // (N,I)
  dgate: GPUBuffer; // (N,I)
  dup: GPUBuffer | null; // (N,I) gated
  dgateUp: GPUBuffer | null; // (N,2I) fused
  du: GPUBuffer; // (N, max r)
  xDrop: GPUBuffer; // (N, max in)
}

/** Which optional parts a config's blocks have (the same for every layer). */
export function blockShape(cfg: ModelConfig) {
  const n = cfg.names;
  return {
    attnIn: n.norms.attnIn !== null,
    attnOut: n.norms.attnOut !== null,
    mlpIn: n.norms.mlpIn !== null,
    mlpOut: n.norms.mlpOut !== null,
    qkNorm: cfg.qkNorm !== 'none',
    fusedQkv: n.linears.qkv !== undefined,
    fusedGateUp: n.linears.gateUp !== undefined,
    gated: cfg.mlp === 'gated',
  };
}

/** One buffer of a size table: its name and its size in f32 values. */
export interface BufferSize {
  name: string;
  floats: number;
}

/** Every buffer of one layer's activation set (see the file comment for the shapes). */
export function layerActivationSizes(cfg: ModelConfig, B: number, T: number, loraRanks: ReadonlyMap<string, number>): BufferSize[] {
  const N = B * T;
  const C = cfg.hidden, qW = cfg.nHeads * cfg.headDim, kvW = cfg.nKVHeads * cfg.headDim, I = cfg.intermediate;
  const s = blockShape(cfg);
  const ln = cfg.norm === 'layernorm';
  const out: BufferSize[] = [];
  const add = (name: string, floats: number, present = true) => {
    if (present) out.push({ name, floats });
  };
  // A norm's statistics (+ its output, unless it writes into a buffer listed elsewhere).
  const norm = (what: string, present: boolean, rows = N, outFloats: number | null = N * C) => {
    if (!present) return;
    if (outFloats !== null) add(`${what}.out`, outFloats);
    add(`${what}.mean`, rows, ln);
    add(`${what}.rstd`, rows);
  };
  for (const [path, r] of loraRanks) add(`u:${path}`, N * r);
  const perHead = cfg.qkNorm === 'head';
  norm('attnIn', s.attnIn);
  add('qkv', N * (qW + 2 * kvW), s.fusedQkv);
  add('qPre', N * qW, s.qkNorm);
  add('kPre', N * kvW, s.qkNorm);
  norm('qNorm', s.qkNorm, perHead ? N * cfg.nHeads : N, null); // writes into q
  norm('kNorm', s.qkNorm, perHead ? N * cfg.nKVHeads : N, null); // writes into k
  add('q', N * qW);
  add('k', N * kvW);
  add('v', N * kvW);
  add('att', N * qW);
  add('lse', B * cfg.nHeads * T);
  add('attnProj', N * C, s.attnOut);
  norm('attnOut', s.attnOut);
  add('res2', N * C);
  norm('mlpIn', s.mlpIn);
  add('gateUp', N * 2 * I, s.fusedGateUp);
  add('gate', N * I);
  add('up', N * I, s.gated);
  add('h', N * I);
  add('mlpProj', N * C, s.mlpOut);
  norm('mlpOut', s.mlpOut);
  return out;
}

/** Every buffer of the gradient scratch shared by all layers' backward. */
export function backwardScratchSizes(cfg: ModelConfig, N: number, maxRank: number, maxIn: number): BufferSize[] {
  const C = cfg.hidden, qW = cfg.nHeads * cfg.headDim, kvW = cfg.nKVHeads * cfg.headDim, I = cfg.intermediate;
  const s = blockShape(cfg);
  const sizes: [string, number, boolean][] = [
    ['dres', N * C, true],
    ['dln', N * C, true],
    ['dpost', N * C, s.attnOut || s.mlpOut],
    ['datt', N * qW, true],
    ['dq', N * qW, true],
    ['dk', N * kvW, true],
    ['dv', N * kvW, true],
    ['dqPre', N * qW, s.qkNorm],
    ['dkPre', N * kvW, s.qkNorm],
    ['dqkv', N * (qW + 2 * kvW), s.fusedQkv],
    ['dh', N * I, true],
    ['dgate', N * I, true],
    ['dup', N * I, s.gated],
    ['dgateUp', N * 2 * I, s.fusedGateUp],
    ['du', N * Math.max(1, maxRank), true],
    ['xdrop', N * Math.max(C, I, maxIn), true],
  ];
  return sizes.filter(([, , present]) => present).map(([name, floats]) => ({ name, floats }));
}

/**
 * The model-level activations: the residual stream after each layer (L + 1 of (N, C)), the final norm, one chunk of
 * logits (rows × V: the LM head runs `logitsRows` rows at a time) and the per-token losses and their sum.
 */
export function modelActivationSizes(cfg: ModelConfig, N: number, logitsRows: number): BufferSize[] {
  const C = cfg.hidden;
  const out: BufferSize[] = [];
  for (let i = 0; i <= cfg.nLayers; i++) out.push({ name: `residual${i}`, floats: N * C });
  out.push({ name: 'lnf', floats: N * C });
  if (cfg.norm === 'layernorm') out.push({ name: 'lnf.mean', floats: N });
  out.push({ name: 'lnf.rstd', floats: N });
  out.push({ name: 'logits', floats: logitsRows * cfg.vocabSize });
  out.push({ name: 'losses', floats: N });
  out.push({ name: 'lossSum', floats: 1 });
  return out;
}

/** Allocates a size table into `pool` (buffer names prefixed with `prefix`); returns name → buffer. */
export function allocSizes(gpu: Gpu, pool: string, prefix: string, sizes: BufferSize[]): Map<string, GPUBuffer> {
  return new Map(sizes.map((s) => [s.name, gpu.buffers.storage(pool, `${prefix}${s.name}`, s.floats * 4)]));
}

function getter(bufs: Map<string, GPUBuffer>) {
  const opt = (name: string) => bufs.get(name) ?? null;
  const req = (name: string) => {
    const b = bufs.get(name);
    if (!b) throw new Error(`activation ${name} was not allocated`);
    return b;
  };
  return { opt, req };
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
  const bufs = allocSizes(gpu, pool, `${name}.`, layerActivationSizes(cfg, B, T, loraRanks));
  const { opt, req } = getter(bufs);
  const norm = (what: string, out?: GPUBuffer): NormActs | null =>
    bufs.has(`${what}.rstd`) ? { out: out ?? req(`${what}.out`), mean: opt(`${what}.mean`), rstd: req(`${what}.rstd`) } : null;
  const u = new Map<string, GPUBuffer>();
  for (const path of loraRanks.keys()) u.set(path, req(`u:${path}`));
  const q = req('q'), k = req('k');
  return {
    attnIn: norm('attnIn'),
    qkv: opt('qkv'),
    qPre: opt('qPre'),
    kPre: opt('kPre'),
    qNormActs: norm('qNorm', q),
    kNormActs: norm('kNorm', k),
    q,
    k,
    v: req('v'),
    att: req('att'),
    lse: req('lse'),
    attnProj: opt('attnProj'),
    attnOut: norm('attnOut'),
    res2: req('res2'),
    mlpIn: norm('mlpIn'),
    gateUp: opt('gateUp'),
    gate: req('gate'),
    up: opt('up'),
    h: req('h'),
    mlpProj: opt('mlpProj'),
    mlpOut: norm('mlpOut'),
    u,
  };
}

export function allocBackwardScratch(gpu: Gpu, cfg: ModelConfig, N: number, maxRank: number, maxIn: number, pool = 'activations'): BackwardScratch {
  const bufs = allocSizes(gpu, pool, 'grad.', backwardScratchSizes(cfg, N, maxRank, maxIn));
  const { opt, req } = getter(bufs);
  return {
    dres: req('dres'),
    dln: req('dln'),
    dpost: opt('dpost'),
    datt: req('datt'),
    dq: req('dq'),
    dk: req('dk'),
    dv: req('dv'),
    dqPre: opt('dqPre'),
    dkPre: opt('dkPre'),
    dqkv: opt('dqkv'),
    dh: req('dh'),
    dgate: req('dgate'),
    dup: opt('dup'),
    dgateUp: opt('dgateUp'),
    du: req('du'),
    xDrop: req('xdrop'),
  };
}
