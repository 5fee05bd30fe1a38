/**
 * The Train page's GPU memory plan: the run the form describes, planned on the loaded model and this GPU's limits by
 * the same code runTraining refuses with (src/train/memory.ts → src/engine/transformer/memory.ts, both pure).
 */
import { useMemo } from 'react';
import { useStudio } from '../../store';
import type { AdapterSummary } from '../../engine/gpu/device';
import type { ModelConfig } from '../../engine/model/config';
import type { WeightFormat } from '../../engine/transformer/format';
import { planRunMemory, type RunMemory, type RunMemorySettings } from '../../train/memory';

/** The plan, or null without a model, a valid run or an adapter (or with LoRA targets the model lacks: the form says so). */
export function runMemoryFor(
  config: ModelConfig | null,
  run: RunMemorySettings | null,
  adapter: Pick<AdapterSummary, 'limits' | 'isSoftware'> | null,
  weightFormat: WeightFormat,
  hostMemoryBytes?: number,
): RunMemory | null {
  if (!config || !run || !adapter) return null;
  const limits = {
    maxBufferSize: adapter.limits.maxBufferSize, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    isSoftware: adapter.isSoftware, hostMemoryBytes,
  };
  try {
    return planRunMemory(config, run, limits, weightFormat);
  } catch {
    return null;
  }
}

/** navigator.deviceMemory (GiB, Chromium; rounded and capped at 8) in bytes, when the browser tells. */
function deviceMemoryBytes(): number | undefined {
  const gib = typeof navigator !== 'undefined' ? (navigator as { deviceMemory?: number }).deviceMemory : undefined;
  return gib ? gib * 2 ** 30 : undefined;
}

export function useRunMemory(config: ModelConfig | null, run: RunMemorySettings | null): RunMemory | null {
  const adapter = useStudio((s) => s.gpuAdapter);
  const f16 = useStudio((s) => s.modelInfo?.weightFormat ?? (s.gpuFeatures?.shaderF16 ? 'f16' : 'f32'));
  const key = run ? JSON.stringify({ B: run.batchSize, T: run.label.maxLength, lora: run.lora, recompute: run.recompute }) : '';
  return useMemo(
    () => runMemoryFor(config, run, adapter, f16, deviceMemoryBytes()),
    // `key` stands for `run`: a new object with the same values must not recompute.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [config, key, adapter, f16],
  );
}
