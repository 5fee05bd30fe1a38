/** Small labelled inputs of the Grow dialog. */
export function NumberInput(props: { label: string; value: number; min?: number; max?: number; step?: number; onChange: (v: number) => void; testId?: string; hint?: string }) {
  return (
    <label className="ds-field">
      <span className="ds-field__label">
        {props.label}
        {props.hint && <span className="ds-field__hint"> ({props.hint})</span>}
      </span>
      <input
        className="ds-input ds-input--sm"
        type="number"
        min={props.min}
        max={props.max}
        step={props.step ?? 1}
        value={Number.isFinite(props.value) ? props.value : ''}
        onChange={(e) => props.onChange(Number(e.target.value))}
        data-testid={props.testId}
      />
    </label>
  );
}

export function clamp(v: number, lo: number, hi: number, fallback: number): number {
  return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
}
