import { cdiv, f32, type Recorder } from '../gpu/recorder';
import { grid1d } from './grid';
import { reductionThreads } from './reductionThreads';
import { rowKernelChecks } from './validate';

const WG = 128; // threads per row (rmsnorm_forward / rmsnorm_backward) on a GPU; see reductionThreads.ts
const TX = 32; // columns per workgroup in rmsnorm_dweight

const { check, checkSizes, fits } = rowKernelChecks('rmsnorm');

export interface RmsnormOptions {
  /**
   * Added to the weight before it scales: out = x · rstd · (weightOffset + w), computed in f32. 0 (default) is HF
   * LlamaRMSNorm; Gemma uses 1 (Gemma3RMSNorm's `(1.0 + weight)`: its checkpoints hold the scale minus one).
   */
  weightOffset?: number;
}

function checkOffset(weightOffset: number): void {
  check(Number.isFinite(weightOffset), `weightOffset must be a finite number, got ${weightOffset}`);
}

/**
 * out (N, C), rstd (N) ← inp (N, C), weight (C). HF LlamaRMSNorm: out = x · rsqrt(mean(x²) + eps) · (weightOffset + w).
 * Per-head q/k norms are the same call over N·nHeads rows of width C = headDim with a (headDim) weight.
 */
export function rmsnormForward(
  rec: Recorder, out: GPUBuffer, rstd: GPUBuffer, inp: GPUBuffer, weight: GPUBuffer, N: number, C: number, eps: number,
  opts: RmsnormOptions = {},
): void {
  const { weightOffset = 0 } = opts;
  checkSizes(N, C);
  check(eps >= 0, `eps must be ≥ 0, got ${eps}`);
  checkOffset(weightOffset);
  fits(out, N * C, 'out');
  fits(rstd, N, 'rstd');
  fits(inp, N * C, 'inp');
  fits(weight, C, 'weight');
  rec.dispatch({
    shader: 'rmsnorm_forward',
    constants: { WG: reductionThreads(rec.gpu, WG) },
    params: [N, C, f32(eps), f32(weightOffset)],
    bindings: [out, rstd, inp, weight],
    workgroups: grid1d(N, 1),
    label: 'rmsnorm_forward',
  });
}

/**
 * dinp (N, C) ← dout, inp (N, C), weight (C), rstd (N): written, or added with `{ accumulate: true }`; the
 * forward's `weightOffset` must be passed again (dinp uses weightOffset + w).
 * dweight (C) += Σ_n dout·inp·rstd, deterministic, whatever the offset; pass null for a frozen weight to skip that work.
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
  opts: RmsnormOptions & { accumulate?: boolean } = {},
): void {
  const { weightOffset = 0 } = opts;
  checkSizes(N, C);
  checkOffset(weightOffset);
  fits(dinp, N * C, 'dinp');
  fits(dout, N * C, 'dout');
  fits(inp, N * C, 'inp');
  fits(weight, C, 'weight');
  fits(rstd, N, 'rstd');
  if (dweight) fits(dweight, C, 'dweight');
  rec.dispatch({
    shader: 'rmsnorm_backward',
    constants: { WG: reductionThreads(rec.gpu, WG) },
    params: [N, C, opts.accumulate ? 1 : 0, f32(weightOffset)],
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
