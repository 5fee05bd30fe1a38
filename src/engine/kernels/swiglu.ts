import type { Recorder } from '../gpu/recorder';
import { grid1d } from './grid';
import { requireElementwise } from './validate';

const WG = 256;

const check = requireElementwise;

/** Activation of the gate: 'silu' (SwiGLU, default) or 'gelu_tanh' (GeGLU, Gemma 3's HF gelu_pytorch_tanh). */
export type GatedActivation = 'silu' | 'gelu_tanh';

export interface GatedMlpOptions {
  activation?: GatedActivation;
}

const ACT: Record<GatedActivation, number> = { silu: 0, gelu_tanh: 1 };

/** The ACT override of swiglu_forward / swiglu_backward, and the label prefix of the dispatch. */
function activationOf(kernel: string, activation: GatedActivation = 'silu'): { act: number; name: string } {
  if (!Object.hasOwn(ACT, activation))
    throw new RangeError(`${kernel}: activation must be 'silu' or 'gelu_tanh', got ${String(activation)}`);
  return { act: ACT[activation], name: activation === 'silu' ? 'swiglu' : 'geglu' };
}

/**
 * out = act(gate) · up, elementwise over N values (N = element count, e.g. tokens × intermediate size);
 * act = silu (default) or gelu_tanh with `{ activation: 'gelu_tanh' }`.
 */
export function swigluForward(rec: Recorder, out: GPUBuffer, gate: GPUBuffer, up: GPUBuffer, N: number, opts: GatedMlpOptions = {}): void {
  const { act, name } = activationOf('swigluForward', opts.activation);
  check('swigluForward', N, [[out, 'out'], [gate, 'gate'], [up, 'up']]);
  rec.dispatch({
    shader: 'swiglu_forward',
    constants: { WG, ACT: act },
    params: [N],
    bindings: [out, gate, up],
    workgroups: grid1d(N, WG),
    label: `${name}_forward`,
  });
}

/**
 * dgate = dout · up · act'(gate), dup = dout · act(gate) (all N values). Written, or added with `{ accumulate: true }`.
 * `activation` must be the forward's.
 */
export function swigluBackward(
  rec: Recorder, dgate: GPUBuffer, dup: GPUBuffer, dout: GPUBuffer, gate: GPUBuffer, up: GPUBuffer, N: number,
  opts: GatedMlpOptions & { accumulate?: boolean } = {},
): void {
  const { act, name } = activationOf('swigluBackward', opts.activation);
  check('swigluBackward', N, [[dgate, 'dgate'], [dup, 'dup'], [dout, 'dout'], [gate, 'gate'], [up, 'up']]);
  rec.dispatch({
    shader: 'swiglu_backward',
    constants: { WG, ACT: act },
    params: [N, opts.accumulate ? 1 : 0],
    bindings: [dgate, dup, dout, gate, up],
    workgroups: grid1d(N, WG),
    label: `${name}_backward`,
  });
}
