/**
 * Cross-entropy fused with softmax (Hugging Face semantics, ignore_index -100), optionally writing dlogits in place,
 * and the loss sum the training step reads back. See shaders/cross_entropy.wgsl.
 */
import { f32, type Recorder } from '../gpu/recorder';
import { grid1d } from './grid';
import { reductionThreads } from './reductionThreads';

const WG = 256; // threads per row on a GPU; see reductionThreads.ts

export interface CrossEntropyOptions {
  /** Overwrite logits with dlogits = (softmax − onehot(target)) · lossScale (zero rows for ignored targets). */
  backward: boolean;
  /** 1 / (number of non-ignored targets in the whole batch) for HF's mean-reduced loss. */
  lossScale: number;
  /** The N logit rows are rows [rowOffset, rowOffset + N) of targets and losses (default 0). */
  rowOffset?: number;
}

function checkBuffer(what: string, name: string, buf: GPUBuffer, elems: number): void {
  if (buf.size < elems * 4) throw new Error(`${what}: ${name} needs ${elems * 4} bytes but its buffer has ${buf.size}`);
}

/**
 * losses (N) ← −log softmax(logits)[target] (0 where target = −100); logits (N, V) f32, targets (N) i32, already
 * shifted by the caller (both offset by `rowOffset` rows when given). With `backward`, logits become dlogits in place.
 */
export function crossEntropyFused(
  rec: Recorder,
  losses: GPUBuffer,
  logits: GPUBuffer,
  targets: GPUBuffer,
  N: number,
  V: number,
  opts: CrossEntropyOptions,
): void {
  const what = 'crossEntropyFused';
  if (!Number.isInteger(N) || !Number.isInteger(V) || N < 1 || V < 1)
    throw new Error(`${what}: N and V must be positive integers, got N=${N} V=${V}`);
  if (N * V >= 2 ** 32) throw new Error(`${what}: N·V = ${N * V} exceeds the u32 index range; split the rows`);
  if (!Number.isFinite(opts.lossScale)) throw new Error(`${what}: lossScale must be finite, got ${opts.lossScale}`);
  const rowOffset = opts.rowOffset ?? 0;
  if (!Number.isInteger(rowOffset) || rowOffset < 0) throw new Error(`${what}: rowOffset must be a non-negative integer, got ${rowOffset}`);
  checkBuffer(what, 'losses', losses, rowOffset + N);
  checkBuffer(what, 'logits', logits, N * V);
  checkBuffer(what, 'targets', targets, rowOffset + N);
  rec.dispatch({
    shader: 'cross_entropy',
    constants: { WG: reductionThreads(rec.gpu, WG) },
    params: [N, V, opts.backward ? 1 : 0, f32(opts.lossScale), rowOffset],
    bindings: [losses, logits, targets],
    workgroups: grid1d(N, 1),
    label: opts.backward ? 'cross_entropy_fwd_bwd' : 'cross_entropy',
  });
}

/** total[0] = Σ losses[0..N) (deterministic single-workgroup reduction). */
export function sumLoss(rec: Recorder, total: GPUBuffer, losses: GPUBuffer, N: number): void {
  if (!Number.isInteger(N) || N < 1) throw new Error(`sumLoss: N must be a positive integer, got ${N}`);
  checkBuffer('sumLoss', 'total', total, 1);
  checkBuffer('sumLoss', 'losses', losses, N);
  rec.dispatch({ shader: 'cross_entropy_sum', constants: { WG: reductionThreads(rec.gpu, WG) }, params: [N], bindings: [total, losses], workgroups: [1], label: 'sum_loss' });
}
