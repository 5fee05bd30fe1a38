/**
 * The controller's side of validation samples: what a new run samples (stored with the run, so a resume samples the
 * same prompts), the samples arriving from the Worker into the live run, and a resumed run's samples up to its
 * checkpoint.
 */
import type { ExampleBody, Split } from '../../data/types';
import type { SampleSet } from '../../db/runs';
import type { RunConfig } from '../../train/run';
import type { SampleEvent, TrainSampleFields } from '../../worker/protocol';
import { updateLive } from '../../store/slices/train';
import type { TrainForm } from './runConfig';
import { chooseSamplePrompts, resolveSampleEvery } from './samplePrompts';

/** The run's samples to be (none when sampling is off); sets config.sampleEvery to match. */
export function planSamples(
  rows: readonly { body: ExampleBody; split?: Split }[],
  form: TrainForm,
  params: number,
  config: RunConfig,
  systemPrompt: string,
): SampleSet | undefined {
  const every = resolveSampleEvery(form, params);
  config.sampleEvery = every;
  if (every <= 0) return undefined;
  const choice = chooseSamplePrompts(rows, form.samplePrompts ?? '', { template: form.template === 'model' ? undefined : form.template, system: systemPrompt });
  if (!choice.prompts.length) {
    config.sampleEvery = 0;
    return undefined;
  }
  return { prompts: choice.prompts, labels: choice.labels, points: [] };
}

/** The train request's sample fields for a run (nothing when it does not sample). */
export function sampleRequest(run: { config: RunConfig | null; samples?: SampleSet }): TrainSampleFields {
  return run.samples && (run.config?.sampleEvery ?? 0) > 0 ? { samplePrompts: run.samples.prompts } : {};
}

export function addLiveSample(e: SampleEvent): void {
  updateLive((l) => (l.samples ? { samples: { ...l.samples, points: [...l.samples.points.filter((p) => p.step !== e.step), { step: e.step, outputs: e.outputs }] } } : {}));
}

/** A resumed run keeps the samples up to its checkpoint's step. */
export function samplesUpTo(s: SampleSet | undefined, step: number): SampleSet | undefined {
  return s && { ...s, points: s.points.filter((p) => p.step <= step) };
}
