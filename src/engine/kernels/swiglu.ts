import type { Recorder } from '../gpu/recorder';
import { grid1d } from './grid';
import { requireElementwise } from './validate';

const WG = 256;

const check = requireElementwise;

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
