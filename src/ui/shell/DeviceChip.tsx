import { useStudio } from '../../store';
import { adapterName } from './format';
import { routeHref } from './routes';

/** The header's compact device status; a link to the Device page. */
export function DeviceChip() {
  const status = useStudio((s) => s.gpuStatus);
  const adapter = useStudio((s) => s.gpuAdapter);
  const reason = useStudio((s) => s.gpuUnavailableReason);

  let tone = 'neutral';
  let text = 'Connecting to GPU…';
  let detail: string | null = null;
  if (status === 'ready' && adapter) {
    tone = adapter.isSoftware ? 'warning' : 'success';
    text = adapterName(adapter);
    detail = adapter.isSoftware ? 'CPU' : 'GPU';
  } else if (status === 'unavailable') {
    tone = 'danger';
    text = reason === 'no-api' ? 'No WebGPU' : reason === 'no-adapter' ? 'No GPU adapter' : 'GPU unavailable';
  } else if (status === 'lost') {
    tone = 'danger';
    text = 'GPU lost';
  }

  return (
    <a
      className={`chip chip--${tone}`}
      href={routeHref('device')}
      data-testid="device-chip"
      data-status={status}
      title="Device details"
    >
      <span className={`dot dot--${tone}${status === 'probing' ? ' dot--pulse' : ''}`} aria-hidden="true" />
      <span className="chip__text">{text}</span>
      {detail && <span className="chip__tag">{detail}</span>}
      <span className="visually-hidden"> — device details</span>
    </a>
  );
}
