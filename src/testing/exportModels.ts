/** Test helpers for exports: an in-memory sink and a tiny model with a LoRA adapter, stored in a chosen dtype. */
import { serializeSafetensors, type WeightDtype } from '../engine/io/safetensors';
import { f32ToBf16Bits, f32ToF16Bits } from '../engine/io/convert';
import { expectedTensors } from '../engine/model/tensors';
import { tinyLoraParams, tinyModel } from '../engine/model/tiny';
import { defaultLoraConfig, resolveLoraTargets } from '../engine/model/lora';
import type { ModelType } from '../engine/model/config';
import type { ExportFile, ExportSink } from '../engine/export/sink';

export class MemorySink implements ExportSink {
  readonly files = new Map<string, Uint8Array>();
  readonly pending = new Map<string, Uint8Array[]>();
  committed = false;
  aborted = false;
  async file(name: string): Promise<ExportFile> {
    const parts: Uint8Array[] = [];
    this.pending.set(name, parts);
    return {
          write: async (c) => void parts.push(c.slice()),
      close: async () => {},
    };
  }
  async commit() {
    for (const [name, parts] of this.pending) {
      const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.byteLength;
      }
      this.files.set(name, out);
    }
    this.pending.clear();
    this.committed = true;
  }
  async abort() {
    this.pending.clear();
    this.aborted = true;
  }
}

/** A tiny model whose checkpoint stores the weights in `dtype` (values rounded to it), and a LoRA on all linears. */
export function tinyExportModel(arch: ModelType, dtype: WeightDtype, overrides: Record<string, unknown> = {}, lora: { r?: number; alpha?: number; rslora?: boolean } = {}) {
  const tiny = tinyModel(arch, 3, overrides);
  const round = (v: Float32Array) => (dtype === 'F32' ? v : v.map((x) => (dtype === 'F16' ? f16(x) : bf16(x))));
  const weights = new Map([...tiny.weights].map(([k, v]) => [k, round(v)]));
  const tensors = expectedTensors(tiny.config).map((s) => {
    const v = weights.get(s.name)!;
    const data = dtype === 'F32' ? v : Uint16Array.from(v, (x) => (dtype === 'F16' ? f32ToF16Bits(x) : f32ToBf16Bits(x)));
    return { name: s.name, dtype, shape: s.shape, data };
  });
  const bytes = serializeSafetensors(tensors, { format: 'pt' });
  const loraConfig = defaultLoraConfig(tiny.config, { r: lora.r ?? 4, loraAlpha: lora.alpha ?? 8, targetModules: 'all-linear', useRslora: lora.rslora ?? false });
  const targets = resolveLoraTargets(tiny.config, loraConfig);
  const values = tinyLoraParams(targets, 5, 0.3);
  return { ...tiny, weights, bytes, loraConfig, targets, values, source: { kind: 'files' as const, files: [{ name: 'model.safetensors', blob: new Blob([bytes.slice().buffer as ArrayBuffer]) }] } };
}

const buf = new DataView(new ArrayBuffer(4));
function bf16(x: number): number {
  buf.setUint32(0, f32ToBf16Bits(x) << 16);
  return buf.getFloat32(0);
}
function f16(x: number): number {
  const h = f32ToF16Bits(x);
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
