import { useStudio } from '../../store';
import { Card } from '../components/Card';
import { formatBytes } from '../shell/format';
import { formatDuration, formatParams } from './format';
import { attentionSummary, blockSummary } from './architecture';

/** The loaded model at a glance: what the engine will train, and how big it is. */
export function ModelCard() {
  const info = useStudio((s) => s.modelInfo);
  const source = useStudio((s) => s.modelSource);
  if (!info) return null;
  const c = info.config;
  const rows: [string, string, string][] = [
    ['arch', 'Architecture', `${c.architecture} (${c.modelType})`],
    ['layers', 'Layers', String(c.nLayers)],
    ['hidden', 'Hidden size', String(c.hidden)],
    ['heads', 'Attention', attentionSummary(c)],
    ['block', 'Block', blockSummary(c)],
    ['vocab', 'Vocabulary', c.vocabSize.toLocaleString('en-US')],
    ['params', 'Parameters', formatParams(info.params)],
    ['memory', 'Weights in GPU memory', formatBytes(info.weightBytes)],
    ['tied', 'Tied LM head', c.tieEmbeddings ? 'yes (shares the embedding)' : 'no'],
    ['context', 'Context', `${c.maxPositions.toLocaleString('en-US')} positions${c.maxTrainLength < c.maxPositions ? ` (train ≤ ${c.maxTrainLength})` : ''}`],
  ];
  return (
    <Card
      title="Loaded model"
      testId="model-card"
      aside={<span className="badge badge--success">Ready</span>}
    >
      <div className="mdl-card__name">
        <strong data-testid="model-name">{info.name}</strong>
        <span className="muted">
          {source} · loaded in {info.loadSeconds < 10 ? `${info.loadSeconds.toFixed(1)} s` : formatDuration(info.loadSeconds)}
        </span>
      </div>
      <dl className="kv mdl-kv">
        {rows.map(([id, k, v]) => (
          <div className="kv__row" key={id}>
            <dt>{k}</dt>
            <dd data-testid={`card-${id}`}>{v}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}
