/**
 * WebGPU in Node through the `webgpu` package (Dawn). Tries the machine's real GPU first; with none, falls back to
 * SwiftShader (a CPU Vulkan implementation that ships with Debian's chromium) and says so.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { acquireGpu, type AcquireOptions, type Gpu } from '../engine/gpu/device';
import { WebGpuUnavailableError } from '../engine/gpu/errors';
import { registerNodeShaders } from './shaders';

const SWIFTSHADER_ICDS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json'];

interface DawnModule {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

let dawn: DawnModule | null = null;
/**
 * Every GPU instance we create stays referenced for the life of the process: if the JS wrapper returned by
 * `create()` is garbage-collected, Dawn frees the instance under the live adapter and device, and the process dies
 * later in a Vulkan thread (SIGSEGV, or glibc's "futex facility returned an unexpected error code").
 */
const liveInstances: GPU[] = [];
function createInstance(options: string[]): GPU {
  const instance = loadDawn().create(options);
  liveInstances.push(instance);
  return instance;
}
function loadDawn(): DawnModule {
  if (!dawn) {
    const require = createRequire(import.meta.url);
    dawn = require('webgpu') as DawnModule;
    Object.assign(globalThis, dawn.globals);
  }
  return dawn;
}

export interface NodeGpuOptions extends Omit<AcquireOptions, 'gpu'> {
  /** 'auto' (default): real GPU, else SwiftShader. 'swiftshader': always the CPU adapter. */
  adapter?: 'auto' | 'swiftshader';
  /** Called with a one-line notice, e.g. that we fell back to the CPU adapter. */
  onNotice?: (message: string) => void;
}

export async function acquireNodeGpu(options: NodeGpuOptions = {}): Promise<Gpu> {
  registerNodeShaders();
  const icd = SWIFTSHADER_ICDS.find((p) => existsSync(p));
  if (options.adapter === 'swiftshader' || process.env.STUDIO_ADAPTER === 'swiftshader') {
    return acquireSwiftShader(icd, options);
  }
  try {
    const gpu = await acquireGpu({ ...options, gpu: createInstance([]) });
    if (!gpu.adapter.isSoftware) return gpu;
    gpu.destroy();
  } catch (e) {
    if (!(e instanceof WebGpuUnavailableError)) throw e;
  }
  const g = await acquireSwiftShader(icd, options);
  options.onNotice?.('No GPU adapter found; using the CPU WebGPU adapter (SwiftShader). Expect it to be slow.');
  return g;
}

async function acquireSwiftShader(icd: string | undefined, options: NodeGpuOptions): Promise<Gpu> {
  if (!icd) {
    throw new WebGpuUnavailableError(
      'no-adapter',
      'no GPU and no SwiftShader found; on Debian/Ubuntu: apt-get install -y chromium libvulkan1',
    );
  }
  process.env.VK_ICD_FILENAMES ??= icd;
  return acquireGpu({ ...options, gpu: createInstance(['adapter=SwiftShader']) });
}
