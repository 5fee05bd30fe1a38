import { useState } from 'react';

const KEY = 'studio.tokenZoom';
export const ZOOMS = [1, 1.25, 1.5, 2] as const;

function stored(): number {
  try {
    const v = Number(localStorage.getItem(KEY));
    return (ZOOMS as readonly number[]).includes(v) ? v : 1;
  } catch {
    return 1;
  }
}

/** The token view's text size (kept in this browser): 100 % for a laptop, up to 200 % for a projector. */
export function useTokenZoom(): [number, (z: number) => void] {
  const [zoom, setZoom] = useState(stored);
  return [
    zoom,
    (z) => {
      setZoom(z);
      try {
        localStorage.setItem(KEY, String(z));
      } catch {
        /* private mode: this page only */
      }
    },
  ];
}

export function TokenZoom({ value, onChange }: { value: number; onChange: (z: number) => void }) {
  return (
    <label className="ds-chips-zoom">
      <span>Text size</span>
      <select className="ds-input ds-input--sm" value={value} onChange={(e) => onChange(Number(e.target.value))} data-testid="token-zoom">
        {ZOOMS.map((z) => (
          <option key={z} value={z}>
            {Math.round(z * 100)} %{z === 2 ? ' (projector)' : ''}
          </option>
        ))}
      </select>
    </label>
  );
}
