/**
 * Streams a checkpoint's weights straight into GPU buffers (f32), by logical HF name. Every header is validated and
 * every expected tensor resolved BEFORE a byte is streamed; buffers are allocated in a pool of their own, released
 * whole on any failure or cancel, so a bad file never leaves a half-loaded model and the previous model stays usable.
 */
import type { Gpu } from './gpu/device';
import type { ModelConfig } from './model/config';
import { resolveCheckpointNames } from './model/tensors';
import { openCheckpoint, type CheckpointSource } from './io/checkpoint';
import { streamCheckpoint, type LoadProgress } from './io/stream';
import { GpuTensorSink } from './io/gpuSink';
import type { ModelCache } from './io/cache';

export interface LoadedWeights {
  /** Logical HF name → f32 GPU buffer. */
  weights: Map<string, GPUBuffer>;
  /** The buffer pool holding them: release it to free the model. */
  pool: string;
  bytes: number;
  seconds: number;
}

export interface LoadWeightsOptions {
  /** Hub repos carry their own endpoint/revision/token. */
  source: CheckpointSource;
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
  cache?: ModelCache | null;
}

let loads = 0;

export async function loadModelWeights(gpu: Gpu, config: ModelConfig, options: LoadWeightsOptions): Promise<LoadedWeights> {
  const checkpoint = await openCheckpoint({ source: options.source, signal: options.signal, cache: options.cache ?? null });
  const shapes = new Map(checkpoint.tensors.map((t) => [t.name, t.shape] as const));
  const resolved = resolveCheckpointNames(config, shapes); // throws listing every missing/mis-shaped tensor
  const logicalOf = new Map([...resolved].map(([logical, file]) => [file, logical]));
  for (const t of checkpoint.tensors) {
    const logical = logicalOf.get(t.name);
    if (logical) gpu.checkBinding(`Weight ${logical}`, (t.byteLength / (t.dtype === 'F32' ? 4 : 2)) * 4);
  }
  const pool = `weights#${++loads}`;
  const weights = new Map<string, GPUBuffer>();
  const sink = new GpuTensorSink({
    device: gpu.device,
    format: 'f32',
    buffer: (t, bytes) => {
      const logical = logicalOf.get(t.name)!;
      const b = gpu.buffers.storage(pool, logical, bytes);
      weights.set(logical, b);
      return b;
    },
  });
  try {
    const result = await streamCheckpoint(checkpoint, {
      sink, signal: options.signal, onProgress: options.onProgress, cache: options.cache ?? null,
      select: (t) => logicalOf.has(t.name),
    });
    await gpu.device.queue.onSubmittedWorkDone();
    return { weights, pool, bytes: result.bytes, seconds: result.seconds };
  } catch (e) {
    gpu.buffers.releasePool(pool);
    throw e;
  }
}
