import { useState } from 'react';
import type { Run } from '../../db/runs';
import { Button } from '../components/Button';
import { renameRun } from './runNames';

/** A run's name with a Rename button; Enter saves (made unique), Esc cancels. */
export function RunName({ run }: { run: Pick<Run, 'id' | 'name' | 'adapter'> }) {
  const [draft, setDraft] = useState<string | null>(null);
  if (draft === null)
    return (
      <span className="trn-run__name">
        <strong data-testid="run-name">{run.name}</strong>
        <Button size="sm" variant="ghost" onClick={() => setDraft(run.name)} data-testid="run-rename" aria-label={`Rename ${run.name}`}>
          Rename
        </Button>
      </span>
    );
  const save = async () => {
    if (draft.trim() && draft.trim() !== run.name) await renameRun(run, draft);
    setDraft(null);
  };
  return (
    <form
      className="trn-run__name"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <input
        className="inp"
        value={draft}
        autoFocus
        maxLength={120}
        aria-label="Run name"
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && setDraft(null)}
        data-testid="run-name-input"
      />
      <Button size="sm" type="submit" data-testid="run-name-save">
        Save
      </Button>
    </form>
  );
}
