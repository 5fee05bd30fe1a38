/** Model file I/O: safetensors, dtype conversion, hub access, streaming loader, GPU upload, browser cache. */
export { ModelFileError, HubError, isAbortError, type HubErrorKind } from './errors';
export {
  parseSafetensorsHeader,
  readHeaderLength,
  serializeSafetensors,
  isWeightDtype,
  dtypeBytes,
  MAX_HEADER_BYTES,
  WEIGHT_DTYPES,
  type TensorInfo,
  type SafetensorsHeader,
  type HeaderContext,
  type TensorToWrite,
  type WeightDtype,
} from './safetensors';
export {
  StreamConverter,
  convertBytes,
  formatBytes,
  f16BitsToF32,
  bf16BitsToF32,
  f32ToF16Bits,
  f32ToBf16Bits,
  f32BitsToF16Bits,
  type TargetFormat,
} from './convert';
export {
  DEFAULT_ENDPOINT,
  INDEX_FILE,
  SINGLE_FILE,
  hubFileUrl,
  hubFetch,
  hubFetchRetrying,
  hubErrorFromResponse,
  fetchJson,
  fetchModelFiles,
  shardsOf,
  type HubRepo,
  type HubFetchOptions,
  type FetchJsonOptions,
  type ModelFiles,
  type SafetensorsIndex,
} from './hub';
export { DEFAULT_RETRY, type RetryPolicy } from './retry';
export { parseGenerationConfig, type GenerationConfig } from './generationConfig';
export { openCheckpoint, type Checkpoint, type CheckpointFile, type CheckpointSource, type LoadTensor, type NamedBlob, type OpenCheckpointOptions } from './checkpoint';
export { loadCheckpoint, streamCheckpoint, type TensorSink, type LoadProgress, type LoadCheckpointOptions, type StreamOptions, type LoadResult } from './stream';
export { GpuTensorSink, convertedByteLength, type GpuSinkOptions } from './gpuSink';
export { ModelCache, CacheWriter, MODEL_CACHE_NAME, type StoredModel, type StoredFile, type CacheLike, type CacheStorageLike } from './cache';
