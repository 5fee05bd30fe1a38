import { useId, useState, type ReactNode } from 'react';

interface BaseProps {
  label: string;
  hint?: ReactNode;
  error?: string;
  testId?: string;
  disabled?: boolean;
}

/**
 * A number input that keeps what is typed ("2e-", "0.") while it is not a number yet, commits every valid value, and
 * follows the value when it changes from outside (reset, presets).
 */
export function NumberField({ label, hint, error, testId, disabled, value, onChange, step, min }: BaseProps & { value: number; onChange: (v: number) => void; step?: number | 'any'; min?: number }) {
  const id = useId();
  const [text, setText] = useState(String(value));
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    if (Number(text) !== value) setText(String(value));
  }
  const parsed = text.trim() === '' ? NaN : Number(text);
  const bad = !Number.isFinite(parsed);
  return (
    <div className="fld">
      <label className="fld__label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className="inp"
        inputMode="decimal"
        value={text}
        disabled={disabled}
        step={step}
        min={min}
        aria-invalid={bad || !!error ? true : undefined}
        data-testid={testId}
        onChange={(e) => {
          setText(e.target.value);
          const v = Number(e.target.value);
          if (e.target.value.trim() !== '' && Number.isFinite(v)) onChange(v);
        }}
      />
      {(error || bad) && <span className="fld__hint fld__hint--bad">{bad ? 'Enter a number.' : error}</span>}
      {hint && !error && !bad && <span className="fld__hint">{hint}</span>}
    </div>
  );
}

export function SelectField<T extends string>({ label, hint, error, testId, disabled, value, onChange, options }: BaseProps & { value: T; onChange: (v: T) => void; options: { value: T; label: string }[] }) {
  const id = useId();
  return (
    <div className="fld">
      <label className="fld__label" htmlFor={id}>
        {label}
      </label>
      <select id={id} className="sel" value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as T)} data-testid={testId} aria-invalid={error ? true : undefined}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {error ? <span className="fld__hint fld__hint--bad">{error}</span> : hint && <span className="fld__hint">{hint}</span>}
    </div>
  );
}

export function CheckField({ label, hint, testId, disabled, checked, onChange }: BaseProps & { checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <div className="fld fld--check">
      <label className="chk">
        <input type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
        {label}
      </label>
      {hint && <span className="fld__hint">{hint}</span>}
    </div>
  );
}

/** A titled group of fields inside the settings card. */
export function FieldGroup({ title, children, aside }: { title: string; children: ReactNode; aside?: ReactNode }) {
  return (
    <fieldset className="fgroup">
      <legend className="fgroup__title">
        {title}
        {aside && <span className="fgroup__aside">{aside}</span>}
      </legend>
      {children}
    </fieldset>
  );
}
