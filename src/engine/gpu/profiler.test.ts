import { describe, it, expect } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { Recorder } from './recorder';
import { submitTimed, kernelFamily } from './profiler';
import { fill } from '../kernels/fill';
import { matmul } from '../kernels/matmul';

describe('submitTimed', () => {
  it('times every dispatch and groups them by kernel family', async () => {
    const gpu = await testGpu();
    expect(gpu.hasTimestamps, 'SwiftShader offers timestamp-query').toBe(true);
    const a = gpu.buffers.storage('test', 'a', 64 * 64 * 4), c = gpu.buffers.storage('test', 'c', 64 * 64 * 4);
    const rec = new Recorder(gpu);
    fill(rec, a, 64 * 64, 1);
    matmul(rec, c, a, a, null, 64, 64, 64);
    matmul(rec, c, a, a, null, 64, 64, 64, { accumulate: true });
    const t = await submitTimed(gpu, rec);
    expect(t.dispatches).toBe(3);
    expect([...t.byFamily.keys()].sort()).toEqual(['fill', 'matmul']);
    expect(t.byFamily.get('matmul')!).toBeGreaterThan(0);
    expect(t.totalMs).toBeCloseTo([...t.byFamily.values()].reduce((x, y) => x + y), 6);
    expect(['cross_entropy_fwd_bwd', 'attention_backward_dkv', 'grad_norm_partial', 'matmul 4x4x4 tB', 'qkv_concat'].map(kernelFamily))
      .toEqual(['cross_entropy', 'attention', 'grad_norm', 'matmul', 'qkv']);
    gpu.buffers.releasePool('test');
  });
});
