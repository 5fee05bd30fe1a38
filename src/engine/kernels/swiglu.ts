import type { Recorder } from '../gpu/recorder';
import { grid1d } from './grid';
import { requireCount, requireElementwise, requireFloats } from './validate';

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

/** Checks a fused [gate | up] buffer pair's sizes: rows·width values in `half` buffers, rows·2·width in `full` ones. */
function checkFused(kernel: string, rows: number, width: number, half: [GPUBuffer, string][], full: [GPUBuffer, string][]): void {
  requireCount(kernel, 'rows', rows);
  requireCount(kernel, 'width', width);
  requireFloats(kernel, rows * width, half);
  requireFloats(kernel, rows * 2 * width, full);
}

/**
 * out (rows, width) = act(gate) · up, where gate and up are the halves of one fused projection output
 * gateUp (rows, 2·width) = [gate | up] per row (Phi-3's gate_up_proj), read in place: no split copies.
 */
export function swigluForwardFused(rec: Recorder, out: GPUBuffer, gateUp: GPUBuffer, rows: number, width: number, opts: GatedMlpOptions = {}): void {
  const kernel = 'swigluForwardFused';
  const { act, name } = activationOf(kernel, opts.activation);
  checkFused(kernel, rows, width, [[out, 'out']], [[gateUp, 'gateUp']]);
  if (out === gateUp) throw new RangeError(`${kernel}: out and gateUp must be different buffers`);
  rec.dispatch({
    shader: 'swiglu_forward',
    entryPoint: 'fused',
    constants: { WG, ACT: act },
    params: [rows * width, width],
    bindings: [out, gateUp],
    workgroups: grid1d(rows * width, WG),
    label: `${name}_fused_forward`,
  });
}

/**
 * dgateUp (rows, 2·width) = [dgate | dup] per row, written (or added with `{ accumulate: true }`) straight into the
 * fused projection's gradient layout, from dout (rows, width) and the fused forward input gateUp = [gate | up].
 */
export function swigluBackwardFused(
  rec: Recorder, dgateUp: GPUBuffer, dout: GPUBuffer, gateUp: GPUBuffer, rows: number, width: number,
  opts: GatedMlpOptions & { accumulate?: boolean } = {},
): void {
  const kernel = 'swigluBackwardFused';
  const { act, name } = activationOf(kernel, opts.activation);
  checkFused(kernel, rows, width, [[dout, 'dout']], [[dgateUp, 'dgateUp'], [gateUp, 'gateUp']]);
  if (dgateUp === gateUp || dgateUp === dout) throw new RangeError(`${kernel}: dgateUp must not be dout or gateUp`);
  rec.dispatch({
    shader: 'swiglu_backward',
    entryPoint: 'fused',
    constants: { WG, ACT: act },
    params: [rows * width, opts.accumulate ? 1 : 0, width],
    bindings: [dgateUp, dout, gateUp],
    workgroups: grid1d(rows * width, WG),
    label: `${name}_fused_backward`,
  });
}
