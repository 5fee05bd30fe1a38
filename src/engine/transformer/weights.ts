/**
 * How frozen base weights are stored on the GPU. Matrices (every linear / Conv1D weight, the embeddings, the LM head)
 * are f32, or f16 to halve their memory: f16 values packed two per 32-bit word, element i in word i / 2, low half
 * first — byte for byte a plain little-endian f16 array, which is what the loader's converter writes. Kernels that
 * read a weight (matmul's operand b, the embedding gather) unpack with WGSL's core `unpack2x16float`, so this needs no
 * shader-f16 feature and all arithmetic stays f32. Norm weights and biases are always f32 (tiny), and so is anything
 * trained: LoRA parameters, gradients, Adam moments, and every weight in full-parameter mode.
 *
 * A WeightStore is a Map of logical HF name → GPUBuffer that also knows each buffer's format (f32 unless added as
 * f16), so code that only hands weights on keeps working; a plain Map of buffers means "all f32". Using an f16
 * buffer as f32 cannot go unnoticed: it is half the size, and every kernel checks operand sizes.
 */
import type { Gpu } from '../gpu/device';
import { Recorder } from '../gpu/recorder';
import { embeddingForward } from '../kernels/embedding';
import { f16BitsToF32, f32ToF16Bits } from '../io/convert';
import { isMatrixWeight, storedBytes, type WeightFormat } from './format';

export { isMatrixWeight, storedBytes, type WeightFormat } from './format';

/** One stored weight: its buffer and how its values are encoded. */
export interface StoredWeight {
  buffer: GPUBuffer;
  format: WeightFormat;
}

export class WeightStore extends Map<string, GPUBuffer> {
  private readonly formats = new Map<string, WeightFormat>();

  /** Adds (or replaces) a weight stored in `format`. */
  add(name: string, buffer: GPUBuffer, format: WeightFormat): this {
    super.set(name, buffer);
    if (format === 'f16') this.formats.set(name, 'f16');
    else this.formats.delete(name);
    return this;
  }

  /** Map API: a buffer set this way is f32. */
  override set(name: string, buffer: GPUBuffer): this {
    this.formats?.delete(name); // undefined only while Map's own constructor runs
    return super.set(name, buffer);
  }

  override delete(name: string): boolean {
    this.formats.delete(name);
    return super.delete(name);
  }

  override clear(): void {
    this.formats.clear();
    super.clear();
  }

  format(name: string): WeightFormat {
    return this.formats.get(name) ?? 'f32';
  }

  entry(name: string): StoredWeight | undefined {
    const buffer = this.get(name);
    return buffer && { buffer, format: this.format(name) };
  }

  /** True when any weight is stored as f16. */
  get hasF16(): boolean {
    return this.formats.size > 0;
  }
}

/** The format of `name` in any weight map: a WeightStore knows; a plain Map of buffers is all f32. */
export function weightFormatOf(weights: ReadonlyMap<string, GPUBuffer>, name: string): WeightFormat {
  return weights instanceof WeightStore ? weights.format(name) : 'f32';
}

/** 'auto' = f16 storage when the device has shader-f16 (a GPU where halving memory is the point), f32 otherwise. */
export function resolveWeightFormat(gpu: Pick<Gpu, 'hasF16'>, requested: WeightFormat | 'auto' = 'auto'): WeightFormat {
  if (requested === 'auto') return gpu.hasF16 ? 'f16' : 'f32';
  if (requested !== 'f32' && requested !== 'f16') throw new Error(`weight format must be 'f32', 'f16' or 'auto', got ${String(requested)}`);
  return requested;
}

/** f32 values → f16 (round to nearest even) packed two per u32, low half first; an odd count leaves a zero half. */
export function packF16(values: ArrayLike<number>): Uint32Array {
  const out = new Uint32Array(Math.ceil(values.length / 2));
  for (let i = 0; i < values.length; i++) out[i >> 1] |= f32ToF16Bits(values[i]) << ((i & 1) * 16);
  return out;
}

/** The values an f16 store holds: each rounded to the nearest f16 (for CPU references). */
export function roundToF16(values: ArrayLike<number>): Float32Array {
  return Float32Array.from(values, (v) => f16BitsToF32(f32ToF16Bits(v)));
}

/**
 * Uploads host weights (logical name → f32 values) into `pool`: matrices in `format`, norms and biases in f32.
 * For tests and small models built on the host; checkpoints stream through loadModelWeights instead.
 */
export function uploadWeightStore(gpu: Gpu, host: ReadonlyMap<string, Float32Array>, format: WeightFormat, pool = 'weights'): WeightStore {
  const store = new WeightStore();
  for (const [name, data] of host) {
    const f = format === 'f16' && isMatrixWeight(name) ? 'f16' : 'f32';
    gpu.checkBinding(`Weight ${name}`, storedBytes(data.length, f));
    store.add(name, gpu.buffers.fromData(pool, name, f === 'f16' ? packF16(data) : data), f);
  }
  return store;
}

/**
 * The same weights, every one f32: f16 matrices are widened on the GPU into new buffers in `pool` (exactly: every
 * f16 value is an f32), f32 ones are shared. For full-parameter training of a model that was loaded as f16 (training
 * starts from the f16 values). Returns `weights` itself when nothing is f16. Release `pool` to free the copies.
 */
export function widenToF32(gpu: Gpu, weights: ReadonlyMap<string, GPUBuffer>, pool: string): ReadonlyMap<string, GPUBuffer> {
  if (!(weights instanceof WeightStore) || !weights.hasF16) return weights;
  const out = new Map<string, GPUBuffer>();
  const rec = new Recorder(gpu);
  const zero = gpu.buffers.fromData(pool, 'widen.row0', new Uint32Array(1));
  try {
    for (const [name, buffer] of weights) {
      if (weights.format(name) === 'f32') {
        out.set(name, buffer);
        continue;
      }
      // Elements = what the buffer holds; an odd count's padding half is zero and widens to a harmless trailing 0.
      const elements = buffer.size / 2;
      gpu.checkBinding(`Weight ${name} (f32)`, elements * 4);
      const wide = gpu.buffers.storage(pool, name, elements * 4);
      // The whole tensor as row 0 of a one-row table: the gather copies it, unpacking f16 to f32.
      embeddingForward(rec, wide, zero, buffer, null, zero, 1, elements, 1, { wteFormat: 'f16' });
      out.set(name, wide);
    }
    rec.submit();
  } finally {
    rec.destroy();
  }
  return out;
}
