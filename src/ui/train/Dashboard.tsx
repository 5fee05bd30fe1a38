/**
 * The training dashboard of the live run and of the runs picked in the list: loss (raw, smoothed, validation),
 * learning rate, gradient norm and tokens/s charts, an overfitting warning, each run's final numbers (one meaning,
 * lossStats.ts), and the validation samples.
 */
import type { SampleSet } from '../../db/runs';
import { Banner } from '../components/Banner';
import { formatLoss } from '../model/format';
import type { ChartRun } from './chartData';
import { LossChart } from './LossChart';
import { LOSS_HELP, LOSS_LABELS, finalLoss, lastValidationLoss, smoothedLoss } from './lossStats';
import { MetricCharts } from './MetricCharts';
import { detectOverfitting } from './overfit';
import { SamplesPanel } from './SamplesPanel';

export interface DashboardRun extends ChartRun {
  samples?: SampleSet;
  sampleEvery?: number;
  live?: boolean;
}

function OverfitWarnings({ runs }: { runs: DashboardRun[] }) {
  const warnings = runs.map((r) => ({ r, s: detectOverfitting(r.train, r.eval) })).filter((w) => w.s);
  return (
    <>
      {warnings.map(({ r, s }) => (
        <Banner key={r.id} tone="warning" title={`Possible overfitting${runs.length > 1 ? ` · ${r.label}` : ''}`} testId="overfit-warning">
          <p>
            Validation loss rose over the last {s!.evals} evaluations, from its best {formatLoss(s!.bestVal)} (step {s!.bestStep}) to {formatLoss(s!.val)} (step {s!.step}), while the
            training loss kept falling ({formatLoss(s!.trainAtBest)} → {formatLoss(s!.trainNow)}, {LOSS_LABELS.smoothedShort}): the model is fitting the training examples
            better and held-out ones worse. Stop earlier, train fewer epochs, lower the learning rate, or add data.
          </p>
        </Banner>
      ))}
    </>
  );
}

/** Final, smoothed and validation loss of each shown run that is not live (the live card has its own stats). */
function Summaries({ runs }: { runs: DashboardRun[] }) {
  const done = runs.filter((r) => !r.live && r.train.length > 0);
  if (!done.length) return null;
  return (
    <ul className="dash-summary">
      {done.map((r) => {
        const final = finalLoss(r.train), val = lastValidationLoss(r.eval);
        return (
          <li key={r.id} data-testid="loss-summary" data-run-id={r.id} data-final-loss={final ?? ''}>
            <span className="chart__swatch" style={{ background: r.color }} aria-hidden="true" />
            <span className="dash-summary__name">{r.label}</span>
            <span title={LOSS_HELP.final}>{LOSS_LABELS.final} <strong>{formatLoss(final)}</strong></span>
            <span title={LOSS_HELP.smoothed}>{LOSS_LABELS.smoothed} {formatLoss(smoothedLoss(r.train))}</span>
            {val !== null && <span title={LOSS_HELP.validation}>{LOSS_LABELS.validation} {formatLoss(val)}</span>}
          </li>
        );
      })}
    </ul>
  );
}

export function Dashboard({ runs }: { runs: DashboardRun[] }) {
  const sampled = runs.filter((r) => r.samples && r.samples.labels.length > 0).map((r) => ({ id: r.id, label: r.label, color: r.color, every: r.sampleEvery ?? 0, samples: r.samples! }));
  return (
    <div className="dash" data-testid="dashboard">
      <OverfitWarnings runs={runs} />
      <Summaries runs={runs} />
      <LossChart series={runs} testId="loss-chart" />
      <MetricCharts runs={runs} />
      <SamplesPanel runs={sampled} />
    </div>
  );
}
