import { useId, useState } from 'react';
import { useStudio } from '../../store';
import type { Dataset, Example } from '../../data/types';
import { baseModelKey } from '../../db/evals';
import { evalItem } from '../../eval/items';
import { Button } from '../components/Button';
import { Card } from '../components/Card';
import { NumberField, SelectField } from '../train/fields';
import { withAdapters, type RunView } from '../train/runsView';
import { runOptionLabel } from '../train/runNames';
import { routeHref } from '../shell/routes';
import { plural } from '../shell/plural';
import { cancelEvaluation, runEvaluation, useEvalJob, type EvalModel } from './evalJob';
import { setLabel } from './evalData';

/** The examples of a set: the validation split, or every example with a tag ('tag:<name>'). In dataset order. */
export function setExamples(examples: readonly Example[], setKey: string): Example[] {
  const inSet = setKey === 'validation' ? (e: Example) => e.split === 'validation' : (e: Example) => e.tags.includes(setKey.slice(4));
  return examples.filter(inSet).sort((a, b) => a.order - b.order);
}

interface Props {
  datasets: Dataset[];
  dataset: Dataset | null;
  onDataset: (id: string) => void;
  examples: Example[] | undefined;
  setKey: string;
  onSetKey: (key: string) => void;
  runs: RunView[] | undefined;
}

/** Choose what to evaluate (a dataset's held-out set and the models), then run it with progress and Cancel. */
export function SetupCard({ datasets, dataset, onDataset, examples, setKey, onSetKey, runs }: Props) {
  const model = useStudio((s) => s.modelInfo);
  const training = useStudio((s) => s.liveRun !== null);
  const job = useEvalJob();
  const [picked, setPicked] = useState<Set<string> | null>(null);
  const [maxNewTokens, setMaxNewTokens] = useState(64);
  const [limit, setLimit] = useState(0);
  const groupId = useId();

  const adapters = withAdapters(runs).filter((r) => !model || !r.modelName || r.modelName === model.name);
  // Default: the base model and the newest adapter trained on this dataset (else the newest adapter).
  const defaultRun = adapters.find((r) => r.datasetId === dataset?.id) ?? adapters[0];
  const chosen = picked ?? new Set(['base', ...(defaultRun ? [defaultRun.id] : [])]);
  const toggle = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    setPicked(next);
  };

  const tags = [...new Set((examples ?? []).flatMap((e) => e.tags))].sort((a, b) => a.localeCompare(b));
  const nValidation = (examples ?? []).filter((e) => e.split === 'validation').length;
  const setOptions = [
    { value: 'validation', label: `Validation split (${plural(nValidation, 'example')})` },
    ...tags.map((t) => ({ value: `tag:${t}`, label: `Examples tagged “${t}” (${(examples ?? []).filter((e) => e.tags.includes(t)).length})` })),
  ];
  const inSet = examples ? setExamples(examples, setKey) : [];
  const used = limit > 0 ? inSet.slice(0, limit) : inSet;
  const trainedOn = used.filter((e) => e.split === 'train').length;

  const runsChosen = adapters.filter((r) => chosen.has(r.id));
  const models: EvalModel[] = [
    ...(chosen.has('base') && model
      ? [{ key: baseModelKey(model.name), label: `Base model (${model.name})`, runId: null, template: runsChosen.find((r) => r.config)?.config?.label.template }]
      : []),
    ...runsChosen.map((r) => ({ key: r.id, label: r.name, runId: r.id, template: r.config?.label.template })),
  ];
  const running = job.phase === 'running';
  const blocked = !model
    ? 'Load a model first.'
    : training
      ? 'The GPU is busy training; evaluate between runs.'
      : !dataset
        ? 'Choose a dataset.'
        : used.length === 0
          ? 'The held-out set is empty.'
          : models.length === 0
            ? 'Choose at least one model.'
            : null;

  function start() {
    if (!dataset || !model) return;
    void runEvaluation({
      datasetId: dataset.id, datasetName: dataset.name, setKey, setLabel: setLabel(setKey), modelName: model.name,
      items: used.map((e) => evalItem(e, dataset.systemPrompt)), models, maxNewTokens,
    });
  }

  return (
    <Card title="What to evaluate" testId="eval-setup" aside={<span>Greedy decoding: the same answer every time</span>}>
      <div className="ev-setup">
        <div className="grid-fields">
          <SelectField
            label="Dataset"
            testId="eval-dataset"
            value={dataset?.id ?? ''}
            onChange={onDataset}
            options={[...(dataset ? [] : [{ value: '', label: 'Choose a dataset…' }]), ...datasets.map((d) => ({ value: d.id, label: d.name }))]}
          />
          <SelectField label="Held-out examples" testId="eval-set" value={setKey} onChange={onSetKey} options={setOptions} />
          <NumberField label="Max new tokens" testId="eval-max-tokens" value={maxNewTokens} min={1} onChange={(v) => setMaxNewTokens(Math.max(1, Math.min(2048, Math.round(v))))} hint="Per answer" />
          <NumberField label="Only the first N examples" testId="eval-limit" value={limit} min={0} onChange={(v) => setLimit(Math.max(0, Math.round(v)))} hint="0 = all of them" />
        </div>
        <fieldset className="ev-models" aria-describedby={`${groupId}-hint`}>
          <legend>Models</legend>
          <label className="chk">
            <input type="checkbox" checked={chosen.has('base')} onChange={(e) => toggle('base', e.target.checked)} data-testid="eval-model-base" />
            Base model{model ? ` (${model.name})` : ''}
          </label>
          {adapters.map((r) => (
            <label className="chk" key={r.id}>
              <input type="checkbox" checked={chosen.has(r.id)} onChange={(e) => toggle(r.id, e.target.checked)} data-testid="eval-model-run" data-run-id={r.id} />
              {runOptionLabel(r)}
            </label>
          ))}
          <p className="fld__hint" id={`${groupId}-hint`}>
            {adapters.length === 0 ? 'No trained adapters for this model yet: train one on the Train page to compare it with the base model.' : 'Runs trained on the loaded base model.'}
          </p>
        </fieldset>
        {examples && inSet.length === 0 && (
          <p className="ev-empty" role="status" data-testid="eval-empty-set">
            {setKey === 'validation' ? (
              <>
                This dataset has no held-out examples: its validation split is empty, so there is nothing to score (not 0%). Split it on the{' '}
                <a href={routeHref('dataset')}>Dataset page</a> (e.g. 10% validation), then train on the rest.
              </>
            ) : (
              'No example has this tag.'
            )}
          </p>
        )}
        {trainedOn > 0 && (
          <p className="fld__hint fld__hint--warn" data-testid="eval-trained-warning">
            {plural(trainedOn, 'of these examples is', 'of these examples are')} in the train split: a run that trained on them shows how well it memorised, not how it generalises.
          </p>
        )}
        <div className="trn-controls">
          <Button variant="primary" disabled={running || !!blocked} onClick={start} data-testid="eval-run">
            Evaluate {used.length > 0 && models.length > 0 ? `${plural(used.length, 'example')} × ${plural(models.length, 'model')}` : ''}
          </Button>
          <Button disabled={!running} onClick={cancelEvaluation} data-testid="eval-cancel">
            Cancel
          </Button>
          {blocked && !running && <span className="fld__hint">{blocked}</span>}
        </div>
        {job.phase !== 'idle' && (
          <div className="ev-progress" data-testid="eval-progress" data-phase={job.phase} data-done={job.done} data-total={job.total}>
            <progress max={Math.max(1, job.total)} value={job.done} aria-label="Evaluation progress" />
            <span role="status">
              {job.phase === 'running' && `${job.current ?? ''}: ${job.done} of ${job.total} answers`}
              {job.phase === 'done' && `Done: ${job.total} answers.`}
              {job.phase === 'stopped' && `Cancelled after ${job.done} of ${job.total} answers; the finished ones are kept.`}
              {job.phase === 'failed' && `Stopped: ${job.error}`}
            </span>
          </div>
        )}
        {job.notes.map((n) => (
          <p key={n} className="fld__hint fld__hint--bad">
            {n}
          </p>
        ))}
      </div>
    </Card>
  );
}
