import { useState } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import type { Dataset, Example } from '../../../data/types';
import { listQueue, type QueueItem } from '../../../db/growQueue';
import { useStudio } from '../../../store';
import { Button } from '../../components/Button';
import { Dialog } from '../Dialog';
import { endpointBackend, workerBackend, type Backend } from './backends';
import { BackendPicker, backendProblem, type BackendChoice } from './BackendPicker';
import { EvolPanel } from './EvolPanel';
import { FlanPanel } from './FlanPanel';
import { ReviewQueue } from './ReviewQueue';
import { SelfInstructPanel } from './SelfInstructPanel';
import { useGrowJob, type GrowJob } from './useGrowJob';
import './grow.css';

export interface GrowContext {
  datasetId: string;
  examples: Example[];
  queue: QueueItem[];
  job: GrowJob;
  backend: () => Backend;
  backendProblem: string | null;
  showQueue: () => void;
}

type Tab = 'self-instruct' | 'evol' | 'flan' | 'queue';

const TABS: { id: Tab; label: string }[] = [
  { id: 'self-instruct', label: 'Self-Instruct' },
  { id: 'evol', label: 'Evol-Instruct' },
  { id: 'flan', label: 'FLAN templates' },
  { id: 'queue', label: 'Review queue' },
];

/** "Grow data": generate or template new rows into a review queue; accepted rows join the dataset with their origin tag. */
export function GrowDialog({ dataset, examples, onClose }: { dataset: Dataset; examples: Example[]; onClose: () => void }) {
  const queue = useLiveQuery(() => listQueue(dataset.id), [dataset.id]);
  const [tab, setTab] = useState<Tab>(() => ((queue?.length ?? 0) > 0 ? 'queue' : 'self-instruct'));
  const [choice, setChoice] = useState<BackendChoice>({ kind: 'model' });
  const modelName = useStudio((s) => s.modelInfo?.name ?? null);
  const training = useStudio((s) => s.liveRun !== null);
  const job = useGrowJob();
  const ctx: GrowContext = {
    datasetId: dataset.id,
    examples,
    queue: queue ?? [],
    job,
    backend: () => (choice.kind === 'model' ? workerBackend(modelName ?? 'model') : endpointBackend(choice.endpoint)),
    backendProblem: backendProblem(choice, modelName, training),
    showQueue: () => setTab('queue'),
  };
  const generating = tab === 'self-instruct' || tab === 'evol';
  return (
    <Dialog title={`Grow data · ${dataset.name}`} onClose={onClose} wide testId="grow-dialog">
      <div className="tabs" role="tablist" aria-label="Ways to grow the dataset">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`grow-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls="grow-tabpanel"
            className={`tabs__tab${tab === t.id ? ' is-active' : ''}`}
            onClick={() => setTab(t.id)}
            disabled={job.running && t.id !== tab && t.id !== 'queue'}
            data-testid={`grow-tab-${t.id}`}
          >
            {t.label}
            {t.id === 'queue' && queue ? ` (${queue.length})` : ''}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="grow-tabpanel" aria-labelledby={`grow-tab-${tab}`} className="grow-tabpanel">
        {generating && <BackendPicker value={choice} onChange={setChoice} disabled={job.running} />}
        {tab === 'self-instruct' && <SelfInstructPanel ctx={ctx} />}
        {tab === 'evol' && <EvolPanel ctx={ctx} />}
        {tab === 'flan' && <FlanPanel ctx={ctx} />}
        {tab === 'queue' && <ReviewQueue datasetId={dataset.id} queue={queue} />}
        {tab !== 'queue' && (queue?.length ?? 0) > 0 && (
          <p className="ds-muted">
            {queue!.length} waiting in the <button type="button" className="grow-link" onClick={() => setTab('queue')}>review queue</button>.
          </p>
        )}
      </div>
      <div className="ds-dialog__actions">
        <Button variant="primary" onClick={onClose} data-testid="grow-close">{job.running ? 'Cancel and close' : 'Close'}</Button>
      </div>
    </Dialog>
  );
}
