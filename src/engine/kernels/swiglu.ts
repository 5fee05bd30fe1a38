import type { Recorder } from '../gpu/recorder';
import { grid1d } from './grid';

const WG = 256;

function check(name: string, N: number, bufs: [GPUBuffer, string][]): void {
  if (!Number.isInteger(N) || N <= 0) throw new RangeError(`${name}: N must be a positive integer, got ${N}`);
  for (const [b, what] of bufs)
    if (b.size < N * 4) throw new RangeError(`${name}: ${what} holds ${Math.floor(b.size / 4)} f32 but needs ${N}`);
}

/** out = silu(gate) · up, elementwise over N values (N = element count, e.g. tokens × intermediate size). */
export function swigluForward(rec: Recorder, out: GPUBuffer, gate: GPUBuffer, up: GPUBuffer, N: number): void {
  check('swigluForward', N, [[out, 'out'], [gate, 'gate'], [up, 'up']]);
  rec.dispatch({ shader: 'swiglu_forward', constants: { WG }, params: [N], bindings: [out, gate, up], workgroups: grid1d(N, WG), label: 'swiglu_forward' });
}

/** dgate, dup ← dout, gate, up (all N values). Written, or added with `{ accumulate: true }`. */
export function swigluBackward(
  rec: Recorder, dgate: GPUBuffer, dup: GPUBuffer, dout: GPUBuffer, gate: GPUBuffer, up: GPUBuffer, N: number,
  opts: { accumulate?: boolean } = {},
): void {
  check('swigluBackward', N, [[dgate, 'dgate'], [dup, 'dup'], [dout, 'dout'], [gate, 'gate'], [up, 'up']]);
  rec.dispatch({
    shader: 'swiglu_backward',
    constants: { WG },
    params: [N, opts.accumulate ? 1 : 0],
    bindings: [dgate, dup, dout, gate, up],
    workgroups: grid1d(N, WG),
    label: 'swiglu_backward',
  });
}
