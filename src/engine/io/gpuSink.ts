/**
 * A TensorSink that converts weights on the fly (F32/F16/BF16 → f32, or → f16 when asked) and uploads them into GPU
 * buffers. Converted bytes gather in one staging array (default 2 MiB) that is flushed with queue.writeBuffer when
 * full and at the end of each tensor, so the network's small chunks become few large writes and no tensor is ever
 * copied whole on the host. writeBuffer copies its data at call time, so the staging array is reused at once.
 * Every `throttleBytes` uploaded, write() waits for the queue, which bounds the memory the driver holds for pending
 * uploads. Every value of the file is checked on the way: a NaN or ±Inf fails the load with a ModelFileError naming the
 * tensor and the element. (A finite value beyond f16's ±65504 stored as f16 still becomes ±Inf, as RNE conversion does.)
 */
import { StreamConverter, formatBytes, type TargetFormat } from './convert';
import type { LoadTensor, TensorSink } from './stream';
import type { WeightDtype } from './safetensors';
import { ModelFileError } from './errors';
import { StreamFiniteCheck, describeNonFinite } from './finite';

export interface GpuSinkOptions {
  device: GPUDevice;
  /** GPU storage format, for all tensors or per tensor. Default 'f32'. 'f16' needs a shader-f16 device to be useful. */
  format?: TargetFormat | ((t: LoadTensor) => TargetFormat);
  /**
   * The buffer to upload the tensor into, called from begin(). It must be at least `byteLength` rounded up to 4
   * bytes (the converted size: elements × 4 for f32, × 2 for f16), plus `offset`.
   */
  buffer: (t: LoadTensor, byteLength: number, format: TargetFormat) => GPUBuffer | { buffer: GPUBuffer; offset: number } | Promise<GPUBuffer | { buffer: GPUBuffer; offset: number }>;
  /** Staging size in bytes (multiple of 4). Default 2 MiB. */
  stagingBytes?: number;
  /** Wait for the GPU queue after this many uploaded bytes. Default 64 MiB. */
  throttleBytes?: number;
  /** After a tensor is complete. */
  onTensor?: (t: LoadTensor, buffer: GPUBuffer, format: TargetFormat) => void;
  /** The load failed or was cancelled: release the buffers handed out by `buffer` (none of them may be used). */
  onAbort?: (error: unknown) => void;
}

/** Converted byte size of a tensor for a format (before rounding up to 4). */
export function convertedByteLength(t: Pick<LoadTensor, 'byteLength' | 'dtype'>, format: TargetFormat): number {
  const src = t.dtype === 'F32' ? 4 : 2;
  return (t.byteLength / src) * formatBytes(format);
}

interface Current {
  tensor: LoadTensor;
  buffer: GPUBuffer;
  /** Where the next flush lands in the buffer. */
  dst: number;
  /** NaN/Inf check of the file's bytes. */
  finite: StreamFiniteCheck;
  converter: StreamConverter;
  format: TargetFormat;
}

export class GpuTensorSink implements TensorSink {
  private readonly staging: Uint8Array;
  private fill = 0;
  private cur: Current | null = null;
  private sinceThrottle = 0;
  /** Bytes uploaded (after conversion). */
  uploaded = 0;
  /** writeBuffer calls made. */
  writes = 0;

  constructor(private readonly options: GpuSinkOptions) {
    const size = options.stagingBytes ?? 2 << 20;
    if (size < 4 || size % 4 !== 0) throw new RangeError('stagingBytes must be a positive multiple of 4.');
    this.staging = new Uint8Array(size);
  }

  async begin(t: LoadTensor): Promise<void> {
    if (!t.supported) throw new Error(`GpuTensorSink cannot load ${t.dtype} tensor "${t.name}".`);
    const f = this.options.format ?? 'f32';
    const format = typeof f === 'function' ? f(t) : f;
    const got = await this.options.buffer(t, convertedByteLength(t, format), format);
    const { buffer, offset } = 'offset' in got ? got : { buffer: got, offset: 0 };
    if (offset % 4 !== 0) throw new RangeError(`buffer offset for "${t.name}" must be a multiple of 4.`);
    const need = offset + Math.ceil(convertedByteLength(t, format) / 4) * 4;
    if (buffer.size < need) throw new RangeError(`buffer for "${t.name}" has ${buffer.size} bytes; ${need} are needed.`);
    this.cur = { tensor: t, buffer, dst: offset, finite: new StreamFiniteCheck(t.dtype as WeightDtype), converter: new StreamConverter(t.dtype as WeightDtype, format), format };
    this.fill = 0;
  }

  write(t: LoadTensor, _byteOffset: number, chunk: Uint8Array): void | Promise<void> {
    const cur = this.cur;
    if (!cur || cur.tensor !== t) throw new Error(`write for "${t.name}" without begin().`);
    const bad = cur.finite.push(chunk);
    if (bad)
      throw new ModelFileError(t.file, `tensor "${t.name}" ${describeNonFinite(bad.value, bad.index)}; a weight that is not a finite number makes every output NaN. Re-download or re-export the model.`, t.name);
    let at = 0;
    while (at < chunk.byteLength) {
      let take = Math.min(chunk.byteLength - at, cur.converter.inputBytesFor(this.staging.byteLength - this.fill));
      if (take === 0) {
        this.flush(false);
        take = Math.min(chunk.byteLength - at, cur.converter.inputBytesFor(this.staging.byteLength));
      }
      this.fill += cur.converter.push(chunk.subarray(at, at + take), this.staging, this.fill);
      at += take;
    }
    if (this.options.throttleBytes !== Infinity && this.sinceThrottle >= (this.options.throttleBytes ?? 64 << 20)) {
      this.sinceThrottle = 0;
      return this.options.device.queue.onSubmittedWorkDone();
    }
  }

  end(t: LoadTensor): void {
    const cur = this.cur;
    if (!cur || cur.tensor !== t) throw new Error(`end for "${t.name}" without begin().`);
    if (cur.converter.pending !== 0) throw new Error(`tensor "${t.name}" ended in the middle of an element.`);
    this.flush(true);
    this.cur = null;
    this.options.onTensor?.(t, cur.buffer, cur.format);
  }

  abort(error: unknown): void {
    this.cur = null;
    this.fill = 0;
    this.options.onAbort?.(error);
  }

  /** Uploads the staging bytes. Only the last flush of a tensor may be a non-multiple of 4: it is zero-padded. */
  private flush(last: boolean): void {
    const cur = this.cur!;
    let n = this.fill;
    if (n === 0) return;
    if (n % 4 !== 0) {
      if (!last) throw new Error('internal: partial flush not 4-byte aligned');
      const padded = Math.ceil(n / 4) * 4;
      this.staging.fill(0, n, padded);
      n = padded;
    }
    this.options.device.queue.writeBuffer(cur.buffer, cur.dst, this.staging.buffer, this.staging.byteOffset, n);
    cur.dst += n;
    this.uploaded += n;
    this.sinceThrottle += n;
    this.writes++;
    this.fill = 0;
  }
}
