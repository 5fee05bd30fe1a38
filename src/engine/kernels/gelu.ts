import type { Recorder } from '../gpu/recorder';
import { grid1d } from './grid';

const WG = 256;

function check(name: string, N: number, bufs: [GPUBuffer, string][]): void {
  if (!Number.isInteger(N) || N <= 0) throw new RangeError(`${name}: N must be a positive integer, got ${N}`);
  for (const [b, what] of bufs)
    if (b.size < N * 4) throw new RangeError(`${name}: ${what} holds ${Math.floor(b.size / 4)} f32 but needs ${N}`);
}

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
