/**
 * Deterministic safetensors checkpoints for tests and e2e fixtures: every tensor's values are a pure function of
 * (seed, name, index), so a test can check each byte a loader delivered without keeping a second copy around.
 */
import { parseSafetensorsHeader, serializeSafetensors, type TensorToWrite, type WeightDtype } from './safetensors';
import { convertBytes, f16BitsToF32, bf16BitsToF32, f32ToF16Bits, f32ToBf16Bits } from './convert';
import type { LoadTensor, TensorSink } from './stream';

export interface TestTensorSpec {
  name: string;
  dtype: WeightDtype;
  shape: number[];
}

/** ~4.3 MB: F32, F16 and BF16 tensors of awkward sizes, a zero-length one and an I64 buffer-like tensor. */
export const TEST_SPECS: TestTensorSpec[] = [
  { name: 'embed.weight', dtype: 'F32', shape: [1000, 513] },
  { name: 'layers.0.attn.q.weight', dtype: 'F16', shape: [511, 777] },
  { name: 'layers.0.mlp.up.weight', dtype: 'BF16', shape: [333, 1001] },
  { name: 'layers.0.norm.weight', dtype: 'BF16', shape: [7] },
  { name: 'layers.0.empty', dtype: 'F32', shape: [0, 16] },
  { name: 'norm.weight', dtype: 'F16', shape: [1] },
];

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The f32 values of a test tensor (already representable in its dtype). */
export function testTensorValues(spec: TestTensorSpec, seed = 1): Float32Array {
  const n = spec.shape.reduce((a, d) => a * d, 1);
  const out = new Float32Array(n);
  let s = (hash(spec.name) ^ seed) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const v = ((s / 2 ** 32) * 2 - 1) * (1 + (i % 7));
    out[i] = spec.dtype === 'F16' ? f16BitsToF32(f32ToF16Bits(v)) : spec.dtype === 'BF16' ? bf16BitsToF32(f32ToBf16Bits(v)) : v;
  }
  return out;
}

export function testTensor(spec: TestTensorSpec, seed = 1): TensorToWrite {
  const values = testTensorValues(spec, seed);
  if (spec.dtype === 'F32') return { ...spec, data: values };
  const enc = spec.dtype === 'F16' ? f32ToF16Bits : f32ToBf16Bits;
  return { ...spec, data: Uint16Array.from(values, enc) };
}

export function makeTestCheckpoint(specs: TestTensorSpec[], seed = 1, metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  return serializeSafetensors(
    specs.map((s) => testTensor(s, seed)),
    metadata,
  );
}

/** Splits specs into shards and builds model.safetensors.index.json for them. */
export function makeShardedTestCheckpoint(shards: TestTensorSpec[][], seed = 1): { files: Record<string, Uint8Array>; index: string } {
  const files: Record<string, Uint8Array> = {};
  const weightMap: Record<string, string> = {};
  let total = 0;
  shards.forEach((specs, i) => {
    const name = `model-${String(i + 1).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.safetensors`;
    files[name] = makeTestCheckpoint(specs, seed);
    for (const s of specs) weightMap[s.name] = name;
    total += files[name].byteLength;
  });
  return { files, index: JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2) };
}

/**
 * A sink that records every call and copies each tensor's bytes, checking the protocol as it goes: begin before
 * writes, writes contiguous from offset 0, end only after the last byte, nothing after abort.
 */
export class RecordingSink implements TensorSink {
  readonly events: string[] = [];
  readonly bytes = new Map<string, Uint8Array>();
  readonly ended = new Set<string>();
  aborted: unknown = undefined;
  private filled = new Map<string, number>();

  begin(t: LoadTensor): void {
    this.check(!this.bytes.has(t.name), `begin twice for ${t.name}`);
    this.events.push(`begin ${t.name}`);
    this.bytes.set(t.name, new Uint8Array(t.byteLength));
    this.filled.set(t.name, 0);
  }
  write(t: LoadTensor, offset: number, chunk: Uint8Array): void {
    const at = this.filled.get(t.name);
    this.check(at !== undefined && !this.ended.has(t.name), `write for ${t.name} outside begin/end`);
    this.check(offset === at, `write for ${t.name} at ${offset}, expected ${at}`);
    this.check(offset + chunk.byteLength <= t.byteLength, `write past the end of ${t.name}`);
    this.bytes.get(t.name)!.set(chunk, offset);
    this.filled.set(t.name, offset + chunk.byteLength);
  }
  end(t: LoadTensor): void {
    this.check(this.filled.get(t.name) === t.byteLength, `end for ${t.name} after ${this.filled.get(t.name)} of ${t.byteLength} bytes`);
    this.events.push(`end ${t.name}`);
    this.ended.add(t.name);
  }
  abort(e: unknown): void {
    this.events.push('abort');
    this.aborted = e ?? 'aborted';
  }
  private check(ok: boolean, message: string) {
    if (this.aborted !== undefined) throw new Error(`sink used after abort: ${message}`);
    if (!ok) throw new Error(`sink protocol: ${message}`);
  }
}

/**
 * Checks that every tensor of `specs` found in `file` reached the sink complete, byte for byte, and decodes to the
 * generated values. Returns the first problem, or null.
 */
export function checkModelBytes(sink: RecordingSink, specs: TestTensorSpec[], file: Uint8Array, seed = 1): string | null {
  const h = parseSafetensorsHeader(file, { fileName: 'expected', fileSize: file.byteLength });
  for (const s of specs) {
    const t = h.tensors.find((x) => x.name === s.name);
    if (!t) continue;
    const got = sink.bytes.get(s.name);
    if (!got) return `${s.name}: never begun`;
    if (!sink.ended.has(s.name)) return `${s.name}: never ended`;
    const want = file.subarray(h.dataOffset + t.begin, h.dataOffset + t.end);
    if (got.byteLength !== want.byteLength) return `${s.name}: ${got.byteLength} bytes, expected ${want.byteLength}`;
    for (let i = 0; i < want.byteLength; i++) if (got[i] !== want[i]) return `${s.name}: byte ${i} is ${got[i]}, expected ${want[i]}`;
    const values = convertBytes(got, s.dtype, 'f32');
    const expected = testTensorValues(s, seed);
    for (let i = 0; i < expected.length; i++) if (values[i] !== expected[i]) return `${s.name}: value ${i} is ${values[i]}, expected ${expected[i]}`;
  }
  return null;
}
