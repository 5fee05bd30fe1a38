import { useEffect } from 'react';
import { useStudio } from '../../store';
import { setTrainForm } from '../../store/slices/train';
import type { ExampleBody, MaskMode } from '../../data/types';
import { FULL_MODE_GOTCHA } from '../../data/labels';
import { TEMPLATE_PRESETS, splitMarkers } from '../../data/templates';
import { useDatasets } from '../dataset/hooks';
import { getDataset } from '../../db/datasets';
import { routeHref } from '../shell/routes';
import { CheckField, FieldGroup, NumberField, SelectField } from './fields';
import { GENERAL_MIX_CHOICES, MODE_HINTS, MODE_LABELS, WEIGHT_NOTE, pickDataset, recommendedMode, type FormProblem } from './runConfig';

const MODES: MaskMode[] = ['assistant-only', 'completion-only', 'last-turn', 'per-turn-weights', 'full'];

/** Which examples, which tokens of them are trained (mask mode), how they are laid out (template), how long. */
export function DataSettings({ kinds, tags, problems, locked }: { kinds: ReadonlySet<ExampleBody['kind']>; tags: readonly string[]; problems: FormProblem[]; locked: boolean }) {
  const form = useStudio((s) => s.trainForm);
  const tokenizer = useStudio((s) => s.tokenizer);
  const datasets = useDatasets();
  const active = useStudio((s) => s.activeDatasetId);
  const err = (f: string) => problems.find((p) => p.field === f)?.message;
  // The only dataset, or the last edited, is preselected (and a deleted one replaced), so a first visit shows no error.
  useEffect(() => {
    if (!datasets || locked) return;
    const pick = pickDataset(datasets, form.datasetId, active);
    if (pick === form.datasetId) return;
    // A dataset created a moment ago (the Try-it card) may not be in the live list yet: replace the choice only once
    // the database confirms it is gone.
    let live = true;
    const chosen = form.datasetId;
    void (chosen ? getDataset(chosen) : Promise.resolve(undefined)).then((d) => {
      if (live && !d) setTrainForm({ datasetId: pick });
    });
    return () => {
      live = false;
    };
  }, [datasets, form.datasetId, active, locked]);
  const recommended = recommendedMode(kinds);
  const mode = form.mode ?? recommended;
  const preset = TEMPLATE_PRESETS.find((p) => p.id === form.template);
  const split = preset && tokenizer ? splitMarkers(tokenizer, preset) : [];

  return (
    <FieldGroup title="Data and masking">
      <div className="grid-fields">
        <SelectField
          label="Dataset"
          testId="train-dataset"
          disabled={locked}
          value={form.datasetId ?? ''}
          hint={
            datasets && datasets.length === 0 ? (
              <>
                No dataset yet: <a href={routeHref('dataset')}>create one in the Dataset section</a>.
              </>
            ) : undefined
          }
          onChange={(v) => setTrainForm({ datasetId: v || null })}
          options={[
            ...(form.datasetId ? [] : [{ value: '', label: datasets ? (datasets.length ? 'Choose a dataset…' : 'No datasets yet') : 'Loading…' }]),
            ...(datasets ?? []).map((d) => ({ value: d.id, label: d.name })),
          ]}
        />
        <SelectField
          label="Which tokens are trained"
          testId="train-mode"
          disabled={locked}
          value={form.mode ?? 'recommended'}
          hint={`${kinds.size || form.mode ? MODE_HINTS[mode] : 'Assistant turns for chats, the completion for pairs.'}${kinds.has('chat') || !kinds.size ? ` ${WEIGHT_NOTE}` : ''}`}
          onChange={(v) => setTrainForm({ mode: v === 'recommended' ? null : (v as MaskMode) })}
          options={[
            { value: 'recommended', label: kinds.size ? `${MODE_LABELS[recommended]} (recommended)` : 'Recommended for the dataset' },
            ...MODES.map((m) => ({ value: m, label: MODE_LABELS[m] })),
          ]}
        />
        <SelectField
          label="Prompt template"
          testId="train-template"
          disabled={locked}
          value={form.template}
          error={err('template')}
          hint={preset ? preset.description : tokenizer?.chatTemplate ? 'The chat template that ships with the model.' : undefined}
          onChange={(v) => setTrainForm({ template: v })}
          options={[{ value: 'model', label: tokenizer && !tokenizer.chatTemplate ? "Model's chat template (none)" : "Model's chat template" }, ...TEMPLATE_PRESETS.map((p) => ({ value: p.id, label: p.name }))]}
        />
        <NumberField label="Max length (tokens)" testId="train-max-length" disabled={locked} value={form.maxLength} error={err('maxLength')} onChange={(v) => setTrainForm({ maxLength: v })} hint={`Longer examples are ${form.overlong === 'skip' ? 'skipped' : 'truncated'} (see the plan for how many).`} />
        <SelectField
          label="Longer examples"
          testId="train-overlong"
          disabled={locked}
          value={form.overlong}
          hint={form.overlong === 'skip' ? 'Left out of the run.' : 'Cut from the right: what is past the max length is not trained.'}
          onChange={(v) => setTrainForm({ overlong: v })}
          options={[
            { value: 'truncate', label: 'Truncate to the max length' },
            { value: 'skip', label: 'Skip them' },
          ]}
        />
        <SelectField
          label="Mix general text"
          testId="train-general-mix"
          disabled={locked}
          value={String(form.generalMix ?? 0)}
          hint={
            (form.generalMix ?? 0) > 0
              ? `About ${Math.round((form.generalMix ?? 0) * 100)} % of the training examples will be general English (Brown corpus), trained on every token, to keep what the model knew. The Evaluate page's forgetting meter shows the effect.`
              : 'Only your examples. Adding general English text (rehearsal) reduces forgetting; the Evaluate page measures it.'
          }
          onChange={(v) => setTrainForm({ generalMix: Number(v) })}
          options={GENERAL_MIX_CHOICES.map((c) => ({ value: String(c), label: c === 0 ? 'None' : `${Math.round(c * 100)} % of the examples` }))}
        />
        <CheckField label="Train the end-of-turn token" testId="train-eos" disabled={locked} checked={form.trainEos} onChange={(v) => setTrainForm({ trainEos: v })} hint="So the model learns to stop." />
      </div>
      {tags.length > 0 && <TagChoice tags={tags} chosen={form.trainOnTags ?? []} locked={locked} />}
      {mode === 'full' && (kinds.has('chat') || kinds.has('pair')) && (
        <p className="callout callout--warning" data-testid="full-mode-warning">
          <strong>The common gotcha:</strong> {FULL_MODE_GOTCHA}.
        </p>
      )}
      {split.length > 0 && (
        <p className="callout callout--warning">
          This tokenizer splits {split.join(', ')} into several tokens: the template works, but a model that never saw
          these markers needs more steps to learn them.
        </p>
      )}
    </FieldGroup>
  );
}

/**
 * "Train on tags": none ticked = every example; some ticked = only training examples with one of them (validation
 * stays whole, so the Evaluate page can score the unseen tags: the zero-shot exercise).
 */
function TagChoice({ tags, chosen, locked }: { tags: readonly string[]; chosen: readonly string[]; locked: boolean }) {
  const set = new Set(chosen.filter((t) => tags.includes(t)));
  const toggle = (t: string, on: boolean) => setTrainForm({ trainOnTags: tags.filter((x) => (x === t ? on : set.has(x))) });
  return (
    <fieldset className="trn-tags" disabled={locked} data-testid="train-tags">
      <legend>Train on tags</legend>
      {tags.map((t) => (
        <label className="chk" key={t}>
          <input type="checkbox" checked={set.has(t)} onChange={(e) => toggle(t, e.target.checked)} data-testid="train-tag" data-tag={t} /> {t}
        </label>
      ))}
      <p className="fld__hint">
        {set.size === 0
          ? 'Every example is trained. Tick tags to train on those only and see, on the Evaluate page, how the run does on the tags it never saw (zero-shot).'
          : `Training examples tagged ${[...set].join(', ')} only; validation examples of every tag stay for evaluation.`}
      </p>
    </fieldset>
  );
}
