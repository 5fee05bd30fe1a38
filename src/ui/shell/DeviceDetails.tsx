import type { AdapterSummary } from '../../engine/gpu/device';
import type { GpuEnabledFeatures } from '../../store/slices/gpu';
import { Card } from '../components/Card';
import { LIMITS, adapterName, formatLimit } from './format';

export function AdapterCard({ adapter }: { adapter: AdapterSummary }) {
  const rows: [string, string][] = [
    ['Description', adapter.description],
    ['Vendor', adapter.vendor],
    ['Architecture', adapter.architecture],
    ['Device', adapter.device],
  ];
  return (
    <Card
      title="Adapter"
      testId="device-adapter"
      aside={
        <span className={`badge ${adapter.isSoftware ? 'badge--warning' : 'badge--success'}`} data-testid="adapter-kind">
          {adapter.isSoftware ? 'Software (CPU)' : 'Hardware GPU'}
        </span>
      }
    >
      <p className="adapter-name" data-testid="adapter-name">
        {adapterName(adapter)}
      </p>
      <dl className="kv">
        {rows.map(([k, v]) => (
          <div className="kv__row" key={k}>
            <dt>{k}</dt>
            <dd>{v.trim() ? v : <span className="muted">not reported</span>}</dd>
          </div>
        ))}
      </dl>
      {adapter.isSoftware && (
        <p className="callout callout--warning" data-testid="software-note">
          WebGPU is running on your <strong>CPU</strong> through a software renderer. Everything works, but a real GPU
          is <strong>hundreds of times faster</strong>: expect tiny models and short demo runs only.
        </p>
      )}
    </Card>
  );
}

const FEATURES: { key: keyof GpuEnabledFeatures; name: string; meaning: string; without: string }[] = [
  {
    key: 'shaderF16',
    name: 'shader-f16',
    meaning: 'Frozen base weights are stored as 16-bit floats, halving their memory.',
    without: 'Base weights stay in f32 (twice the memory). LoRA weights and optimizer state are f32 either way.',
  },
  {
    key: 'subgroups',
    name: 'subgroups',
    meaning: 'Threads can exchange values directly, which speeds up reductions such as softmax and norms.',
    without: 'Reductions go through workgroup memory: correct, a little slower.',
  },
  {
    key: 'timestampQuery',
    name: 'timestamp-query',
    meaning: 'GPU timestamps give per-kernel timing, so you can see where a training step spends its time.',
    without: 'Only whole-step times are measured.',
  },
];

export function FeaturesCard({ features, adapterFeatures }: { features: GpuEnabledFeatures; adapterFeatures: string[] }) {
  const enabledCount = FEATURES.filter((f) => features[f.key]).length;
  return (
    <Card title="Optional features" aside={`${enabledCount} of ${FEATURES.length} enabled`} testId="device-features">
      <ul className="features">
        {FEATURES.map((f) => {
          const on = features[f.key];
          return (
            <li className="feature" key={f.key} data-testid={`feature-${f.name}`} data-enabled={on}>
              <span className={`badge ${on ? 'badge--success' : 'badge--neutral'}`}>{on ? 'Enabled' : 'Absent'}</span>
              <div>
                <code className="feature__name">{f.name}</code>
                <p className="feature__text">{on ? f.meaning : `${f.without}`}</p>
              </div>
            </li>
          );
        })}
      </ul>
      <details className="details">
        <summary>All adapter features ({adapterFeatures.length})</summary>
        <p className="tags">
          {adapterFeatures.map((f) => (
            <code key={f} className="tag">
              {f}
            </code>
          ))}
        </p>
      </details>
    </Card>
  );
}

export function LimitsCard({ limits }: { limits: Record<string, number> }) {
  return (
    <Card title="Limits" aside="requested at the adapter’s maximum" testId="device-limits">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Limit</th>
            <th scope="col" className="num">
              Value
            </th>
            <th scope="col">What it bounds</th>
          </tr>
        </thead>
        <tbody>
          {LIMITS.map((l) => (
            <tr key={l.name} data-testid={`limit-${l.name}`}>
              <th scope="row">
                <span className="table__label">{l.label}</span>
                <code className="table__code">{l.name}</code>
              </th>
              <td className="num" data-testid="limit-value" data-raw={limits[l.name]}>
                {formatLimit(l, limits[l.name])}
              </td>
              <td className="muted">{l.meaning}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
