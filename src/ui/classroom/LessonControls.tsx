/** The lesson's controls: which dataset, how many steps, Run / Stop, and where the lesson is. */
import type { Dataset } from '../../data/types';
import type { LiveRun } from '../../store/slices/train';
import { Button } from '../components/Button';
import { LESSON, runLesson, stopLesson, type LessonState } from './lesson';

interface Props {
  datasets: Dataset[];
  datasetId: string | null;
  onDataset(id: string): void;
  steps: number;
  onSteps(n: number): void;
  lesson: LessonState;
  live: LiveRun | null;
  /** Why the lesson cannot start now (no model, GPU busy, …), or null. */
  blocked: string | null;
}

function status(lesson: LessonState, live: LiveRun | null): string {
  switch (lesson.phase) {
    case 'training': {
      const which = lesson.runIndex === 0 ? 'Run 1 of 2: answers only' : 'Run 2 of 2: full sequence';
      const at = live?.steps.length ? `step ${live.steps[live.steps.length - 1].step} of ${live.totalSteps || '…'}` : 'starting';
      return `${which} — ${at}`;
    }
    case 'generating':
      return 'Both runs done. The three models are answering the prompts…';
    case 'done':
      return `Lesson complete${lesson.wallSeconds !== null ? ` in ${lesson.wallSeconds.toFixed(1)} s` : ''}.`;
    case 'stopped':
      return 'Stopped.';
    case 'failed':
      return `The lesson stopped: ${lesson.error ?? 'unknown error'}`;
    default:
      return 'Ready.';
  }
}

export function LessonControls({ datasets, datasetId, onDataset, steps, onSteps, lesson, live, blocked }: Props) {
  const busy = lesson.phase === 'training' || lesson.phase === 'generating';
  return (
    <div className="cls-controls">
      <div className="cls-controls__row">
        <label className="fld">
          <span className="fld__label">Dataset</span>
          <select className="inp" data-testid="lesson-dataset" value={datasetId ?? ''} disabled={busy} onChange={(e) => onDataset(e.target.value)}>
            {datasets.length === 0 && <option value="">No datasets yet</option>}
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label className="fld cls-controls__steps">
          <span className="fld__label">Steps per run</span>
          <input
            className="inp"
            type="number"
            data-testid="lesson-steps"
            min={LESSON.minSteps}
            max={LESSON.maxSteps}
            value={steps}
            disabled={busy}
            onChange={(e) => onSteps(Number(e.target.value))}
          />
        </label>
        {busy ? (
          <Button variant="danger" data-testid="lesson-stop" onClick={stopLesson}>
            Stop
          </Button>
        ) : (
          <Button variant="primary" data-testid="lesson-run" disabled={!!blocked || !datasetId} title={blocked ?? undefined} onClick={() => datasetId && void runLesson(datasetId, steps)}>
            Run the lesson
          </Button>
        )}
      </div>
      <p className="cls-controls__settings">
        Both runs: LoRA r = {LESSON.form.r} on every linear layer, batches of {LESSON.form.batchSize}, a constant learning rate, seed {LESSON.form.seed} —
        identical except for the mask. Up to {LESSON.heldOut} examples are held out when the dataset has no validation split.
      </p>
      <p className="cls-controls__status" role="status" data-testid="lesson-status" data-phase={lesson.phase}>
        {blocked && !busy ? blocked : status(lesson, live)}
      </p>
    </div>
  );
}
