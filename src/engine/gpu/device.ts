/**
 * Adapter and device acquisition. We ask for the adapter's real limits (the defaults cap storage buffers at
 * 128 MiB, far too small for an embedding table) and for the optional features we can use, and we work without them.
 */
import { GpuLimitError, WebGpuUnavailableError, DeviceLostError } from './errors';
import { PipelineCache } from './pipelines';
import { BufferPool } from './buffers';

/** Limits we raise from their defaults to what the adapter offers. */
const WANTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxUniformBufferBindingSize',
] as const;

const OPTIONAL_FEATURES = ['shader-f16', 'subgroups', 'timestamp-query'] as const;

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True when the adapter is a software (CPU) rasterizer such as SwiftShader. */
  isSoftware: boolean;
  features: string[];
  limits: Record<string, number>;
}

export interface Gpu {
  device: GPUDevice;
  adapter: AdapterSummary;
  /** Optional features actually enabled on the device. */
  hasF16: boolean;
  hasSubgroups: boolean;
  hasTimestamps: boolean;
  pipelines: PipelineCache;
  buffers: BufferPool;
  /** Resolves when the device is lost (never for a destroy() we asked for). */
  lost: Promise<DeviceLostError>;
  /** Throws GpuLimitError when a single buffer binding would exceed the device limit. */
  checkBinding(what: string, bytes: number): void;
  destroy(): void;
}

export interface AcquireOptions {
  /** navigator.gpu in the browser; the `webgpu` package's GPU in Node. */
  gpu?: GPU;
  powerPreference?: GPUPowerPreference;
  /** Turn off an optional feature even if present (tests use this to exercise the f32 path). */
  disableFeatures?: string[];
}

export function summarizeAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info;
  const limits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) limits[name] = Number(adapter.limits[name]);
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isSoftware: /swiftshader|llvmpipe|warp|software/.test(text),
    features: [...adapter.features].map(String).sort(),
    limits,
  };
}

export async function acquireGpu(options: AcquireOptions = {}): Promise<Gpu> {
  const gpu = options.gpu ?? (typeof navigator !== 'undefined' ? navigator.gpu : undefined);
  if (!gpu) throw new WebGpuUnavailableError('no-api');
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) throw new WebGpuUnavailableError('no-adapter');

  const disabled = new Set(options.disableFeatures ?? []);
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f) && !disabled.has(f));
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) requiredLimits[name] = Number(adapter.limits[name]);

  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures, requiredLimits, label: 'studio' });
  } catch (e) {
    throw new WebGpuUnavailableError('device-failed', (e as Error).message);
  }

  let destroyedByUs = false;
  const lost = device.lost.then((info) => {
    if (destroyedByUs) return new Promise<DeviceLostError>(() => {}); // never resolves
    return new DeviceLostError(info.message);
  });
  const limits = device.limits;
  return {
    device,
    adapter: summarizeAdapter(adapter),
    hasF16: device.features.has('shader-f16'),
    hasSubgroups: device.features.has('subgroups'),
    hasTimestamps: device.features.has('timestamp-query'),
    pipelines: new PipelineCache(device),
    buffers: new BufferPool(device),
    lost: lost as Promise<DeviceLostError>,
    checkBinding(what: string, bytes: number) {
      if (bytes > limits.maxStorageBufferBindingSize)
        throw new GpuLimitError(what, 'maxStorageBufferBindingSize', bytes, limits.maxStorageBufferBindingSize);
      if (bytes > limits.maxBufferSize) throw new GpuLimitError(what, 'maxBufferSize', bytes, limits.maxBufferSize);
    },
    destroy() {
      destroyedByUs = true;
      device.destroy();
    },
  };
}
