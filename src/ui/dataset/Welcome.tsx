import { useState } from 'react';
import { addStarterDatasets, STARTERS } from '../../data/starter';
import { createDataset } from '../../db';
import { useStudio } from '../../store';
import { Button } from '../components/Button';
import { PromptDialog } from './Dialog';

/** First visit (no datasets yet): offer the starter datasets or an empty dataset. */
export function Welcome() {
  const [naming, setNaming] = useState(false);
  const guard = useStudio((s) => s.guard);
  const setActive = useStudio((s) => s.setActiveDataset);
  const total = STARTERS.reduce((n, s) => n + s.examples.length, 0);
  return (
    <div className="ds-welcome" data-testid="dataset-welcome">
      <h3>Start with a dataset</h3>
      <p>
        A fine-tune is only as good as its examples: a few dozen careful ones teach more than thousands of sloppy ones. Start from our starter
        datasets ({STARTERS.length} small datasets, {total} examples: sentiment, translation, summaries, chat and a tagged mix) or from scratch.
      </p>
      <div className="ds-welcome__actions">
        <Button
          variant="primary"
          data-testid="add-starters"
          onClick={async () => {
            const first = await guard(() => addStarterDatasets());
            if (first) setActive(first);
          }}
        >
          Add starter datasets
        </Button>
        <Button onClick={() => setNaming(true)} data-testid="create-first">Create an empty dataset</Button>
      </div>
      <p className="ds-muted">Already have data? Use <strong>Import</strong> above: JSON, JSON Lines or CSV (Alpaca, ShareGPT, OpenAI chat, TRL, Dolly, or any columns).</p>
      {naming && (
        <PromptDialog
          title="New dataset"
          label="Name"
          initial="My dataset"
          submitLabel="Create"
          onClose={() => setNaming(false)}
          onSubmit={async (name) => setActive((await createDataset({ name })).id)}
        />
      )}
    </div>
  );
}
