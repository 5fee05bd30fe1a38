/**
 * WebGPU in Node through the `webgpu` package (Dawn). Tries the machine's real GPU first; with none, falls back to
 * SwiftShader (a CPU Vulkan implementation that ships with Debian's chromium) and says so — in one line: the native
 * libraries' own chatter while probing (see quietVulkanProbe) would otherwise come first.
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
/**
 * A Dawn instance of our own with extra `create()` options (e.g. 'enable-dawn-features=allow_unsafe_apis'), kept
 * alive like every other. Opt-in: only the lab's tensor-core probe (src/lab/bench/tensorProbe.ts) asks for one; the
 * engine's device never gets these toggles.
 */
export function createNodeGpuInstance(options: string[]): GPU {
  return createInstance(options);
}
function loadDawn(): DawnModule {
  if (!dawn) {
    quietVulkanProbe(process.env, SWIFTSHADER_ICDS.find((p) => existsSync(p)));
    const require = createRequire(import.meta.url);
    dawn = require('webgpu') as DawnModule;
    Object.assign(globalThis, dawn.globals);
  }
  return dawn;
}

/**
 * Environment for the Vulkan loader, set before Dawn first loads, so that probing a machine without a GPU prints
 * nothing of its own:
 *  - libwayland-client prints "error: XDG_RUNTIME_DIR is invalid or not set" on every probe of a display when that
 *    variable is missing (a server, a container, CI). No Wayland display can be reached then anyway; pointing
 *    WAYLAND_DISPLAY at an absolute path that does not exist makes the probe fail silently.
 *  - Mesa's lavapipe (a CPU Vulkan driver installed with mesa-vulkan-drivers) is too old for Dawn ("Warning: Vulkan
 *    shaderUniform*ArrayDynamicIndexing required") and a CPU adapter is never chosen over SwiftShader anyway, so it
 *    is left out; SwiftShader is added so the loader always has a driver ("Failed to detect any valid GPUs" and
 *    Dawn's vkEnumeratePhysicalDevices warning otherwise). Never when the user chose drivers with VK_* variables.
 */
export function quietVulkanProbe(env: NodeJS.ProcessEnv, swiftShaderIcd: string | undefined): void {
  const absolute = (v: string | undefined) => v !== undefined && v.startsWith('/');
  if (!absolute(env.XDG_RUNTIME_DIR) && !absolute(env.WAYLAND_DISPLAY) && env.WAYLAND_SOCKET === undefined) env.WAYLAND_DISPLAY = '/nonexistent/wayland-0';
  const chosen = ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'VK_ADD_DRIVER_FILES', 'VK_LOADER_DRIVERS_SELECT', 'VK_LOADER_DRIVERS_DISABLE'];
  if (chosen.some((k) => env[k] !== undefined)) return;
  env.VK_LOADER_DRIVERS_DISABLE = '*lvp_icd*';
  if (swiftShaderIcd) env.VK_ADD_DRIVER_FILES = swiftShaderIcd;
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
