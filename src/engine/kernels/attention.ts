/**
 * Causal grouped-query attention with fused softmax, flash-style: the forward saves only the per-row logsumexp and
 * the backward rebuilds the probabilities, so no buffer grows as T² (see shaders/attention_*.wgsl). Optionally a
 * sliding window (Mistral, Gemma's local layers): keys outside it are skipped, not masked, so a layer costs
 * O(T·window) instead of O(T²).
 */
import { cdiv, f32, type Recorder } from '../gpu/recorder';

/** Largest head dimension the kernels keep in registers (sixteen mat4x4 blocks of 16 dims). */
export const ATTENTION_MAX_HEAD_DIM = 256;
const FWD_WG = 64;
const DQ_WG = 64;
const DKV_WG = 32;

function checkHeads(what: string, nHead: number, nKVHead: number, headDim: number): void {
  for (const [name, x] of [['nHead', nHead], ['nKVHead', nKVHead], ['headDim', headDim]] as const) {
    if (!Number.isInteger(x) || x < 1) throw new Error(`${what}: ${name} must be a positive integer, got ${x}`);
  }
  if (nHead % nKVHead !== 0) throw new Error(`${what}: nHead (${nHead}) must be a multiple of nKVHead (${nKVHead})`);
  if (headDim % 4 !== 0 || headDim > ATTENTION_MAX_HEAD_DIM)
    throw new Error(`${what}: headDim must be a multiple of 4 and at most ${ATTENTION_MAX_HEAD_DIM}, got ${headDim}`);
}

/** Options shared by the forward and the backward (same values in both passes of one layer). */
export interface AttentionOptions {
  /**
   * Sliding window (Hugging Face's sliding_window): the query at absolute position p sees key u only if
   * p − u < window. 0 or absent: no window (every earlier key of the same segment).
   */
  window?: number;
}

/** Validated window as the shaders take it: 0 = none; a window covering every key is none too (same result). */
function windowParam(what: string, opts: AttentionOptions, Tk: number): number {
  const window = opts.window ?? 0;
  if (!Number.isInteger(window) || window < 0)
    throw new Error(`${what}: window must be a non-negative integer (0 = no window), got ${window}`);
  return window >= Tk ? 0 : window;
}

function checkBuffer(what: string, name: string, buf: GPUBuffer, floats: number): void {
  if (buf.size < floats * 4) throw new Error(`${what}: ${name} needs ${floats * 4} bytes but its buffer has ${buf.size}`);
}

/**
 * out (B, Tq, nHead·hd), lse (B, nHead, Tq) ← q (B, Tq, nHead·hd), k, v (B, kvCap, nKVHead·hd) of which rows
 * 0..Tk−1 are valid, segments u32 (B, kvCap) (all zeros when sequences are not packed).
 * Query i is at absolute position p = Tk − Tq + i and sees keys 0..p with the same segment id, and with
 * `window` > 0 only the last `window` of them (keys p − window + 1..p).
 * Training: Tq = Tk = kvCap = T. Decoding with a KV cache: Tq = new tokens, Tk = filled length, kvCap = capacity.
 */
export function attentionForward(
  rec: Recorder,
  out: GPUBuffer,
  lse: GPUBuffer,
  q: GPUBuffer,
  k: GPUBuffer,
  v: GPUBuffer,
  segments: GPUBuffer,
  B: number,
  Tq: number,
  Tk: number,
  kvCap: number,
  nHead: number,
  nKVHead: number,
  headDim: number,
  scale: number,
  opts: AttentionOptions = {},
): void {
  const what = 'attentionForward';
  checkHeads(what, nHead, nKVHead, headDim);
  if (!(B >= 1 && Tq >= 1 && Tq <= Tk && Tk <= kvCap) || ![B, Tq, Tk, kvCap].every(Number.isInteger))
    throw new Error(`${what}: need integers 1 ≤ Tq ≤ Tk ≤ kvCap and B ≥ 1, got B=${B} Tq=${Tq} Tk=${Tk} kvCap=${kvCap}`);
  checkBuffer(what, 'out', out, B * Tq * nHead * headDim);
  checkBuffer(what, 'lse', lse, B * nHead * Tq);
  checkBuffer(what, 'q', q, B * Tq * nHead * headDim);
  checkBuffer(what, 'k', k, B * kvCap * nKVHead * headDim);
  checkBuffer(what, 'v', v, B * kvCap * nKVHead * headDim);
  checkBuffer(what, 'segments', segments, B * kvCap);
  const window = windowParam(what, opts, Tk);
  rec.dispatch({
    shader: 'attention_forward',
    constants: { WG: FWD_WG, HD4: headDim / 4 },
    params: [B, Tq, Tk, kvCap, nHead, nKVHead, f32(scale), window],
    bindings: [out, lse, q, k, v, segments],
    workgroups: [cdiv(Tq, FWD_WG), nHead, B],
    label: 'attention_forward',
  });
}

/**
 * dq (B, T, nHead·hd), dk, dv (B, T, nKVHead·hd) ← dout, saved q, k, v, segments, out and lse of the forward
 * (training shapes: Tq = Tk = kvCap = T). All three gradients are written, not accumulated; dk/dv sum over the
 * query heads of their group in a fixed order (deterministic). dq doubles as scratch for the row dots D.
 * `opts.window` must be the forward's.
 */
export function attentionBackward(
  rec: Recorder,
  dq: GPUBuffer,
  dk: GPUBuffer,
  dv: GPUBuffer,
  dout: GPUBuffer,
  q: GPUBuffer,
  k: GPUBuffer,
  v: GPUBuffer,
  segments: GPUBuffer,
  out: GPUBuffer,
  lse: GPUBuffer,
  B: number,
  T: number,
  nHead: number,
  nKVHead: number,
  headDim: number,
  scale: number,
  opts: AttentionOptions = {},
): void {
  const what = 'attentionBackward';
  checkHeads(what, nHead, nKVHead, headDim);
  if (!(B >= 1 && T >= 1) || !Number.isInteger(B) || !Number.isInteger(T))
    throw new Error(`${what}: need integers B ≥ 1 and T ≥ 1, got B=${B} T=${T}`);
  const qFloats = B * T * nHead * headDim;
  const kvFloats = B * T * nKVHead * headDim;
  for (const [name, buf] of [['dq', dq], ['dout', dout], ['q', q], ['out', out]] as const) checkBuffer(what, name, buf, qFloats);
  for (const [name, buf] of [['dk', dk], ['dv', dv], ['k', k], ['v', v]] as const) checkBuffer(what, name, buf, kvFloats);
  checkBuffer(what, 'segments', segments, B * T);
  checkBuffer(what, 'lse', lse, B * nHead * T);
  const params = [B, T, nHead, nKVHead, f32(scale), windowParam(what, opts, T)];
  const HD4 = headDim / 4;
  rec.dispatch({
    shader: 'attention_backward_dq',
    entryPoint: 'rowdot',
    constants: { WG: DQ_WG, HD4 },
    params,
    bindings: [dq, dout, out],
    workgroups: [cdiv(T, DQ_WG), nHead, B],
    label: 'attention_backward_rowdot',
  });
  rec.dispatch({
    shader: 'attention_backward_dkv',
    constants: { WG: DKV_WG, HD4 },
    params,
    bindings: [dk, dv, dout, q, k, v, segments, lse, dq],
    workgroups: [cdiv(T, DKV_WG), nKVHead, B],
    label: 'attention_backward_dkv',
  });
  rec.dispatch({
    shader: 'attention_backward_dq',
    constants: { WG: DQ_WG, HD4 },
    params,
    bindings: [dq, dout, out, q, k, v, segments, lse],
    workgroups: [cdiv(T, DQ_WG), nHead, B],
    label: 'attention_backward_dq',
  });
}
