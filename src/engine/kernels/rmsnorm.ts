import { cdiv, f32, type Recorder } from '../gpu/recorder';
import { grid1d } from './grid';
import { reductionThreads } from './reductionThreads';
import { rowKernelChecks } from './validate';

const WG = 128; // threads per row (rmsnorm_forward / rmsnorm_backward) on a GPU; see reductionThreads.ts
const TX = 32; // columns per workgroup in rmsnorm_dweight

const { check, checkSizes, fits } = rowKernelChecks('rmsnorm');

/** out (N, C), rstd (N) ← inp (N, C), weight (C). HF LlamaRMSNorm: out = x · rsqrt(mean(x²) + eps) · w. */
export function rmsnormForward(rec: Recorder, out: GPUBuffer, rstd: GPUBuffer, inp: GPUBuffer, weight: GPUBuffer, N: number, C: number, eps: number): void {
  checkSizes(N, C);
  check(eps >= 0, `eps must be ≥ 0, got ${eps}`);
  fits(out, N * C, 'out');
  fits(rstd, N, 'rstd');
  fits(inp, N * C, 'inp');
  fits(weight, C, 'weight');
  rec.dispatch({
    shader: 'rmsnorm_forward',
    constants: { WG: reductionThreads(rec.gpu, WG) },
    params: [N, C, f32(eps)],
    bindings: [out, rstd, inp, weight],
    workgroups: grid1d(N, 1),
    label: 'rmsnorm_forward',
  });
}

/**
 * dinp (N, C) ← dout, inp (N, C), weight (C), rstd (N): written, or added with `{ accumulate: true }`.
 * dweight (C) += Σ_n dout·inp·rstd, deterministic; pass null for a frozen weight to skip that work.
 */
export function rmsnormBackward(
  rec: Recorder,
  dinp: GPUBuffer,
  dweight: GPUBuffer | null,
  dout: GPUBuffer,
  inp: GPUBuffer,
  weight: GPUBuffer,
  rstd: GPUBuffer,
  N: number,
  C: number,
  opts: { accumulate?: boolean } = {},
): void {
  checkSizes(N, C);
  fits(dinp, N * C, 'dinp');
  fits(dout, N * C, 'dout');
  fits(inp, N * C, 'inp');
  fits(weight, C, 'weight');
  fits(rstd, N, 'rstd');
  if (dweight) fits(dweight, C, 'dweight');
  rec.dispatch({
    shader: 'rmsnorm_backward',
    constants: { WG: reductionThreads(rec.gpu, WG) },
    params: [N, C, opts.accumulate ? 1 : 0],
    bindings: [dinp, dout, inp, weight, rstd],
    workgroups: grid1d(N, 1),
    label: 'rmsnorm_backward',
  });
  if (dweight) {
    rec.dispatch({
      shader: 'rmsnorm_dweight',
      constants: { TX },
      params: [N, C],
      bindings: [dweight, dout, inp, rstd],
      workgroups: [cdiv(C, TX)],
      label: 'rmsnorm_dweight',
    });
  }
}
