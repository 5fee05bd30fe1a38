import { useStudio } from '../../store';
import { setTrainForm } from '../../store/slices/train';
import type { ScheduleKind } from '../../engine/train/schedule';
import { Button } from '../components/Button';
import { CheckField, FieldGroup, NumberField, SelectField } from './fields';
import { lrAdvice, lrHint } from './lrAdvice';
import type { FormProblem, TrainForm } from './runConfig';

/** Optimizer (AdamW), schedule, batching, length of the run, seed, evaluation and checkpoints. */
export function OptimSettings({ problems, locked }: { problems: FormProblem[]; locked: boolean }) {
  const form = useStudio((s) => s.trainForm);
  const params = useStudio((s) => s.modelInfo?.params ?? 0);
  const advice = lrAdvice(params, form.method, form.lr);
  const err = (f: keyof TrainForm) => problems.find((p) => p.field === f)?.message;
  const num = (field: keyof TrainForm, label: string, hint?: string) => (
    <NumberField
      label={label}
      hint={hint}
      testId={`train-${field}`}
      disabled={locked}
      value={form[field] as number}
      error={err(field)}
      onChange={(v) => setTrainForm({ [field]: v } as Partial<TrainForm>)}
    />
  );
  return (
    <>
      <FieldGroup title="Optimizer (AdamW)">
        <div className="grid-fields">
          {num('lr', 'Learning rate', lrHint(params, form.method))}
          <SelectField<ScheduleKind>
            label="Schedule"
            testId="train-schedule"
            disabled={locked}
            value={form.schedule}
            onChange={(v) => setTrainForm({ schedule: v })}
            options={[
              { value: 'cosine', label: 'Cosine decay' },
              { value: 'linear', label: 'Linear decay' },
              { value: 'constant', label: 'Constant' },
            ]}
          />
          {num('warmupRatio', 'Warmup (fraction of steps)')}
          {num('weightDecay', 'Weight decay')}
          {num('maxGradNorm', 'Grad clip (norm)', '0 = off')}
        </div>
        {advice && (
          <p className="fld__hint trn-advice" data-testid="lr-advice">
            {advice.why}{' '}
            <Button size="sm" disabled={locked} onClick={() => setTrainForm({ lr: advice.lr })} data-testid="lr-advice-apply">
              Use {advice.lr}
            </Button>
          </p>
        )}
      </FieldGroup>
      <FieldGroup title="Batches and length">
        <div className="grid-fields">
          {num('batchSize', 'Batch size')}
          {num('gradAccum', 'Grad accumulation', 'Micro-batches per step')}
          {num('epochs', 'Epochs')}
          {num('maxSteps', 'Max steps', '0 = epochs decide')}
          {num('seed', 'Seed', 'Same seed, same run')}
          {num('evalEvery', 'Eval every N steps', 'Validation split; 0 = at the end')}
          {num('checkpointEvery', 'Checkpoint every N steps', 'Lets a reload resume; 0 = never')}
          <CheckField label="Pack examples" testId="train-pack" disabled={locked} checked={form.pack} onChange={(v) => setTrainForm({ pack: v })} hint="Several short examples per row." />
        </div>
      </FieldGroup>
    </>
  );
}
