import { describe, expect, it } from 'vitest';
import qwenJson from '../../engine/model/fixtures/qwen2.5-0.5b.json';
import { parseModelConfig } from '../../engine/model/config';
import { DEFAULT_RUN } from '../../train/run';
import { runMemoryFor } from './memoryView';

const cfg = parseModelConfig(qwenJson);
const run = { ...DEFAULT_RUN, label: { maxLength: 512 } };
const adapter = (binding: number) => ({ isSoftware: false, limits: { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: binding } });

describe('the Train page memory plan', () => {
  it('plans the form’s run on the loaded model and the adapter’s limits', () => {
    const m = runMemoryFor(cfg, run, adapter(2 ** 31 - 4), 'f16')!;
    expect(m.refusal).toBeNull();
    expect(m.plan.bytes.weights).toBe(988_208_640);
    expect(m.summary).toMatch(/^GPU memory: ~5\.1 GiB/);
    expect(m.plan.warnings).toHaveLength(1);
    expect(m.suggestions[0].text).toBe('activation recomputation (~1.7 GiB)');
    expect(runMemoryFor(cfg, { ...run, recompute: true }, adapter(2 ** 31 - 4), 'f16')!.plan.warnings).toEqual([]);
  });

  it('refuses what a binding limit rules out, and is null without what it needs', () => {
    const m = runMemoryFor(cfg, run, adapter(128 * 2 ** 20), 'f16')!;
    expect(m.refusal).toMatch(/^This run cannot fit on this GPU\. The weight model\.embed_tokens\.weight needs 260 MiB in one binding, but this GPU's maxStorageBufferBindingSize is 128 MiB/);
    expect(runMemoryFor(null, run, adapter(2 ** 31), 'f16')).toBeNull();
    expect(runMemoryFor(cfg, run, null, 'f16')).toBeNull();
    expect(runMemoryFor(cfg, { ...run, lora: { ...run.lora!, targetModules: ['nope'] } }, adapter(2 ** 31), 'f16')).toBeNull();
  });
});
