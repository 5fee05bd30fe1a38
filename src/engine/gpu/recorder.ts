/**
 * Records many compute dispatches into one command buffer. Per-dispatch sizes (M, N, K, eps, ...) are packed into
 * one host-side arena and uploaded with a single writeBuffer at submit, each dispatch binding its own 256-byte slot.
 *
 * Binding convention every shader follows (so wrappers stay one-liners):
 *   @group(0) @binding(0) var<uniform> params : Params;   // only if the call passes params
 *   @group(0) @binding(1..n)  storage buffers, in the order the wrapper lists them (outputs first, then inputs)
 * With layout 'auto', a declared binding the entry point never uses is dropped, so every shader must use all of
 * its bindings.
 */
import type { Gpu } from './device';
import type { Constants } from './pipelines';
import { GpuLimitError } from './errors';

/** A uniform value: plain numbers are u32; wrap floats and signed ints. */
export type Param = number | { f32: number } | { i32: number };
export const f32 = (v: number): Param => ({ f32: v });
export const i32 = (v: number): Param => ({ i32: v });

const SLOT = 256; // minUniformBufferOffsetAlignment is at most 256 everywhere

export type Binding = GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number };

export interface DispatchSpec {
  shader: string;
  entryPoint?: string;
  constants?: Constants;
  params?: Param[];
  bindings: Binding[];
  workgroups: [number, number?, number?];
  label?: string;
}

interface Pending {
  spec: DispatchSpec;
  slot: number; // -1 when no params
}

export class Recorder {
  private readonly pending: Pending[] = [];
  private slots = 0;
  private arena = new ArrayBuffer(SLOT * 64);
  private uniformBuffer: GPUBuffer | null = null;

  constructor(readonly gpu: Gpu) {}

  dispatch(spec: DispatchSpec): void {
    const max = this.gpu.device.limits.maxComputeWorkgroupsPerDimension;
    for (const w of spec.workgroups) {
      if (w !== undefined && w > max)
        throw new GpuLimitError(`Dispatch of ${spec.label ?? spec.shader}`, 'maxComputeWorkgroupsPerDimension', w, max);
    }
    let slot = -1;
    if (spec.params && spec.params.length) {
      if (spec.params.length * 4 > SLOT) throw new Error(`${spec.shader}: more than ${SLOT / 4} params`);
      slot = this.slots++;
      if (slot * SLOT >= this.arena.byteLength) {
        const grown = new ArrayBuffer(this.arena.byteLength * 2);
        new Uint8Array(grown).set(new Uint8Array(this.arena));
        this.arena = grown;
      }
      const view = new DataView(this.arena, slot * SLOT, SLOT);
      spec.params.forEach((p, i) => {
        if (typeof p === 'number') view.setUint32(i * 4, p, true);
        else if ('f32' in p) view.setFloat32(i * 4, p.f32, true);
        else view.setInt32(i * 4, p.i32, true);
      });
    }
    this.pending.push({ spec, slot });
  }

  /**
   * Encode everything recorded so far into `encoder`. Without `timestampWrites` all dispatches go into ONE compute
   * pass: WebGPU makes each dispatch of a compute pass its own synchronization scope, so a dispatch still sees every
   * earlier one's writes (the implementation inserts the barriers it needs), and one pass instead of ~2,600 per
   * training step saves the per-pass begin/end cost. With `timestampWrites` (profiling) every dispatch gets its own
   * pass, because timestamps are written per pass.
   */
  encode(encoder: GPUCommandEncoder, timestampWrites?: (i: number, label: string) => GPUComputePassTimestampWrites | undefined): void {
    const { device, pipelines } = this.gpu;
    if (this.slots > 0) {
      const bytes = this.slots * SLOT;
      if (!this.uniformBuffer || this.uniformBuffer.size < bytes) {
        this.uniformBuffer?.destroy();
        this.uniformBuffer = device.createBuffer({
          label: 'recorder/params',
          size: Math.max(bytes, SLOT * 64),
          usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
        });
      }
      device.queue.writeBuffer(this.uniformBuffer, 0, this.arena, 0, bytes);
    }
    let shared: GPUComputePassEncoder | null = null;
    this.pending.forEach(({ spec, slot }, i) => {
      const pipeline = pipelines.get(spec.shader, spec.entryPoint ?? 'main', spec.constants);
      const entries: GPUBindGroupEntry[] = [];
      if (slot >= 0) entries.push({ binding: 0, resource: { buffer: this.uniformBuffer!, offset: slot * SLOT, size: SLOT } });
      spec.bindings.forEach((b, j) => {
        entries.push({ binding: j + 1, resource: 'buffer' in b ? b : { buffer: b } });
      });
      const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
      const label = spec.label ?? spec.shader;
      const pass = timestampWrites
        ? encoder.beginComputePass({ label, timestampWrites: timestampWrites(i, label) })
        : (shared ??= encoder.beginComputePass({ label: 'recorder' }));
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      const [x, y = 1, z = 1] = spec.workgroups;
      if (x > 0 && y > 0 && z > 0) pass.dispatchWorkgroups(x, y, z);
      if (timestampWrites) pass.end();
    });
    (shared as GPUComputePassEncoder | null)?.end();
  }

  /** Labels of the recorded dispatches, in order (for per-kernel timing). */
  get labels(): string[] {
    return this.pending.map((p) => p.spec.label ?? p.spec.shader);
  }

  get count(): number {
    return this.pending.length;
  }

  /** Encode and submit in one command buffer, then clear. */
  submit(): void {
    const encoder = this.gpu.device.createCommandEncoder();
    this.encode(encoder);
    this.gpu.device.queue.submit([encoder.finish()]);
    this.clear();
  }

  clear(): void {
    this.pending.length = 0;
    this.slots = 0;
  }

  destroy(): void {
    this.uniformBuffer?.destroy();
    this.uniformBuffer = null;
  }
}

/** ceil(a / b) */
export const cdiv = (a: number, b: number) => Math.ceil(a / b);
