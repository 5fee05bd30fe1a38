/**
 * Causal grouped-query attention with fused softmax, flash-style: the forward saves only the per-row logsumexp and
 * the backward rebuilds the probabilities, so no buffer grows as T² (see shaders/attention_*.wgsl). Optionally a
 * sliding window (Mistral, Gemma's local layers): keys outside it are skipped, not masked, so a layer costs
 * O(T·window) instead of O(T²).
 *
 * Two implementations of the same contract, chosen per adapter class (AttentionOptions.kernel):
 *  - fused (attentionFlash.ts, shaders/flash_*.wgsl), FlashAttention-2 style: K/V (or Q/dO) tiles in workgroup
 *    memory shared by a block of rows, each row split over lanes whose partial dots meet by subgroup shuffles, key
 *    tiles skipped whole by the causal mask and the window. Default on hardware adapters (more parallelism: four
 *    lanes per row, one tile load per block of rows).
 *  - rows (shaders/attention_*.wgsl): one invocation per row walking its keys. Default on a CPU adapter: on
 *    SwiftShader forward + backward measured 1.8-11x faster than the fused kernels in every case tried (SmolLM2
 *    shapes at T 256/512, window 32, hd 128; private arrays and barriers are costly there): scripts/attention-timing.ts.
 */
import { cdiv, f32, type Recorder } from '../gpu/recorder';
import { flashBackward, flashForward, flashPlan, type FlashLanes, type FlashPlan } from './attentionFlash';

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
  /**
   * Which kernels: 'fused' (shaders/flash_*.wgsl: K/V tiles in workgroup memory, rows split over lanes), 'rows'
   * (shaders/attention_*.wgsl: one invocation per row) or 'auto' (default): fused on a hardware adapter, rows on a
   * CPU adapter (SwiftShader), where it measured faster (scripts/attention-timing.ts); rows too for head dims the
   * fused kernels cannot hold (see flashPlan). The environment variable ATTENTION_KERNEL=fused|rows overrides 'auto' in Node, so
   * whole-model tests can run each variant.
   */
  kernel?: AttentionKernel;
  /** Fused only: force the lane reduction (default: 'subgroup' when the device has the feature). ATTENTION_LANES too. */
  lanes?: FlashLanes;
}

export type AttentionKernel = 'auto' | 'fused' | 'rows';

/** ATTENTION_KERNEL / ATTENTION_LANES from the environment in Node; nothing in a browser. */
function envChoice(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.[name] || undefined;
}

/** The fused plan when the fused kernels run for this call, else null (the row kernels). */
function fusedPlan(what: string, rec: Recorder, headDim: number, opts: AttentionOptions): FlashPlan | null {
  let kernel = opts.kernel ?? 'auto';
  const forced = envChoice('ATTENTION_KERNEL');
  if (kernel === 'auto' && forced !== undefined) {
    if (forced !== 'fused' && forced !== 'rows' && forced !== 'auto') throw new Error(`ATTENTION_KERNEL must be fused, rows or auto, got ${forced}`);
    kernel = forced;
  }
  if (kernel === 'rows' || (kernel === 'auto' && rec.gpu.adapter.isSoftware)) return null;
  const lanes = opts.lanes ?? (envChoice('ATTENTION_LANES') as FlashLanes | undefined);
  if (lanes !== undefined && lanes !== 'subgroup' && lanes !== 'shared') throw new Error(`${what}: lanes must be subgroup or shared, got ${lanes}`);
  const plan = flashPlan(rec.gpu, headDim, lanes);
  if (!plan && kernel === 'fused') throw new Error(`${what}: the fused kernels cannot hold headDim ${headDim} (a multiple of 16, or at most 64)`);
  return plan;
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
  const params = [B, Tq, Tk, kvCap, nHead, nKVHead, f32(scale), window];
  const plan = fusedPlan(what, rec, headDim, opts);
  if (plan) return flashForward(rec, plan, [out, lse, q, k, v, segments], params, Tq, nHead, B);
  rec.dispatch({
    shader: 'attention_forward',
    constants: { WG: FWD_WG, HD4: headDim / 4 },
    params,
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
  const plan = fusedPlan(what, rec, headDim, opts);
  rec.dispatch({
    shader: 'attention_backward_dq',
    entryPoint: 'rowdot',
    constants: { WG: DQ_WG, HD4 },
    params,
    bindings: [dq, dout, out],
    workgroups: [cdiv(T, DQ_WG), nHead, B],
    label: 'attention_backward_rowdot',
  });
  if (plan) return flashBackward(rec, plan, dq, dk, dv, dout, q, k, v, segments, out, lse, B, T, nHead, nKVHead, params);
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
