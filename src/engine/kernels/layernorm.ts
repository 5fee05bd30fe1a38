import { cdiv, f32, type Recorder } from '../gpu/recorder';
import { grid1d } from './grid';
import { reductionThreads } from './reductionThreads';
import { rowKernelChecks } from './validate';
import { biasBackward } from './bias';

const WG = 128; // threads per row (layernorm_forward / layernorm_backward) on a GPU; see reductionThreads.ts
const TX = 32; // columns per workgroup in layernorm_dweight

const { check, checkSizes, fits } = rowKernelChecks('layernorm');

/** out (N, C), mean (N), rstd (N) ← inp (N, C), weight (C), bias (C). GPT-2 LayerNorm (biased variance). */
export function layernormForward(
  rec: Recorder, out: GPUBuffer, mean: GPUBuffer, rstd: GPUBuffer, inp: GPUBuffer, weight: GPUBuffer, bias: GPUBuffer,
  N: number, C: number, eps: number,
): void {
  checkSizes(N, C);
  check(eps >= 0, `eps must be ≥ 0, got ${eps}`);
  fits(out, N * C, 'out');
  fits(mean, N, 'mean');
  fits(rstd, N, 'rstd');
  fits(inp, N * C, 'inp');
  fits(weight, C, 'weight');
  fits(bias, C, 'bias');
  rec.dispatch({
    shader: 'layernorm_forward',
    constants: { WG: reductionThreads(rec.gpu, WG) },
    params: [N, C, f32(eps)],
    bindings: [out, mean, rstd, inp, weight, bias],
    workgroups: grid1d(N, 1),
    label: 'layernorm_forward',
  });
}

/**
 * dinp (N, C) ← dout, inp (N, C), weight (C), mean, rstd (N): written, or added with `{ accumulate: true }`.
 * dweight (C) += Σ_n dout·xhat and dbias (C) += Σ_n dout, deterministic; null skips that work (frozen).
 */
export function layernormBackward(
  rec: Recorder,
  dinp: GPUBuffer,
  dweight: GPUBuffer | null,
  dbias: GPUBuffer | null,
  dout: GPUBuffer,
  inp: GPUBuffer,
  weight: GPUBuffer,
  mean: GPUBuffer,
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
  fits(mean, N, 'mean');
  fits(rstd, N, 'rstd');
  if (dweight) fits(dweight, C, 'dweight');
  if (dbias) fits(dbias, C, 'dbias');
  rec.dispatch({
    shader: 'layernorm_backward',
    constants: { WG: reductionThreads(rec.gpu, WG) },
    params: [N, C, opts.accumulate ? 1 : 0],
    bindings: [dinp, dout, inp, weight, mean, rstd],
    workgroups: grid1d(N, 1),
    label: 'layernorm_backward',
  });
  if (dweight) {
    rec.dispatch({
      shader: 'layernorm_dweight',
      constants: { TX },
      params: [N, C],
      bindings: [dweight, dout, inp, mean, rstd],
      workgroups: [cdiv(C, TX)],
      label: 'layernorm_dweight',
    });
  }
  if (dbias) biasBackward(rec, dbias, dout, N, C);
}
