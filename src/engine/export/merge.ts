/**
 * Folding a LoRA adapter into the base weights, as PEFT's merge does: W' = W + s·B·A, with B [out, r], A [r, in] and
 * s the module's scale (alpha / r, or alpha / √r with rsLoRA). GPT-2's Conv1D stores W as [in, out], so the update is
 * added transposed (PEFT's fan_in_fan_out). The product is accumulated in float64 and the sum rounded once to f32,
 * which is at least as exact as computing it in f32 (PEFT on an f32 base); the caller rounds to the checkpoint dtype.
 */
import type { LoraTarget } from '../model/lora';
import { f32ToBf16Bits, f32ToF16Bits } from '../io/convert';
import type { WeightDtype } from '../io/safetensors';

export interface LoraUpdate {
  target: LoraTarget;
  /** lora_A [r, in] row-major. */
  A: Float32Array;
  /** lora_B [out, r] row-major. */
  B: Float32Array;
}

/** base (in the checkpoint layout of the target's weight) + s·B·A, as a new f32 array. */
export function mergeLora(base: Float32Array, u: LoraUpdate): Float32Array {
  const { target: t, A, B } = u;
  const inF = t.inFeatures, outF = t.outFeatures, r = t.r;
  if (base.length !== inF * outF) throw new Error(`${t.module}: the base weight has ${base.length} values, the adapter implies ${outF} × ${inF}`);
  if (A.length !== r * inF || B.length !== outF * r) throw new Error(`${t.module}: lora_A/lora_B sizes do not match r = ${r}`);
  const out = new Float32Array(base.length);
  const row = new Float64Array(inF);
  for (let o = 0; o < outF; o++) {
    row.fill(0);
    for (let k = 0; k < r; k++) {
      const b = B[o * r + k] * t.scale;
      if (b === 0) continue;
      const a0 = k * inF;
      for (let i = 0; i < inF; i++) row[i] += b * A[a0 + i];
    }
    if (t.layout === 'linear') {
      const w0 = o * inF;
      for (let i = 0; i < inF; i++) out[w0 + i] = base[w0 + i] + row[i];
    } else {
      // Conv1D: W[i, o] at i * out + o.
      for (let i = 0; i < inF; i++) out[i * outF + o] = base[i * outF + o] + row[i];
    }
  }
  return out;
}

/** f32 values → the bytes of `dtype` (little-endian; F16/BF16 rounded to nearest even). */
export function encodeF32(values: Float32Array, dtype: WeightDtype): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint16Array(values.length);
  const enc = dtype === 'F16' ? f32ToF16Bits : f32ToBf16Bits;
  for (let i = 0; i < values.length; i++) out[i] = enc(values[i]);
  return new Uint8Array(out.buffer);
}

/** HF torch_dtype name of a safetensors dtype. */
export function torchDtypeOf(d: WeightDtype): 'float32' | 'float16' | 'bfloat16' {
  return d === 'F32' ? 'float32' : d === 'F16' ? 'float16' : 'bfloat16';
}
