/**
 * Records many compute dispatches into one command buffer. Per-dispatch sizes (M, N, K, eps, ...) are packed into
 * one host-side arena and uploaded with a single writeBuffer at submit, each dispatch binding its own 256-byte slot.
 *
 * Binding convention every shader follows (so wrappers stay one-liners):
 *   @group(0) @binding(0) var<uniform> params : Params;   // only if the call passes params
 *   @group(0) @binding(1..n)  storage buffers, in the order the wrapper lists them (outputs first, then inputs)
 * With layout 'auto', a declared binding the entry point never uses is dropped, so every shader must use all of
 * its bindings.
 *
 * Host cost: a step records the same dispatches over the same buffers every time, so bind groups are kept across
 * encodes (bindGroupCache.ts). For that the uniform buffer stays the same object while it is big enough (it grows to
 * a power of two of slots) and slots are numbered in recording order from 0 at every encode, so a repeated sequence
 * gives the same (pipeline, slot, buffers) keys and hits.
 */
import type { Gpu } from './device';
import type { Constants } from './pipelines';
import { GpuLimitError } from './errors';
import { BindGroupCache, objectId, type BindGroupCacheStats } from './bindGroupCache';

/** A uniform value: plain numbers are u32; wrap floats and signed ints. */
export type Param = number | { f32: number } | { i32: number };
export const f32 = (v: number): Param => ({ f32: v });
export const i32 = (v: number): Param => ({ i32: v });

/** Switches for measuring (bench/host cost): the bind-group cache can be turned off to time the path without it. */
export const recorderPolicy = { cacheBindGroups: true };

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
  private view = new DataView(this.arena);
  private uniformBuffer: GPUBuffer | null = null;
  /** Made at the first dispatch encoded (a recorder that never dispatches needs none). */
  private cacheOrNull: BindGroupCache | null = null;
  /** Bind groups this recorder has created (with the cache: its misses). */
  bindGroupsCreated = 0;

  constructor(readonly gpu: Gpu) {}

  private get cache(): BindGroupCache {
    return (this.cacheOrNull ??= new BindGroupCache(this.gpu.buffers));
  }

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
        this.view = new DataView(grown);
      }
      const { view } = this;
      const params = spec.params;
      for (let i = 0, at = slot * SLOT; i < params.length; i++, at += 4) {
        const p = params[i];
        if (typeof p === 'number') view.setUint32(at, p, true);
        else if ('f32' in p) view.setFloat32(at, p.f32, true);
        else view.setInt32(at, p.i32, true);
      }
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
        if (this.uniformBuffer) {
          this.cacheOrNull?.forget(this.uniformBuffer);
          this.uniformBuffer.destroy();
        }
        this.uniformBuffer = device.createBuffer({
          label: 'recorder/params',
          size: SLOT * Math.max(64, 2 ** Math.ceil(Math.log2(this.slots))),
          usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
        });
      }
      device.queue.writeBuffer(this.uniformBuffer, 0, this.arena, 0, bytes);
    }
    const cached = recorderPolicy.cacheBindGroups;
    let shared: GPUComputePassEncoder | null = null;
    let lastPipeline: GPUComputePipeline | null = null;
    for (let i = 0; i < this.pending.length; i++) {
      const { spec, slot } = this.pending[i];
      const pipeline = pipelines.get(spec.shader, spec.entryPoint ?? 'main', spec.constants);
      const key = cached ? bindGroupKey(pipeline, slot, spec.bindings) : '';
      let bindGroup = cached ? this.cache.lookup(key) : undefined;
      if (!bindGroup) {
        bindGroup = this.createBindGroup(pipeline, slot, spec.bindings);
        if (cached) this.cache.store(key, bindGroup, this.boundBuffers(slot, spec.bindings));
      }
      let pass: GPUComputePassEncoder;
      if (timestampWrites) {
        const label = spec.label ?? spec.shader;
        pass = encoder.beginComputePass({ label, timestampWrites: timestampWrites(i, label) });
        lastPipeline = null;
      } else pass = shared ??= encoder.beginComputePass({ label: 'recorder' });
      if (pipeline !== lastPipeline) pass.setPipeline(pipeline); // pipeline state persists within a pass
      lastPipeline = pipeline;
      pass.setBindGroup(0, bindGroup);
      const [x, y = 1, z = 1] = spec.workgroups;
      if (x > 0 && y > 0 && z > 0) pass.dispatchWorkgroups(x, y, z);
      if (timestampWrites) pass.end();
    }
    (shared as GPUComputePassEncoder | null)?.end();
  }

  private createBindGroup(pipeline: GPUComputePipeline, slot: number, bindings: Binding[]): GPUBindGroup {
    const entries: GPUBindGroupEntry[] = [];
    if (slot >= 0) entries.push({ binding: 0, resource: { buffer: this.uniformBuffer!, offset: slot * SLOT, size: SLOT } });
    bindings.forEach((b, j) => {
      entries.push({ binding: j + 1, resource: 'buffer' in b ? b : { buffer: b } });
    });
    this.bindGroupsCreated++;
    return this.gpu.device.createBindGroup({ layout: this.gpu.pipelines.layout(pipeline), entries });
  }

  private boundBuffers(slot: number, bindings: Binding[]): GPUBuffer[] {
    const out = bindings.map((b) => ('buffer' in b ? b.buffer : b));
    if (slot >= 0) out.push(this.uniformBuffer!);
    return out;
  }

  /** Bind-group cache counters (hits and misses since this recorder was made, entries held). */
  get bindGroupCache(): BindGroupCacheStats {
    return this.cacheOrNull?.stats ?? { hits: 0, misses: 0, size: 0 };
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
    this.cacheOrNull?.clear();
    this.uniformBuffer?.destroy();
    this.uniformBuffer = null;
  }
}

/**
 * A dispatch's bind group identity: pipeline, params slot (its offset in the recorder's uniform buffer) and every
 * binding's buffer, offset and size (undefined ones as given: they mean 0 and "to the end", fixed per buffer).
 */
function bindGroupKey(pipeline: GPUComputePipeline, slot: number, bindings: Binding[]): string {
  let key = `${objectId(pipeline)}|${slot}`;
  for (let j = 0; j < bindings.length; j++) {
    const b = bindings[j];
    key += 'buffer' in b ? `|${objectId(b.buffer)}:${b.offset ?? 0}:${b.size ?? ''}` : `|${objectId(b)}`;
  }
  return key;
}

/** ceil(a / b) */
export const cdiv = (a: number, b: number) => Math.ceil(a / b);
