import { useState } from 'react';
import { useStudio } from '../../store';
import { Banner } from '../components/Banner';
import { routeHref } from '../shell/routes';
import { useDatasets, useExamples } from '../dataset/hooks';
import { useRuns } from '../train/runsView';
import { AbCard } from './AbCard';
import { ExamplesCard } from './ExamplesCard';
import { ForgettingCard } from './ForgettingCard';
import { JudgeCard } from './JudgeCard';
import { ResultsCard } from './ResultsCard';
import { SetupCard } from './SetupCard';
import { reportModels, setLabel, useEvalResults, useRatings } from './evalData';
import { useEvalJob } from './evalJob';
import './evaluate.css';

/**
 * The Evaluation page (#/evaluate): did tuning help, on what, and what did it cost? The base model and any runs
 * answer a held-out set greedily; the page shows each metric per model with the difference from the base (and per
 * tag), every answer side by side with the reference and its per-token loss, human ratings, a blind A/B mode and an
 * optional LLM judge. Results and ratings are stored in IndexedDB, so a reload shows them again.
 */
export function EvaluatePage() {
  const model = useStudio((s) => s.modelInfo);
  const activeDataset = useStudio((s) => s.activeDatasetId);
  const datasets = useDatasets();
  const runs = useRuns();
  const saved = useEvalJob((s) => s.saved);
  const [pickedDataset, setPickedDataset] = useState<string | null>(null);
  const [setKey, setSetKey] = useState('validation');
  // Default dataset: the one of the newest run with an adapter, else the one open in the Dataset page, else the first.
  const fromRun = runs?.find((r) => r.adapter && datasets?.some((d) => d.id === r.datasetId))?.datasetId;
  const datasetId = pickedDataset ?? fromRun ?? activeDataset ?? datasets?.[0]?.id ?? null;
  const dataset = datasets?.find((d) => d.id === datasetId) ?? null;
  const examples = useExamples(dataset?.id ?? null);
  const results = useEvalResults(dataset?.id ?? null, setKey, saved);
  const ratings = useRatings(results);
  const models = results ? reportModels(results, ratings) : [];
  const usableRuns = new Set((runs ?? []).filter((r) => r.adapter && (!model || !r.modelName || r.modelName === model.name)).map((r) => r.id));
  const title = dataset ? `${dataset.name} · ${setLabel(setKey)}` : 'Evaluation';

  return (
    <section aria-labelledby="evaluate-title" className="page" data-testid="evaluate-section">
      <header className="page__header">
        <div>
          <h2 id="evaluate-title">Evaluation</h2>
          <p className="page__lead">Did tuning help, on what, and what did it cost? Score the base model and your runs on examples they never trained on.</p>
        </div>
      </header>
      {!model && (
        <Banner tone="info" title="No model loaded" testId="eval-no-model" actions={<a className="btn btn--primary btn--sm" href={routeHref('model')}>Choose a model</a>}>
          <p>The evaluation generates with the base model loaded in the Model section, with and without your adapters. Stored results are shown below.</p>
        </Banner>
      )}
      {datasets && datasets.length === 0 && (
        <Banner tone="info" title="No dataset yet" actions={<a className="btn btn--primary btn--sm" href={routeHref('dataset')}>Write examples</a>}>
          <p>An evaluation needs examples with answers: a dataset with a validation split (or a tag marking the held-out ones).</p>
        </Banner>
      )}
      {datasets && datasets.length > 0 && (
        <SetupCard
          datasets={datasets}
          dataset={dataset}
          onDataset={(id) => setPickedDataset(id)}
          examples={examples}
          setKey={setKey}
          onSetKey={setSetKey}
          runs={runs}
        />
      )}
      {results && results.length > 0 && dataset && (
        <>
          <ResultsCard results={results} models={models} title={title} />
          <ExamplesCard results={results} ratings={ratings} usableRuns={usableRuns} />
          {results.length >= 2 && <AbCard results={results} datasetId={dataset.id} setKey={setKey} />}
          <JudgeCard results={results} ratings={ratings} />
        </>
      )}
      {results && results.length === 0 && dataset && (
        <p className="muted" data-testid="eval-no-results">
          No stored results for {title} yet: choose the models above and press Evaluate.
        </p>
      )}
      {model && <ForgettingCard />}
    </section>
  );
}
