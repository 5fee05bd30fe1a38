import { f32, type Recorder } from '../gpu/recorder';
import { grid1d } from './grid';

const WG = 64;

export interface RopeOptions {
  /**
   * Leading dims of each head that rotate (Phi-3 / Phi-4-mini: headDim · partial_rotary_factor); the rest pass
   * through unchanged. Even, ≤ headDim; defaults to headDim (full RoPE). invFreq then holds rotaryDim/2 entries
   * (reference/rope.ts `ropeInvFreq(rotaryDim, theta)`, as HF computes them over the rotary dims).
   */
  rotaryDim?: number;
}

/** A second tensor rotated in the same dispatch (the `qk` entry point): k with its own head count. */
interface Second {
  x: GPUBuffer;
  nHeads: number;
}

function dispatchRope(
  rec: Recorder, name: string, x: GPUBuffer, positions: GPUBuffer, invFreq: GPUBuffer,
  N: number, nHeads: number, headDim: number, sign: number, opts: RopeOptions, second: Second | null = null,
): void {
  const fail = (msg: string) => {
    throw new RangeError(`${name}: ${msg}`);
  };
  const rotaryDim = opts.rotaryDim ?? headDim;
  for (const [k, v] of [['N', N], ['nHeads', nHeads], ['headDim', headDim], ['rotaryDim', rotaryDim], ['kHeads', second?.nHeads ?? 1]] as const)
    if (!Number.isInteger(v) || v <= 0) fail(`${k} must be a positive integer, got ${v}`);
  if (rotaryDim > headDim) fail(`rotaryDim must be ≤ headDim (${headDim}), got ${rotaryDim}`);
  if (rotaryDim % 2) {
    if (rotaryDim === headDim) fail(`headDim must be even (rotate-half pairs i with i + headDim/2), got ${headDim}`);
    fail(`rotaryDim must be even (rotate-half pairs i with i + rotaryDim/2), got ${rotaryDim}`);
  }
  const need = (buf: GPUBuffer, words: number, what: string) => {
    if (buf.size < words * 4) fail(`${what} holds ${Math.floor(buf.size / 4)} elements but needs ${words}`);
  };
  need(x, N * nHeads * headDim, second ? 'q' : 'x');
  need(positions, N, 'positions');
  need(invFreq, rotaryDim / 2, 'invFreq');
  if (second) {
    need(second.x, N * second.nHeads * headDim, 'k');
    if (second.x === x) fail('q and k must be different buffers');
  }
  rec.dispatch({
    shader: 'rope',
    entryPoint: second ? 'qk' : 'main',
    constants: { WG },
    params: [N, nHeads, headDim, f32(sign), rotaryDim, second?.nHeads ?? 0],
    bindings: second ? [x, positions, invFreq, second.x] : [x, positions, invFreq],
    workgroups: grid1d((N * rotaryDim) / 2, WG),
    label: name,
  });
}

/**
 * In place: x (N, nHeads·headDim) ← RoPE(x), HF rotate-half convention over the first rotaryDim dims of each head
 * (default all of them). positions (N) u32, invFreq (rotaryDim/2) f32 (see reference/rope.ts `ropeInvFreq` for the
 * default; scaled variants are computed on the host).
 */
export function ropeForward(
  rec: Recorder, x: GPUBuffer, positions: GPUBuffer, invFreq: GPUBuffer, N: number, nHeads: number, headDim: number,
  opts: RopeOptions = {},
): void {
  dispatchRope(rec, 'rope_forward', x, positions, invFreq, N, nHeads, headDim, 1, opts);
}

/**
 * In place: dx (N, nHeads·headDim) ← rotation by −angle (the transpose), turning d(out) into d(in); the pass-through
 * dims (≥ rotaryDim) keep their gradient. Same `rotaryDim` as the forward.
 */
export function ropeBackward(
  rec: Recorder, dx: GPUBuffer, positions: GPUBuffer, invFreq: GPUBuffer, N: number, nHeads: number, headDim: number,
  opts: RopeOptions = {},
): void {
  dispatchRope(rec, 'rope_backward', dx, positions, invFreq, N, nHeads, headDim, -1, opts);
}

/**
 * In place, one dispatch: q (N, qHeads·headDim) ← RoPE(q) and k (N, kHeads·headDim) ← RoPE(k), each exactly as
 * `ropeForward` alone gives it (same positions, invFreq and rotaryDim; one cos/sin serves both).
 */
export function ropeForwardQK(
  rec: Recorder, q: GPUBuffer, k: GPUBuffer, positions: GPUBuffer, invFreq: GPUBuffer, N: number, qHeads: number, kHeads: number,
  headDim: number, opts: RopeOptions = {},
): void {
  dispatchRope(rec, 'rope_qk_forward', q, positions, invFreq, N, qHeads, headDim, 1, opts, { x: k, nHeads: kHeads });
}

/** In place, one dispatch: dq and dk ← the transposed rotation, each exactly as `ropeBackward` alone gives it. */
export function ropeBackwardQK(
  rec: Recorder, dq: GPUBuffer, dk: GPUBuffer, positions: GPUBuffer, invFreq: GPUBuffer, N: number, qHeads: number, kHeads: number,
  headDim: number, opts: RopeOptions = {},
): void {
  dispatchRope(rec, 'rope_qk_backward', dq, positions, invFreq, N, qHeads, headDim, -1, opts, { x: dk, nHeads: kHeads });
}
