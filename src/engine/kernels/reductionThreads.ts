/**
 * Workgroup width of the kernels that reduce with a tree in workgroup memory: one row per workgroup (RMSNorm,
 * LayerNorm, cross-entropy) and the gradient norm's partial sums.
 *
 * A GPU wants them wide: the row's reads coalesce and a barrier costs a few cycles. A CPU adapter (SwiftShader) runs
 * a workgroup's invocations as SIMD lanes on one CPU thread and every workgroupBarrier is a switch between them, so
 * there the tree's log2(width) barriers cost far more than the arithmetic. Four invocations (one SSE vector) per
 * workgroup measured fastest: a 1,024-token full-parameter step of the built-in model went from 245 to 390 tokens/s,
 * with RMSNorm falling from 26% to 2% of GPU time (widths 1, 4, 8, 16, 32 and 128 were tried; see docs/ENGINE.md).
 *
 * Every kernel that uses this is tested at both widths (a test forces the GPU width by presenting the device as a
 * hardware adapter). Sums depend on the width, so results are reproducible per device, not bitwise across devices.
 */
import type { Gpu } from '../gpu/device';

/** Width on a CPU adapter. A power of two (the trees halve it). */
export const CPU_REDUCTION_THREADS = 4;

export function reductionThreads(gpu: Gpu, gpuWidth: number): number {
  return gpu.adapter.isSoftware ? CPU_REDUCTION_THREADS : gpuWidth;
}

/** The same device presented as a hardware adapter: kernel tests use it to run the GPU widths on SwiftShader. */
export function asHardwareAdapter(gpu: Gpu): Gpu {
  return { ...gpu, adapter: { ...gpu.adapter, isSoftware: false } };
}
