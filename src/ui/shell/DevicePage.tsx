import { useStudio } from '../../store';
import { AdapterCard, FeaturesCard, LimitsCard } from './DeviceDetails';
import { GpuUnavailablePanel } from './GpuUnavailablePanel';

const STATUS_TEXT = {
  probing: 'Connecting…',
  ready: 'Ready',
  unavailable: 'Unavailable',
  lost: 'Lost',
} as const;

/** The Device page: which adapter the studio trains on and what it can do, or why there is none. */
export function DevicePage() {
  const status = useStudio((s) => s.gpuStatus);
  const adapter = useStudio((s) => s.gpuAdapter);
  const features = useStudio((s) => s.gpuFeatures);

  return (
    <section aria-labelledby="device-title" className="page">
      <header className="page__header">
        <div>
          <h2 id="device-title">Device</h2>
          <p className="page__lead">The WebGPU adapter your adapters are trained on, and what it allows.</p>
        </div>
        <span className={`badge badge--lg badge--status-${status}`} data-testid="device-status">
          {STATUS_TEXT[status]}
        </span>
      </header>

      {status === 'probing' && (
        <div className="gate" role="status">
          <span className="spinner" aria-hidden="true" />
          <p>Asking the browser for a GPU adapter…</p>
        </div>
      )}
      {status === 'unavailable' && <GpuUnavailablePanel />}
      {status === 'lost' && adapter && (
        <p className="muted">These are the details of the device that was lost; reconnect to refresh them.</p>
      )}
      {(status === 'ready' || status === 'lost') && adapter && (
        <div className="device-grid">
          <AdapterCard adapter={adapter} />
          {features && <FeaturesCard features={features} adapterFeatures={adapter.features} />}
          <div className="device-grid__wide">
            <LimitsCard limits={adapter.limits} />
          </div>
        </div>
      )}
    </section>
  );
}
