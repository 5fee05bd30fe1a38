import { f32, type Recorder } from '../gpu/recorder';
import { grid1d } from './grid';

const WG = 64;

function dispatchRope(
  rec: Recorder, name: string, x: GPUBuffer, positions: GPUBuffer, invFreq: GPUBuffer,
  N: number, nHeads: number, headDim: number, sign: number,
): void {
  const fail = (msg: string) => {
    throw new RangeError(`${name}: ${msg}`);
  };
  for (const [k, v] of [['N', N], ['nHeads', nHeads], ['headDim', headDim]] as const)
    if (!Number.isInteger(v) || v <= 0) fail(`${k} must be a positive integer, got ${v}`);
  if (headDim % 2) fail(`headDim must be even (rotate-half pairs i with i + headDim/2), got ${headDim}`);
  const need = (buf: GPUBuffer, words: number, what: string) => {
    if (buf.size < words * 4) fail(`${what} holds ${Math.floor(buf.size / 4)} elements but needs ${words}`);
  };
  need(x, N * nHeads * headDim, 'x');
  need(positions, N, 'positions');
  need(invFreq, headDim / 2, 'invFreq');
  rec.dispatch({
    shader: 'rope',
    constants: { WG },
    params: [N, nHeads, headDim, f32(sign)],
    bindings: [x, positions, invFreq],
    workgroups: grid1d((N * headDim) / 2, WG),
    label: name,
  });
}

/**
 * In place: x (N, nHeads·headDim) ← RoPE(x), HF rotate-half convention. positions (N) u32, invFreq (headDim/2) f32
 * (see reference/rope.ts `ropeInvFreq` for the default; scaled variants are computed on the host).
 */
export function ropeForward(rec: Recorder, x: GPUBuffer, positions: GPUBuffer, invFreq: GPUBuffer, N: number, nHeads: number, headDim: number): void {
  dispatchRope(rec, 'rope_forward', x, positions, invFreq, N, nHeads, headDim, 1);
}

/** In place: dx (N, nHeads·headDim) ← rotation by −angle (the transpose), turning d(out) into d(in). */
export function ropeBackward(rec: Recorder, dx: GPUBuffer, positions: GPUBuffer, invFreq: GPUBuffer, N: number, nHeads: number, headDim: number): void {
  dispatchRope(rec, 'rope_backward', dx, positions, invFreq, N, nHeads, headDim, -1);
}
