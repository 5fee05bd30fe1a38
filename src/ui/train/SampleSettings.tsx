/** Validation samples during training: how often (automatic for small models, 0 = off) and which prompts. */
import { useId } from 'react';
import { useStudio } from '../../store';
import { setTrainForm } from '../../store/slices/train';
import { FieldGroup, NumberField } from './fields';
import { AUTO_SAMPLE_EVERY, SAMPLE_PROMPTS, resolveSampleEvery } from './samplePrompts';

export function SampleSettings({ locked }: { locked: boolean }) {
  const form = useStudio((s) => s.trainForm);
  const params = useStudio((s) => s.modelInfo?.params ?? 0);
  const id = useId();
  const every = resolveSampleEvery(form, params);
  const auto = form.sampleEvery === null || form.sampleEvery === undefined;
  return (
    <FieldGroup title="Validation samples" aside={every > 0 ? `every ${every === 1 ? 'step' : `${every} steps`}` : 'off'}>
      <div className="grid-fields">
        <NumberField
          label="Sample every N steps"
          testId="train-sampleEvery"
          disabled={locked}
          value={every}
          min={0}
          onChange={(v) => setTrainForm({ sampleEvery: v })}
          hint={
            <>
              {auto ? `Automatic: ${AUTO_SAMPLE_EVERY} for small models, off for large ones.` : '0 = off.'} Greedy, 32 tokens; training is unchanged.
              {!auto && (
                <>
                  {' '}
                  <button type="button" className="ds-link" disabled={locked} onClick={() => setTrainForm({ sampleEvery: null })}>
                    automatic
                  </button>
                </>
              )}
            </>
          }
        />
        <div className="fld">
          <label className="fld__label" htmlFor={id}>
            Prompts (one per line)
          </label>
          <textarea
            id={id}
            className="inp"
            rows={2}
            disabled={locked}
            value={form.samplePrompts ?? ''}
            placeholder={`Blank: the first ${SAMPLE_PROMPTS} validation examples`}
            onChange={(e) => setTrainForm({ samplePrompts: e.target.value })}
            data-testid="train-samplePrompts"
          />
          <span className="fld__hint">Examples are prompted exactly as they are trained (template, system prompt).</span>
        </div>
      </div>
    </FieldGroup>
  );
}
