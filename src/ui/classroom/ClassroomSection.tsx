/**
 * The Classroom: "Why mask the prompt?" as a guided page. The same data trained twice (answers only vs the full
 * sequence), the label rows of one example, both runs' answer-token loss on one scale with the measured numbers, and
 * the base model and both adapters answering the same prompts. Presenter mode shows one section per screen.
 */
import { useMemo, useState, type ReactNode } from 'react';
import { useStudio } from '../../store';
import type { ExampleBody } from '../../data/types';
import type { Run, StepPoint } from '../../db/runs';
import { templateText, MODE_LABELS, recommendedMode } from '../train/runConfig';
import { useRuns } from '../train/runsView';
import { useDatasets, useExamples } from '../dataset/hooks';
import { Button } from '../components/Button';
import { LESSON, regenerate, useLesson } from './lesson';
import { defaultLessonDataset, latestLesson, lessonNumbers } from './lessonData';
import { LessonControls } from './LessonControls';
import { LossChartView, LossNumbers, LossVerdict } from './LossPanel';
import { LabelRows } from './LabelRows';
import { Generations } from './Generations';
import { usePresenter } from './usePresenter';
import { LossText, MaskText, NoMaskText, OverfitNumbers, OverfitText, PretrainingText } from './Explanations';
import './classroom.css';

const FALLBACK: ExampleBody = { kind: 'pair', instruction: 'Capital of France?', input: '', output: 'Paris.' };

/** A section: its text, and what it shows (beside the text in presenter mode), then anything under both. */
interface Section {
  id: string;
  title: string;
  prose: ReactNode;
  visual?: ReactNode;
  after?: ReactNode;
}

export function ClassroomSection() {
  const model = useStudio((s) => s.modelInfo);
  const tokenizer = useStudio((s) => s.tokenizer);
  const live = useStudio((s) => s.liveRun);
  const gpuReady = useStudio((s) => s.gpuStatus === 'ready');
  const active = useStudio((s) => s.activeDatasetId);
  const formDataset = useStudio((s) => s.trainForm.datasetId);
  const datasets = useDatasets();
  const [picked, setPicked] = useState<string | null>(null);
  const datasetId = picked && datasets?.some((d) => d.id === picked) ? picked : defaultLessonDataset(datasets ?? [], active, formDataset);
  const examples = useExamples(datasetId);
  const [steps, setSteps] = useState(LESSON.steps);
  const lesson = useLesson();
  const runs = useRuns();
  const presenter = usePresenter(6);

  const kinds = useMemo(() => new Set<ExampleBody['kind']>((examples ?? []).map((e) => e.body.kind)), [examples]);
  const maskedMode = recommendedMode(kinds.has('chat') || kinds.has('pair') ? kinds : new Set(['pair']));
  const template = tokenizer?.chatTemplate ? undefined : templateText('chatml');
  const dataset = datasets?.find((d) => d.id === datasetId);
  const example = examples?.find((e) => e.body.kind !== 'text' && e.split !== 'validation')?.body ?? FALLBACK;

  // The newest lesson's runs; while one trains, its live steps (the stored ones are flushed every few seconds).
  const found = runs ? latestLesson(runs) : null;
  const stepsOf = (r: Run | null): StepPoint[] | null => (r ? (live?.runId === r.id ? live.steps : r.steps) : null);
  const maskedSteps = stepsOf(found?.masked ?? null);
  const fullSteps = stepsOf(found?.full ?? null);
  const maskedRun = found?.masked ?? null;
  const heldOutEval = maskedRun?.evals.length ? maskedRun.evals[maskedRun.evals.length - 1].loss : null;

  const blocked = !gpuReady ? 'The GPU is not ready.' : !model ? 'Load a model first (Model section).' : live && lesson.phase !== 'training' ? 'A training run is in progress on the Train page.' : null;
  const canRegenerate = !!found?.masked?.adapter && !!found?.full?.adapter && lesson.phase !== 'training' && lesson.phase !== 'generating' && !live;

  const sections: Section[] = [
    { id: 'intro', title: 'Pretraining vs instruction tuning', prose: <PretrainingText /> },
    {
      id: 'labels',
      title: 'What −100 means, and the shift by one',
      prose: <MaskText />,
      visual: tokenizer ? (
        <LabelRows tokenizer={tokenizer} body={example} maskedMode={maskedMode} template={template} systemPrompt={dataset?.systemPrompt} />
      ) : (
        <p className="cls-empty">Load a model to see one example’s labels with its tokenizer.</p>
      ),
    },
    {
      id: 'run',
      title: 'Train the same data twice',
      prose: (
        <LessonControls
          datasets={datasets ?? []}
          datasetId={datasetId}
          onDataset={setPicked}
          steps={steps}
          onSteps={(n) => setSteps(Math.max(LESSON.minSteps, Math.min(LESSON.maxSteps, Math.round(n) || LESSON.minSteps)))}
          lesson={lesson}
          live={live}
          blocked={blocked}
        />
      ),
    },
    {
      id: 'loss',
      title: 'The loss on the answers, for both runs',
      prose: <LossText />,
      visual: (
        <>
          <LossChartView masked={maskedSteps} full={fullSteps} maskedLabel={MODE_LABELS[maskedRun?.config?.label.mode ?? maskedMode]} large={presenter.on} />
          <LossVerdict masked={maskedSteps} full={fullSteps} tail={LESSON.tail} wallSeconds={lesson.wallSeconds} />
        </>
      ),
      after: <LossNumbers masked={maskedSteps} full={fullSteps} tail={LESSON.tail} />,
    },
    {
      id: 'generations',
      title: 'What goes wrong without masking',
      prose: (
        <>
          <NoMaskText />
          {lesson.prompts.length === 0 && canRegenerate && (
            <Button data-testid="lesson-regenerate" onClick={() => void regenerate(found!.masked!.id, found!.full!.id)}>
              Ask the three models again
            </Button>
          )}
        </>
      ),
      visual: lesson.prompts.length > 0 ? <Generations prompts={lesson.prompts} generations={lesson.generations} compact={presenter.on} /> : undefined,
    },
    {
      id: 'overfit',
      title: 'Overfitting on a tiny set',
      prose: <OverfitText />,
      after: maskedRun?.plan && <OverfitNumbers plan={maskedRun.plan} batch={maskedRun.config?.batchSize ?? 1} train={lessonNumbers(maskedSteps, null, LESSON.tail).masked} heldOut={heldOutEval} />,
    },
  ];

  const shown = presenter.on ? [sections[presenter.index]] : sections;
  return (
    <section aria-labelledby="cls-title" className={`page cls${presenter.on ? ' cls--presenter' : ''}`} data-testid="classroom-section" data-presenter={presenter.on}>
      {!presenter.on && (
        <header className="page__header cls__header">
          <div>
            <h2 id="cls-title">Classroom: why mask the prompt?</h2>
            <p className="page__lead">A guided lesson: the same data trained twice, measured on the same tokens. Press P to present.</p>
          </div>
          <Button data-testid="presenter-toggle" aria-pressed={false} onClick={presenter.toggle}>
            Presenter mode (P)
          </Button>
        </header>
      )}
      <div className="cls__sections">
        {shown.map((s) => {
          const n = sections.indexOf(s);
          return (
            <article key={s.id} className="cls-section" data-testid={`lesson-section-${s.id}`} aria-labelledby={`cls-${s.id}`}>
              <h3 id={`cls-${s.id}`}>
                <span className="cls-section__n">{n + 1}</span> {s.title}
              </h3>
              <div className={`cls-split${s.visual ? ' cls-split--two' : ''}`}>
                <div className="cls-split__prose">{s.prose}</div>
                {s.visual && <div className="cls-split__visual">{s.visual}</div>}
                {s.after && <div className="cls-split__after">{s.after}</div>}
              </div>
            </article>
          );
        })}
      </div>
      {presenter.on && (
        <nav className="cls-pager" aria-label="Lesson sections" data-testid="presenter-pager" data-index={presenter.index}>
          <h2 id="cls-title" className="cls-pager__title">Why mask the prompt?</h2>
          <Button size="sm" onClick={() => presenter.go(presenter.index - 1)} disabled={presenter.index === 0} aria-label="Previous section">←</Button>
          <span>
            {presenter.index + 1} / {sections.length} · ← → to move
          </span>
          <Button size="sm" onClick={() => presenter.go(presenter.index + 1)} disabled={presenter.index === sections.length - 1} aria-label="Next section">→</Button>
          <Button size="sm" variant="ghost" data-testid="presenter-toggle" aria-pressed onClick={presenter.leave}>
            Leave (Esc)
          </Button>
        </nav>
      )}
    </section>
  );
}
