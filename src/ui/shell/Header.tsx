import { DeviceChip } from './DeviceChip';
import { routeHref, DEFAULT_ROUTE } from './routes';

function LogoMark() {
  // Four stacked "layers" with a small adapter block beside them: a LoRA adapter on a frozen model.
  return (
    <svg className="logo" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
      <rect x="2" y="3" width="13" height="3.2" rx="1.2" fill="currentColor" opacity="0.35" />
      <rect x="2" y="8" width="13" height="3.2" rx="1.2" fill="currentColor" opacity="0.55" />
      <rect x="2" y="13" width="13" height="3.2" rx="1.2" fill="currentColor" opacity="0.75" />
      <rect x="2" y="18" width="13" height="3.2" rx="1.2" fill="currentColor" />
      <rect x="17.5" y="8" width="4.5" height="8.2" rx="1.4" fill="var(--accent-2)" />
    </svg>
  );
}

/** Top bar: product name, the privacy promise, and the device status chip. */
export function Header() {
  return (
    <header className="topbar">
      <a className="brand" href={routeHref(DEFAULT_ROUTE)}>
        <LogoMark />
        <span className="brand__name">Fine-Tuning Studio</span>
        <span className="brand__tag">WebGPU · LoRA</span>
      </a>
      <div className="topbar__right">
        <span className="privacy" title="Models, examples and adapters are stored in this browser only.">
          <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
            <path
              d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2h.5a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1h.5Zm1.5 0h4V5a2 2 0 0 0-4 0v2Z"
              fill="currentColor"
            />
          </svg>
          Runs locally — data never leaves this machine
        </span>
        <DeviceChip />
      </div>
    </header>
  );
}
