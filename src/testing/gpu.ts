/**
 * Shared WebGPU device for the Node test tier (Dawn on SwiftShader). When no adapter can be had the kernel tests
 * FAIL with the reason; they never skip.
 */
import { acquireNodeGpu } from '../node/gpu';
import type { Gpu } from '../engine/gpu/device';
import { asHardwareAdapter } from '../engine/kernels/reductionThreads';

let pending: Promise<Gpu> | null = null;

export function testGpu(): Promise<Gpu> {
  pending ??= acquireNodeGpu({ adapter: 'swiftshader' }).catch((e: Error) => {
    throw new Error(
      `Kernel tests need a WebGPU adapter and none could be created: ${e.message}\n` +
        'Install the CPU adapter with: apt-get install -y chromium libvulkan1 (npm test does this when run as root).',
    );
  });
  return pending;
}

/**
 * Let queued GPU work finish before the test process exits. We deliberately do NOT destroy the device: destroying a
 * Dawn device on SwiftShader and exiting right after crashes the process (SIGSEGV/abort, "The futex facility
 * returned an unexpected error code") in a good share of runs, measured on this machine.
 */
export async function releaseTestGpu(): Promise<void> {
  if (!pending) return;
  const gpu = await pending.catch(() => null);
  if (gpu) await gpu.device.queue.onSubmittedWorkDone();
}

/**
 * The reduction kernels pick their workgroup width by adapter kind (src/engine/kernels/reductionThreads.ts); their
 * tests run both: 'cpu' is the test device as it is (SwiftShader), 'gpu' the same device presented as hardware.
 */
export const ADAPTER_KINDS = ['cpu', 'gpu'] as const;

export async function testGpuAs(kind: (typeof ADAPTER_KINDS)[number]): Promise<Gpu> {
  const gpu = await testGpu();
  if (!gpu.adapter.isSoftware) throw new Error('the test device is expected to be a CPU adapter (SwiftShader)');
  return kind === 'gpu' ? asHardwareAdapter(gpu) : gpu;
}
