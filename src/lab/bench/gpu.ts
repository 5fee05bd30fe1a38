/**
 * Suite "gpu" (Node): the real-GPU benchmark of gpuBench.ts on the adapter Node finds (`npm run bench -- --suite gpu
 * --quick` on a CPU adapter). On a GPU machine run it through the packed entry node/gpu.ts with its PyTorch peer:
 * see bench/README.md, "On a GPU machine".
 */
import { acquireNodeGpu } from '../../node/gpu';
import { FULL_SIZE, QUICK_SIZE, runGpuBench } from './gpuBench';
import type { BenchContext, BenchRecord } from './types';

export async function run(ctx: BenchContext): Promise<BenchRecord[]> {
  const gpu = await acquireNodeGpu({ onNotice: (m) => ctx.log(m) });
  return runGpuBench({ gpu, size: ctx.quick ? QUICK_SIZE : FULL_SIZE, cases: ctx.cases, log: (m) => ctx.log(m) });
}
