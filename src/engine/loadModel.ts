/**
 * Streams a checkpoint's weights straight into GPU buffers, by logical HF name. Every header is validated and every
 * expected tensor resolved BEFORE a byte is streamed; buffers are allocated in a pool of their own, released whole on
 * any failure or cancel, so a bad file never leaves a half-loaded model and the previous model stays usable.
 *
 * Storage (see transformer/weights.ts): matrices in the requested format — by default f16 on a device with
 * shader-f16 (half the memory of f32), f32 otherwise — converted while streaming (BF16/F16/F32 → f16 rounds to
 * nearest even); norm weights and biases always f32. Full-parameter training needs f32: ask for it, or widen.
 */
import type { Gpu } from './gpu/device';
import type { ModelConfig } from './model/config';
import { resolveCheckpointNames } from './model/tensors';
import { openCheckpoint, type CheckpointSource } from './io/checkpoint';
import { streamCheckpoint, type LoadProgress } from './io/stream';
import { GpuTensorSink } from './io/gpuSink';
import type { ModelCache } from './io/cache';
import { WeightStore, isMatrixWeight, resolveWeightFormat, storedBytes, type WeightFormat } from './transformer/weights';

export interface LoadedWeights {
  /** Logical HF name → GPU buffer, with each buffer's format (a Map of buffers; matrices may be f16). */
  weights: WeightStore;
  /** The format matrices were stored in. */
  format: WeightFormat;
  /** The buffer pool holding them: release it to free the model. */
  pool: string;
  /** Bytes read from the checkpoint. */
  bytes: number;
  /** Bytes the weights occupy on the GPU. */
  gpuBytes: number;
  /** Parameters (elements) loaded. */
  params: number;
  seconds: number;
}

export interface LoadWeightsOptions {
  /** Hub repos carry their own endpoint/revision/token. */
  source: CheckpointSource;
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
  cache?: ModelCache | null;
  /** Storage of the matrices. 'auto' (default): f16 when the device has shader-f16, else f32. */
  weightFormat?: WeightFormat | 'auto';
}

let loads = 0;

export async function loadModelWeights(gpu: Gpu, config: ModelConfig, options: LoadWeightsOptions): Promise<LoadedWeights> {
  const format = resolveWeightFormat(gpu, options.weightFormat);
  const checkpoint = await openCheckpoint({ source: options.source, signal: options.signal, cache: options.cache ?? null });
  const shapes = new Map(checkpoint.tensors.map((t) => [t.name, t.shape] as const));
  const resolved = resolveCheckpointNames(config, shapes); // throws listing every missing/mis-shaped tensor
  const logicalOf = new Map([...resolved].map(([logical, file]) => [file, logical]));
  const formatOf = (fileName: string): WeightFormat => (format === 'f16' && isMatrixWeight(logicalOf.get(fileName)!) ? 'f16' : 'f32');
  let params = 0;
  for (const t of checkpoint.tensors) {
    const logical = logicalOf.get(t.name);
    if (!logical) continue;
    const elements = t.byteLength / (t.dtype === 'F32' ? 4 : 2);
    params += elements;
    gpu.checkBinding(`Weight ${logical}`, storedBytes(elements, formatOf(t.name)));
  }
  const pool = `weights#${++loads}`;
  const weights = new WeightStore();
  const sink = new GpuTensorSink({
    device: gpu.device,
    format: (t) => formatOf(t.name),
    buffer: (t, bytes, f) => {
      const logical = logicalOf.get(t.name)!;
      const b = gpu.buffers.storage(pool, logical, bytes); // rounded up to whole words: an odd f16 count is padded
      weights.add(logical, b, f);
      return b;
    },
  });
  try {
    const result = await streamCheckpoint(checkpoint, {
      sink, signal: options.signal, onProgress: options.onProgress, cache: options.cache ?? null,
      select: (t) => logicalOf.has(t.name),
    });
    await gpu.device.queue.onSubmittedWorkDone();
    const gpuBytes = gpu.buffers.byPool()[pool] ?? 0;
    return { weights, format, pool, bytes: result.bytes, gpuBytes, params, seconds: result.seconds };
  } catch (e) {
    gpu.buffers.releasePool(pool);
    throw e;
  }
}
