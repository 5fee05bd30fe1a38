/**
 * A step's per-token losses split in two by a mask: the answer tokens and the rest (prompt, system text, template
 * markup). Runs on the `losses` buffer the fused cross-entropy already wrote, so the split costs one small dispatch
 * and two floats of read-back. See shaders/loss_split.wgsl.
 */
import type { Recorder } from '../gpu/recorder';
import { reductionThreads } from './reductionThreads';

const WG = 256;

/** sums[0] = Σ losses[i] where answer[i] ≠ 0, sums[1] = Σ losses[i] where answer[i] = 0, for i in [0, N). */
export function lossSplit(rec: Recorder, sums: GPUBuffer, losses: GPUBuffer, answer: GPUBuffer, N: number): void {
  if (!Number.isInteger(N) || N < 1) throw new Error(`lossSplit: N must be a positive integer, got ${N}`);
  const need = (name: string, buf: GPUBuffer, bytes: number) => {
    if (buf.size < bytes) throw new Error(`lossSplit: ${name} needs ${bytes} bytes but its buffer has ${buf.size}`);
  };
  need('sums', sums, 8);
  need('losses', losses, N * 4);
  need('answer', answer, N * 4);
  rec.dispatch({ shader: 'loss_split', constants: { WG: reductionThreads(rec.gpu, WG) }, params: [N], bindings: [sums, losses, answer], workgroups: [1], label: 'loss_split' });
}
