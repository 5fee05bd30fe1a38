/**
 * Named GPU allocations. Every buffer the engine owns is created through a pool so we can report what is allocated
 * (by pool name: "weights", "activations", "lora", "optimizer", ...) and the peak, and free a whole pool at once.
 */

/** Read lazily: GPUBufferUsage is a global in browsers, and in Node only once `webgpu`'s globals are installed. */
const storageUsage = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

export interface TrackedBuffer {
  buffer: GPUBuffer;
  pool: string;
  name: string;
  bytes: number;
}

export class BufferPool {
  private readonly live = new Map<GPUBuffer, TrackedBuffer>();
  private current = 0;
  private peakBytes = 0;
  /** Buffers this pool destroyed, and how many (caches keyed by buffer identity sweep when the count moves). */
  private readonly released = new WeakSet<GPUBuffer>();
  releases = 0;
  constructor(private readonly device: GPUDevice) {}

  /** A storage buffer (also copy src/dst). Size is rounded up to 4 bytes; WebGPU requires it for storage. */
  storage(pool: string, name: string, bytes: number, extraUsage = 0): GPUBuffer {
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const limit = this.device.limits.maxBufferSize;
    if (size > limit)
      throw new Error(`Buffer "${pool}/${name}" needs ${size} bytes but the device's maxBufferSize is ${limit}.`);
    const buffer = this.device.createBuffer({ label: `${pool}/${name}`, size, usage: storageUsage() | extraUsage });
    this.track(buffer, pool, name, size);
    return buffer;
  }

  /** Storage buffer initialised from host data (f32, u32 or i32 arrays, or raw bytes). */
  fromData(pool: string, name: string, data: ArrayBufferView): GPUBuffer {
    const buffer = this.storage(pool, name, data.byteLength);
    if (data.byteLength % 4 === 0) {
      this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    } else {
      const padded = new Uint8Array(Math.ceil(data.byteLength / 4) * 4);
      padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      this.device.queue.writeBuffer(buffer, 0, padded);
    }
    return buffer;
  }

  private track(buffer: GPUBuffer, pool: string, name: string, bytes: number) {
    this.live.set(buffer, { buffer, pool, name, bytes });
    this.current += bytes;
    this.peakBytes = Math.max(this.peakBytes, this.current);
  }

  release(buffer: GPUBuffer): void {
    const t = this.live.get(buffer);
    if (!t) return;
    this.live.delete(buffer);
    this.current -= t.bytes;
    this.released.add(buffer);
    this.releases++;
    buffer.destroy();
  }

  /** True once `release` destroyed this buffer. */
  wasReleased(buffer: GPUBuffer): boolean {
    return this.released.has(buffer);
  }

  releasePool(pool: string): void {
    for (const t of [...this.live.values()]) if (t.pool === pool) this.release(t.buffer);
  }

  get allocatedBytes(): number {
    return this.current;
  }
  get peak(): number {
    return this.peakBytes;
  }
  resetPeak(): void {
    this.peakBytes = this.current;
  }

  /** Bytes per pool, for the memory panel and the benchmark. */
  byPool(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of this.live.values()) out[t.pool] = (out[t.pool] ?? 0) + t.bytes;
    return out;
  }
}

/** Copy a buffer range to the host. Only for what the UI shows or tests check, never per op. */
export async function readBytes(device: GPUDevice, src: GPUBuffer, offset = 0, bytes = src.size - offset): Promise<ArrayBuffer> {
  const size = Math.ceil(bytes / 4) * 4;
  const staging = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(src, offset, staging, 0, size);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const copy = staging.getMappedRange().slice(0, bytes);
  staging.unmap();
  staging.destroy();
  return copy;
}

export async function readF32(device: GPUDevice, src: GPUBuffer, offsetFloats = 0, count?: number): Promise<Float32Array> {
  const n = count ?? src.size / 4 - offsetFloats;
  return new Float32Array(await readBytes(device, src, offsetFloats * 4, n * 4));
}

export async function readU32(device: GPUDevice, src: GPUBuffer, offsetWords = 0, count?: number): Promise<Uint32Array> {
  const n = count ?? src.size / 4 - offsetWords;
  return new Uint32Array(await readBytes(device, src, offsetWords * 4, n * 4));
}
