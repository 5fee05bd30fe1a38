import { NumberField } from '../train/fields';
import type { SamplingRequest } from '../../worker/protocol';

export interface SamplingForm extends Omit<SamplingRequest, 'stopStrings'> {
  stopText: string;
}

export const DEFAULT_SAMPLING: SamplingForm = { maxNewTokens: 48, temperature: 0, topK: 0, topP: 1, seed: 0, stopText: '' };

/** Stop strings: one per line (a line may hold spaces; "\n" stands for a newline). */
export function stopStrings(text: string): string[] {
  return text.split('\n').map((s) => s.replace(/\\n/g, '\n')).filter((s) => s.length > 0);
}

export function SamplingControls({ value, onChange, disabled }: { value: SamplingForm; onChange: (v: SamplingForm) => void; disabled: boolean }) {
  const set = (patch: Partial<SamplingForm>) => onChange({ ...value, ...patch });
  return (
    <div className="grid-fields pg-sampling">
      <NumberField label="Temperature" hint="0 = greedy" testId="pg-temperature" disabled={disabled} value={value.temperature} onChange={(v) => set({ temperature: Math.max(0, v) })} />
      <NumberField label="Top-k" hint="0 = off" testId="pg-topk" disabled={disabled} value={value.topK} onChange={(v) => set({ topK: Math.max(0, Math.round(v)) })} />
      <NumberField label="Top-p" hint="1 = off" testId="pg-topp" disabled={disabled} value={value.topP} onChange={(v) => set({ topP: Math.min(1, Math.max(0.01, v)) })} />
      <NumberField label="Max new tokens" testId="pg-max-tokens" disabled={disabled} value={value.maxNewTokens} onChange={(v) => set({ maxNewTokens: Math.max(1, Math.round(v)) })} />
      <NumberField label="Seed" testId="pg-seed" disabled={disabled} value={value.seed} onChange={(v) => set({ seed: Math.max(0, Math.round(v)) })} />
      <div className="fld">
        <label className="fld__label" htmlFor="pg-stop">
          Stop strings
        </label>
        <textarea id="pg-stop" className="inp pg-stop" rows={2} value={value.stopText} disabled={disabled} placeholder="one per line" onChange={(e) => set({ stopText: e.target.value })} data-testid="pg-stop" />
      </div>
    </div>
  );
}
