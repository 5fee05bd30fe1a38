import { useState } from 'react';
import { useStudio } from '../../store';
import { reconnectGpu } from '../../store/slices/gpu';
import { Banner } from '../components/Banner';
import { Button } from '../components/Button';
import { UNAVAILABLE_TITLES } from './GpuHelp';
import { routeHref, type RouteId } from './routes';

/** The device-lost banner: the reason and a button that acquires a fresh device (which clears the banner). */
function DeviceLostBanner() {
  const error = useStudio((s) => s.gpuError);
  const [busy, setBusy] = useState(false);
  const reconnect = () => {
    setBusy(true);
    void reconnectGpu().finally(() => setBusy(false));
  };
  return (
    <Banner
      tone="danger"
      role="alert"
      testId="device-lost-banner"
      title="The GPU device was lost"
      actions={
        <Button variant="primary" onClick={reconnect} disabled={busy}>
          {busy ? 'Reconnecting…' : 'Reconnect GPU'}
        </Button>
      }
    >
      <p>
        Reason: <span data-testid="device-lost-reason">{error ?? 'the browser gave none'}</span>
      </p>
      <p className="muted">
        This happens after a driver reset or sleep, or when the browser reclaims GPU memory. Your examples and
        settings are safe. Reconnecting creates a fresh device; a training run that was in progress has stopped.
      </p>
    </Banner>
  );
}

/** Standing notice on every page but Device when there is no WebGPU at all. */
function UnavailableBanner() {
  const reason = useStudio((s) => s.gpuUnavailableReason) ?? 'error';
  return (
    <Banner
      tone="warning"
      testId="gpu-unavailable-banner"
      title={`${UNAVAILABLE_TITLES[reason]} — training is turned off`}
      actions={
        <a className="btn btn--secondary btn--sm" href={routeHref('device')}>
          How to fix
        </a>
      }
    >
      <p>You can still pick a model, write examples and inspect which tokens are trained.</p>
    </Banner>
  );
}

/** Banners that belong above whichever page is open. */
export function GpuBanners({ route }: { route: RouteId | null }) {
  const status = useStudio((s) => s.gpuStatus);
  if (status === 'lost') return <DeviceLostBanner />;
  if (status === 'unavailable' && route !== 'device') return <UnavailableBanner />;
  return null;
}
