import { useStudio } from '../../store';
import type { RunPlan } from '../../train/run';
import { describeOverlong } from '../../train/data';
import { Button } from '../components/Button';
import { Card } from '../components/Card';
import { compareMasking, startTraining } from './controller';
import type { PlanPreview } from './planPreview';

function PlanFacts({ plan }: { plan: RunPlan }) {
  const overlong = describeOverlong(plan.overlong);
  return (
    <>
      <dl className="kv trn-plan" data-testid="plan">
        <div className="kv__row">
          <dt>Training examples</dt>
          <dd data-testid="plan-train">{plan.trainExamples}</dd>
        </div>
        <div className="kv__row">
          <dt>Validation examples</dt>
          <dd data-testid="plan-validation">
            {plan.validationExamples || (
              <span className="muted" data-testid="plan-eval-note">
                none — {plan.evalNote ?? 'no evaluation'}. Mark some examples as validation in the dataset to measure held-out loss.
              </span>
            )}
          </dd>
        </div>
        {plan.overlong && (
          <div className="kv__row">
            <dt>Over {plan.overlong.maxLength} tokens</dt>
            <dd data-testid="plan-overlong">{overlong ?? 'none'}</dd>
          </div>
        )}
        <div className="kv__row">
          <dt>Skipped</dt>
          <dd data-testid="plan-skipped">{plan.skipped.length}</dd>
        </div>
        <div className="kv__row">
          <dt>Steps</dt>
          <dd data-testid="plan-steps">
            {plan.totalSteps} <span className="muted">({plan.stepsPerEpoch} per epoch)</span>
          </dd>
        </div>
        <div className="kv__row">
          <dt>Trained tokens</dt>
          <dd data-testid="plan-tokens">{plan.trainedTokens.toLocaleString('en-US')} per epoch</dd>
        </div>
      </dl>
      {plan.skipped.length > 0 && (
        <details className="details" data-testid="plan-skipped-list">
          <summary>Why {plan.skipped.length} example{plan.skipped.length === 1 ? ' is' : 's are'} skipped</summary>
          <ul className="trn-reasons">
            {plan.skipped.slice(0, 50).map((s) => (
              <li key={s.index}>
                Example {s.index + 1}: {s.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
      {plan.warnings.length > 0 && (
        <details className="details">
          <summary>{plan.warnings.length} warning{plan.warnings.length === 1 ? '' : 's'}</summary>
          <ul className="trn-reasons">
            {plan.warnings.slice(0, 50).map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

/** What the run will do, and the buttons that start it. */
export function PlanCard({ preview, canStart, why, empty }: { preview: PlanPreview; canStart: boolean; why: string | null; empty?: string | null }) {
  const live = useStudio((s) => s.liveRun);
  const plan = live?.plan ?? (preview && 'plan' in preview ? preview.plan : null);
  return (
    <Card title={live ? 'Plan of this run' : 'Plan'} testId="plan-card">
      {plan && <PlanFacts plan={plan} />}
      {!plan && preview && 'error' in preview && (
        <p className="fld__error" data-testid="plan-error">
          {preview.error}
        </p>
      )}
      {!plan && preview && 'tooBig' in preview && <p className="muted">{preview.tooBig.toLocaleString('en-US')} examples: the plan is computed when the run starts.</p>}
      {!plan && !preview && <p className="muted">{empty ?? 'Choose a dataset to see how many examples and tokens will be trained.'}</p>}
      {!live && (
        <div className="trn-start">
          <Button variant="primary" disabled={!canStart} onClick={() => void startTraining()} data-testid="train-start">
            Start training
          </Button>
          <Button variant="secondary" disabled={!canStart} onClick={() => void compareMasking()} data-testid="train-compare" title="Train the same data twice, with and without loss masking, one after the other">
            Compare masking
          </Button>
          {why && !(preview && 'error' in preview && preview.error === why) && <p className="fld__hint">{why}</p>}
        </div>
      )}
    </Card>
  );
}
