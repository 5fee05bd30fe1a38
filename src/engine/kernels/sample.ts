/**
 * Next-token sampling on the GPU (shaders/sample.wgsl): greedy, or temperature → top-k → top-p → draw, exactly the
 * order and semantics of the host sampler (src/engine/sampling.ts, its CPU reference), from one row of logits. The
 * id goes to ids[slot] (read back: 4 bytes per token instead of V floats) and to tokens[0] (the next decoding
 * step's input). `r` is the uniform [0, 1) draw; the caller takes it from the same seeded stream the host sampler
 * uses, so a seeded generation is reproducible and picks what the host sampler would from the same logits (up to
 * f32 exp vs f64 within rounding of a boundary; see the shader).
 */
import { f32, type Recorder } from '../gpu/recorder';
import type { SamplingOptions } from '../sampling';
import { reductionThreads } from './reductionThreads';

/** Threads of the single sampling workgroup on a GPU (a CPU adapter gets CPU_REDUCTION_THREADS). */
const WG = 256;

export interface SampleCall extends SamplingOptions {
  /** Uniform [0, 1) draw (ignored when greedy). */
  r: number;
  /** First logit of the row in `logits` (elements). Default 0. */
  offset?: number;
  /** ids[slot] receives the id. Default 0. */
  slot?: number;
}

/** ids[slot], tokens[0] ← the token sampled from logits[offset .. offset + V). */
export function sampleToken(rec: Recorder, ids: GPUBuffer, tokens: GPUBuffer, logits: GPUBuffer, V: number, call: SampleCall): void {
  const { temperature, topK, topP, r, offset = 0, slot = 0 } = call;
  if (!Number.isInteger(V) || V < 1) throw new Error(`sampleToken: V must be a positive integer, got ${V}`);
  if (!Number.isInteger(topK) || topK < 0) throw new Error(`sampleToken: topK must be a non-negative integer, got ${topK}`);
  if (!(topP > 0)) throw new Error(`sampleToken: topP must be > 0, got ${topP}`);
  if (!Number.isFinite(temperature)) throw new Error(`sampleToken: temperature must be finite, got ${temperature}`);
  if (!(r >= 0 && r < 1)) throw new Error(`sampleToken: r must be in [0, 1), got ${r}`);
  if (logits.size < (offset + V) * 4) throw new Error(`sampleToken: logits hold ${logits.size / 4} floats, need ${offset + V}`);
  if (ids.size < (slot + 1) * 4) throw new Error(`sampleToken: ids holds ${ids.size / 4} ids, slot ${slot} is outside`);
  rec.dispatch({
    shader: 'sample',
    constants: { WG: reductionThreads(rec.gpu, WG) },
    params: [V, offset, slot, topK, f32(temperature), f32(topP), f32(r)],
    bindings: [ids, tokens, { buffer: logits, offset: 0, size: (offset + V) * 4 }],
    workgroups: [1],
    label: temperature > 0 ? 'sample_draw' : 'sample_greedy',
  });
}
