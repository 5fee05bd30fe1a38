import { useStudio } from '../../store';
import { setTrainForm } from '../../store/slices/train';
import { formatParams } from '../model/format';
import { CheckField, FieldGroup, NumberField, SelectField } from './fields';
import type { FormProblem, TargetPreset, TrainForm } from './runConfig';
import { StartFromAdapter } from './StartFromAdapter';

/** LoRA (rank, alpha, dropout, target modules, rsLoRA) or full-parameter training for tiny models. */
export function MethodSettings({ problems, locked }: { problems: FormProblem[]; locked: boolean }) {
  const form = useStudio((s) => s.trainForm);
  const params = useStudio((s) => s.modelInfo?.params ?? 0);
  const err = (f: keyof TrainForm) => problems.find((p) => p.field === f)?.message;
  const tooBigForFull = params > 50e6;
  const scale = form.rslora ? form.alpha / Math.sqrt(form.r) : form.alpha / form.r;

  return (
    <FieldGroup title="Method" aside={form.method === 'lora' ? `scale α/${form.rslora ? '√r' : 'r'} = ${Number.isFinite(scale) ? scale.toFixed(3) : '—'}` : undefined}>
      <div className="grid-fields">
        <SelectField
          label="What is trained"
          testId="train-method"
          disabled={locked}
          value={form.method}
          onChange={(v) => setTrainForm({ method: v })}
          options={[
            { value: 'lora', label: 'LoRA adapter' },
            { value: 'full', label: 'All weights (full)' },
          ]}
        />
        {form.method === 'lora' && (
          <>
            <StartFromAdapter locked={locked} />
            <NumberField label="Rank r" testId="train-r" disabled={locked} value={form.r} error={err('r')} onChange={(v) => setTrainForm({ r: v })} />
            <NumberField label="Alpha" testId="train-alpha" disabled={locked} value={form.alpha} error={err('alpha')} onChange={(v) => setTrainForm({ alpha: v })} />
            <NumberField label="LoRA dropout" testId="train-dropout" disabled={locked} value={form.dropout} error={err('dropout')} onChange={(v) => setTrainForm({ dropout: v })} />
            <SelectField<TargetPreset>
              label="Target modules"
              testId="train-targets"
              disabled={locked}
              value={form.targets}
              onChange={(v) => setTrainForm({ targets: v })}
              options={[
                { value: 'attention', label: 'Attention (q, k, v, o)' },
                { value: 'all-linear', label: 'All linear layers' },
                { value: 'custom', label: 'Custom list…' },
              ]}
            />
            {form.targets === 'custom' && (
              <div className="fld">
                <label className="fld__label" htmlFor="train-custom-targets">
                  Module names
                </label>
                <input id="train-custom-targets" className="inp" value={form.customTargets} disabled={locked} placeholder="q_proj, v_proj, up_proj" onChange={(e) => setTrainForm({ customTargets: e.target.value })} aria-invalid={err('customTargets') ? true : undefined} />
                {err('customTargets') && <span className="fld__hint fld__hint--bad">{err('customTargets')}</span>}
              </div>
            )}
            <CheckField label="rsLoRA" testId="train-rslora" disabled={locked} checked={form.rslora} onChange={(v) => setTrainForm({ rslora: v })} hint="Scale by α/√r: steadier at high ranks." />
          </>
        )}
      </div>
      {form.method === 'full' && (
        <p className={`callout${tooBigForFull ? ' callout--warning' : ''}`}>
          Full fine-tuning updates all {formatParams(params)} weights and keeps two optimizer moments for each: meant for
          tiny models.{tooBigForFull ? ' This model is large for that; LoRA is the better choice.' : ''} A full run has no
          adapter to export or try in the playground yet.
        </p>
      )}
    </FieldGroup>
  );
}
