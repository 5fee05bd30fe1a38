import type { Recorder } from '../gpu/recorder';
import { grid1d } from './grid';
import { requireElementwise } from './validate';

const WG = 256;

const check = requireElementwise;

/** out = gelu_tanh(inp), elementwise over N values. */
export function geluForward(rec: Recorder, out: GPUBuffer, inp: GPUBuffer, N: number): void {
  check('geluForward', N, [[out, 'out'], [inp, 'inp']]);
  rec.dispatch({ shader: 'gelu_forward', constants: { WG }, params: [N], bindings: [out, inp], workgroups: grid1d(N, WG), label: 'gelu_forward' });
}

/** dinp ← dout · gelu'(inp), elementwise over N values. Written, or added with `{ accumulate: true }`. */
export function geluBackward(rec: Recorder, dinp: GPUBuffer, dout: GPUBuffer, inp: GPUBuffer, N: number, opts: { accumulate?: boolean } = {}): void {
  check('geluBackward', N, [[dinp, 'dinp'], [dout, 'dout'], [inp, 'inp']]);
  rec.dispatch({
    shader: 'gelu_backward',
    constants: { WG },
    params: [N, opts.accumulate ? 1 : 0],
    bindings: [dinp, dout, inp],
    workgroups: grid1d(N, WG),
    label: 'gelu_backward',
  });
}
