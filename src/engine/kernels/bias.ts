import { cdiv, type Recorder } from '../gpu/recorder';

const TX = 32; // columns per workgroup

/** dbias (C) += Σ_n dout[n, :] for dout (N, C). Deterministic (fixed summation order, no atomics). */
export function biasBackward(rec: Recorder, dbias: GPUBuffer, dout: GPUBuffer, N: number, C: number): void {
  const fail = (msg: string) => {
    throw new RangeError(`biasBackward: ${msg}`);
  };
  if (!Number.isInteger(N) || N <= 0) fail(`N must be a positive integer, got ${N}`);
  if (!Number.isInteger(C) || C <= 0) fail(`C must be a positive integer, got ${C}`);
  if (dbias.size < C * 4) fail(`dbias holds ${Math.floor(dbias.size / 4)} f32 but needs ${C}`);
  if (dout.size < N * C * 4) fail(`dout holds ${Math.floor(dout.size / 4)} f32 but needs ${N * C}`);
  rec.dispatch({ shader: 'bias', constants: { TX }, params: [N, C], bindings: [dbias, dout], workgroups: [cdiv(C, TX)], label: 'bias_backward' });
}
