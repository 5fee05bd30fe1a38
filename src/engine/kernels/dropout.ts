import { f32, type Recorder } from '../gpu/recorder';
import { grid1d } from './grid';
import { requireElementwise } from './validate';
import { accumulate, copy } from './residual';
import { dropoutScale, dropoutThreshold } from '../reference/dropout';

const WG = 256;

function check(name: string, N: number, p: number, seed: number, bufs: [GPUBuffer, string][]): void {
  const fail = (msg: string) => {
    throw new RangeError(`${name}: ${msg}`);
  };
  requireElementwise(name, N, bufs);
  if (!(p >= 0 && p < 1)) fail(`p must be in [0, 1), got ${p}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail(`seed must be a u32, got ${seed}`);
}

function run(rec: Recorder, label: string, dst: GPUBuffer, src: GPUBuffer, N: number, p: number, seed: number, acc: boolean): void {
  rec.dispatch({
    shader: 'dropout',
    constants: { WG },
    params: [N, dropoutThreshold(p), seed, f32(dropoutScale(p)), acc ? 1 : 0],
    bindings: [dst, src],
    workgroups: grid1d(N, WG),
    label,
  });
}

/**
 * out = inp · mask / (1 − p) over N values; mask(i) = hash(seed, i) ≥ p, recomputed (never stored). p = 0 is a plain
 * copy. Use a different seed per layer and step: the same (seed, N) gives the same mask.
 */
export function dropoutForward(rec: Recorder, out: GPUBuffer, inp: GPUBuffer, N: number, p: number, seed: number): void {
  check('dropoutForward', N, p, seed, [[out, 'out'], [inp, 'inp']]);
  if (p === 0) copy(rec, out, inp, N);
  else run(rec, 'dropout_forward', out, inp, N, p, seed, false);
}

/** dinp = dout · mask / (1 − p) with the forward's (p, seed) mask. Written, or added with `{ accumulate: true }`. */
export function dropoutBackward(
  rec: Recorder, dinp: GPUBuffer, dout: GPUBuffer, N: number, p: number, seed: number, opts: { accumulate?: boolean } = {},
): void {
  check('dropoutBackward', N, p, seed, [[dinp, 'dinp'], [dout, 'dout']]);
  if (p === 0) {
    if (opts.accumulate) accumulate(rec, dinp, dout, N, 1);
    else copy(rec, dinp, dout, N);
  } else run(rec, 'dropout_backward', dinp, dout, N, p, seed, !!opts.accumulate);
}
