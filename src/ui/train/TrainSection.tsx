import { useEffect, useMemo } from 'react';
import { useStudio } from '../../store';
import { setTrainForm, setTrainMessage } from '../../store/slices/train';
import type { ExampleBody } from '../../data/types';
import { getDataset } from '../../db';
import { useLiveQuery } from 'dexie-react-hooks';
import { Banner } from '../components/Banner';
import { Button } from '../components/Button';
import { Card } from '../components/Card';
import { routeHref } from '../shell/routes';
import { useExamples } from '../dataset/hooks';
import { DataSettings } from './DataSettings';
import { MethodSettings } from './MethodSettings';
import { OptimSettings } from './OptimSettings';
import { PlanCard } from './PlanCard';
import { MemoryCard } from './MemoryCard';
import { useRunMemory } from './memoryView';
import { LiveCard } from './LiveCard';
import { SampleSettings } from './SampleSettings';
import { BatchView } from './BatchView';
import { RunsList } from './RunsList';
import { InterruptedBanner } from './InterruptedBanner';
import { PlaygroundLink } from './PlaygroundLink';
import { TryItCard } from './TryItCard';
import { usePlanPreview } from './planPreview';
import { filterByTags, formProblems, recommendedMode, toRunConfig } from './runConfig';
import { useRuns } from './runsView';
import '../train/form.css';
import './train.css';

function Message() {
  const m = useStudio((s) => s.trainMessage);
  if (!m) return null;
  return (
    <Banner tone={m.tone} role={m.tone === 'danger' ? 'alert' : 'status'} title={m.title} testId="train-message" actions={<Button size="sm" variant="ghost" onClick={() => setTrainMessage(null)}>Dismiss</Button>}>
      <p data-tone={m.tone}>{m.text}</p>
    </Banner>
  );
}

/** The Train section: settings, plan, Start/Compare, the live run, every stored run, and a way to the playground. */
export function TrainSection() {
  const form = useStudio((s) => s.trainForm);
  const model = useStudio((s) => s.modelInfo);
  const tokenizer = useStudio((s) => s.tokenizer);
  const live = useStudio((s) => s.liveRun);
  const gpuReady = useStudio((s) => s.gpuStatus === 'ready');
  const examples = useExamples(form.datasetId);
  const dataset = useLiveQuery(() => (form.datasetId ? getDataset(form.datasetId) : undefined), [form.datasetId]);
  const runs = useRuns();
  const kinds = useMemo(() => new Set<ExampleBody['kind']>((examples ?? []).map((e) => e.body.kind)), [examples]);
  const tags = useMemo(() => [...new Set((examples ?? []).flatMap((e) => e.tags))].sort((a, b) => a.localeCompare(b)), [examples]);

  // A model with a shorter context than the form's max length: use the model's limit.
  useEffect(() => {
    if (model && form.maxLength > model.config.maxTrainLength) setTrainForm({ maxLength: model.config.maxTrainLength });
  }, [model, form.maxLength]);

  const problems = formProblems(form, model?.config ?? null, !!tokenizer?.chatTemplate);
  const run = model && problems.length === 0 ? toRunConfig(form, form.mode ?? recommendedMode(kinds), model.config, dataset?.systemPrompt ?? '') : null;
  // The plan and the batch view show what the run will train: the "Train on tags" choice applied.
  const trained = useMemo(() => (examples ? filterByTags(examples, form.trainOnTags) : examples), [examples, form.trainOnTags]);
  const preview = usePlanPreview(tokenizer, trained, run, form.generalMix ?? 0);
  // The GPU memory the run needs; a buffer over a device limit refuses it here as runTraining would.
  const memory = useRunMemory(model?.config ?? null, run);
  const why = !gpuReady ? 'The GPU is not ready.' : !model ? 'Load a model first.' : problems[0]?.message ?? (preview && 'error' in preview ? preview.error : null) ?? (memory?.refusal ? 'This run cannot fit on this GPU: see GPU memory for what would.' : null);

  return (
    <section aria-labelledby="train-title" className="page trn" data-testid="train-section">
      <header className="page__header">
        <div>
          <h2 id="train-title">Train</h2>
          <p className="page__lead">Fine-tune a LoRA adapter on your GPU: choose what is trained, watch the loss, try the result.</p>
        </div>
      </header>
      {!model && (
        <Banner tone="info" title="No model loaded" testId="train-no-model" actions={<a className="btn btn--primary btn--sm" href={routeHref('model')}>Choose a model</a>}>
          <p>Training and the playground run on the base model loaded in the Model section. Settings and stored runs are here meanwhile.</p>
        </Banner>
      )}
      <InterruptedBanner runs={runs} />
      <Message />
      <TryItCard runs={runs} />
      <div className="trn-top">
        <Card title="Settings" testId="train-settings">
          <DataSettings kinds={kinds} tags={tags} problems={problems} locked={!!live} />
          <MethodSettings problems={problems} locked={!!live} />
          <OptimSettings problems={problems} locked={!!live} />
          <SampleSettings locked={!!live} />
        </Card>
        <div className="trn-side">
          <PlanCard
            preview={preview}
            canStart={!why && !live && !!run}
            why={live ? null : why}
            empty={examples && examples.length === 0 && dataset ? `“${dataset.name}” has no examples yet.` : !model && examples?.length ? 'Load a model to see how many examples and tokens will be trained.' : null}
          />
          {!live && <MemoryCard memory={memory} />}
        </div>
      </div>
      <LiveCard runs={runs} />
      <BatchView tokenizer={tokenizer} examples={trained} run={run} />
      <RunsList runs={runs} />
      <PlaygroundLink runs={runs} />
    </section>
  );
}
