import type { Recorder } from '../gpu/recorder';
import { grid1d } from './grid';

/** q, k, v (N, C) ← qkv (N, 3C), GPT-2's fused c_attn output. */
export function qkvSplitForward(rec: Recorder, q: GPUBuffer, k: GPUBuffer, v: GPUBuffer, qkv: GPUBuffer, N: number, C: number): void {
  rec.dispatch({ shader: 'qkv_split', entryPoint: 'split', params: [N, C], bindings: [q, k, v, qkv], workgroups: grid1d(N * C, 256), label: 'qkv_split' });
}

/** dqkv (N, 3C) ← dq, dk, dv (N, C). Written, not accumulated. */
export function qkvSplitBackward(rec: Recorder, dqkv: GPUBuffer, dq: GPUBuffer, dk: GPUBuffer, dv: GPUBuffer, N: number, C: number): void {
  rec.dispatch({ shader: 'qkv_split', entryPoint: 'concat', params: [N, C], bindings: [dqkv, dq, dk, dv], workgroups: grid1d(N * C, 256), label: 'qkv_concat' });
}
