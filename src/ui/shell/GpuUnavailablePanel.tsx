import { useState } from 'react';
import { useStudio } from '../../store';
import { reconnectGpu } from '../../store/slices/gpu';
import { Button } from '../components/Button';
import { GpuFixSteps, UNAVAILABLE_TITLES } from './GpuHelp';
import { routeHref } from './routes';

/** The full explanation shown on the Device page when there is no WebGPU device: why we need it, what to do. */
export function GpuUnavailablePanel() {
  const reason = useStudio((s) => s.gpuUnavailableReason) ?? 'error';
  const error = useStudio((s) => s.gpuError);
  const [retrying, setRetrying] = useState(false);

  const retry = () => {
    setRetrying(true);
    void reconnectGpu().finally(() => setRetrying(false));
  };

  return (
    <section className="panel panel--danger" data-testid="gpu-unavailable" aria-labelledby="gpu-unavailable-title">
      <h3 id="gpu-unavailable-title" className="panel__title">
        {UNAVAILABLE_TITLES[reason]}
      </h3>
      <p className="panel__lead">
        The studio trains LoRA adapters with compute shaders that run on your graphics card through{' '}
        <strong>WebGPU</strong>. Without it, training cannot run here.{' '}
        <strong>Choosing a model, writing your dataset and seeing exactly which tokens are trained still work</strong>{' '}
        — and your data never leaves this machine either way.
      </p>
      <h4 className="panel__subtitle">How to fix it</h4>
      <GpuFixSteps reason={reason} />
      <div className="panel__actions">
        <Button variant="primary" onClick={retry} disabled={retrying}>
          {retrying ? 'Trying…' : 'Try again'}
        </Button>
        <a className="btn btn--secondary" href={routeHref('dataset')}>
          Continue with the dataset
        </a>
      </div>
      {error && (
        <details className="details">
          <summary>Technical details</summary>
          <pre className="details__pre">{error}</pre>
        </details>
      )}
    </section>
  );
}
