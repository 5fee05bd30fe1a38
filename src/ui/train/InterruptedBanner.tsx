import { useStudio } from '../../store';
import { Banner } from '../components/Banner';
import { Button } from '../components/Button';
import { resumeRun } from './controller';
import type { RunView } from './runsView';

/** At the top of Train: a run a reload (or a closed tab) interrupted, with Resume right there. */
export function InterruptedBanner({ runs }: { runs: RunView[] | undefined }) {
  const live = useStudio((s) => s.liveRun);
  const run = (runs ?? []).find((r) => r.interrupted);
  if (!run || live) return null;
  const at = run.checkpointStep;
  return (
    <Banner
      tone="warning"
      title={`“${run.name}” was interrupted at step ${run.doneSteps}${run.totalSteps ? ` of ${run.totalSteps}` : ''}`}
      testId="train-interrupted"
      actions={
        at !== null ? (
          <Button size="sm" variant="primary" onClick={() => void resumeRun(run.id)} data-testid="interrupted-resume">
            Resume from step {at}
          </Button>
        ) : undefined
      }
    >
      <p>
        {at !== null
          ? 'The page was reloaded or closed while it trained. Resuming continues from its last checkpoint with the same data and settings (load the same model first).'
          : 'The page was reloaded or closed while it trained, and it has no checkpoint to resume from (set “Checkpoint every” to keep one). Its steps so far stay in Runs below.'}
      </p>
    </Banner>
  );
}
