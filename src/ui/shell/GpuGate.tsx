import type { ReactNode } from 'react';
import { useStudio } from '../../store';
import { UNAVAILABLE_TITLES } from './GpuHelp';
import { routeHref } from './routes';

/**
 * Wraps a section that cannot work without a device. While probing it shows a short wait; when WebGPU is unavailable
 * it explains why and points to the fix and to what still works. A lost device keeps the section (the banner handles it).
 */
export function GpuGate({ label, children }: { label: string; children: ReactNode }) {
  const status = useStudio((s) => s.gpuStatus);
  const reason = useStudio((s) => s.gpuUnavailableReason) ?? 'error';

  if (status === 'probing')
    return (
      <div className="gate" role="status" data-testid="gpu-gate-probing">
        <span className="spinner" aria-hidden="true" />
        <p>Connecting to your GPU…</p>
      </div>
    );
  if (status === 'unavailable')
    return (
      <section className="gate gate--blocked" data-testid="gpu-gate" aria-labelledby="gpu-gate-title">
        <h2 id="gpu-gate-title">{label} needs WebGPU</h2>
        <p>
          {UNAVAILABLE_TITLES[reason]}. {label} runs compute shaders on your GPU, so it is turned off until WebGPU
          works in this browser.
        </p>
        <div className="gate__actions">
          <a className="btn btn--primary" href={routeHref('device')}>
            See how to enable WebGPU
          </a>
          <a className="btn btn--secondary" href={routeHref('dataset')}>
            Work on the dataset
          </a>
        </div>
      </section>
    );
  return <>{children}</>;
}
