/**
 * Small reads repeated many times (one sampled id per decoded token): the MAP_READ staging buffers are kept and
 * reused instead of created and destroyed per read (readBytes in buffers.ts does that for one-off reads). Reads may
 * overlap (generation keeps one queued a step ahead): each takes a free staging buffer or makes one, and gives it
 * back when its copy is out; at most `keep` are kept.
 */
export class StagingReads {
  private readonly free: GPUBuffer[] = [];
  private destroyed = false;

  constructor(private readonly device: GPUDevice, readonly bytes: number, private readonly keep = 4) {
    if (bytes % 4 !== 0 || bytes <= 0) throw new Error(`StagingReads: bytes must be a positive multiple of 4, got ${bytes}`);
  }

  /** `bytes` of `src` from byte `offset`, copied out once the GPU has written them. */
  async read(src: GPUBuffer, offset: number): Promise<ArrayBuffer> {
    if (this.destroyed) throw new Error('StagingReads: read after destroy');
    const staging = this.free.pop() ?? this.device.createBuffer({ label: 'staging-read', size: this.bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(src, offset, staging, 0, this.bytes);
    this.device.queue.submit([enc.finish()]);
    try {
      await staging.mapAsync(GPUMapMode.READ);
    } catch (e) {
      staging.destroy();
      throw e;
    }
    const copy = staging.getMappedRange().slice(0);
    staging.unmap();
    if (!this.destroyed && this.free.length < this.keep) this.free.push(staging);
    else staging.destroy();
    return copy;
  }

  destroy(): void {
    this.destroyed = true;
    for (const b of this.free) b.destroy();
    this.free.length = 0;
  }
}
