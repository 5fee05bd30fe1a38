import { useState } from 'react';
import type { Dataset } from '../../data/types';
import { copyDataset, createDataset, deleteDataset, purgeDeletedDatasets, renameDataset, undoDeleteDataset, uniqueName, UNDO_DELETE_MS } from '../../db';
import { useStudio } from '../../store';
import { Button } from '../components/Button';
import { ConfirmDialog, PromptDialog } from './Dialog';
import { StarterDialog } from './StarterDialog';
import { plural } from '../shell/plural';

type Open = null | 'new' | 'rename' | 'delete' | 'starters';

/** Chooses the dataset being edited and manages datasets (create, rename, copy, delete with undo, starters). */
export function DatasetPicker({ datasets, active, count }: { datasets: Dataset[]; active: Dataset | null; count: number }) {
  const [open, setOpen] = useState<Open>(null);
  const setActive = useStudio((s) => s.setActiveDataset);
  const guard = useStudio((s) => s.guard);
  const pushUndo = useStudio((s) => s.pushUndo);
  const close = () => setOpen(null);

  const remove = async (ds: Dataset) => {
    const done = await guard(() => deleteDataset(ds.id));
    if (!done) return;
    setActive(datasets.find((d) => d.id !== ds.id)?.id ?? null);
    pushUndo(
      `delete of “${ds.name}”`,
      async () => {
        if (!(await undoDeleteDataset(ds.id))) throw new Error(`“${ds.name}” was already removed for good.`);
        setActive(ds.id);
      },
      `Deleted “${ds.name}”.`,
    );
    setTimeout(() => void purgeDeletedDatasets(UNDO_DELETE_MS), UNDO_DELETE_MS + 500);
  };

  return (
    <div className="ds-picker" role="toolbar" aria-label="Datasets">
      <label className="ds-picker__select">
        <span className="ds-visually-hidden">Dataset</span>
        <select
          className="ds-input"
          data-testid="dataset-select"
          value={active?.id ?? ''}
          onChange={(e) => setActive(e.target.value || null)}
          disabled={datasets.length === 0}
        >
          {datasets.length === 0 && <option value="">No datasets yet</option>}
          {datasets.map((d) => (
            <option key={d.id} value={d.id}>{d.name}</option>
          ))}
        </select>
      </label>
      {active && <span className="ds-muted" data-testid="dataset-count">{plural(count, 'example')}</span>}
      <div className="ds-picker__actions">
        <Button size="sm" variant="primary" onClick={() => setOpen('new')}>New dataset</Button>
        <Button size="sm" disabled={!active} onClick={() => setOpen('rename')} aria-label="Rename dataset">Rename</Button>
        <Button size="sm" disabled={!active} onClick={() => active && guard(async () => setActive((await copyDataset(active.id)).id))} aria-label="Copy dataset">
          Copy
        </Button>
        <Button size="sm" disabled={!active} onClick={() => setOpen('delete')} aria-label="Delete dataset">Delete</Button>
        <Button size="sm" variant="ghost" onClick={() => setOpen('starters')}>Starter datasets</Button>
      </div>
      {open === 'new' && (
        <PromptDialog
          title="New dataset"
          label="Name"
          initial=""
          submitLabel="Create"
          onClose={close}
          onSubmit={async (name) => setActive((await createDataset({ name: await uniqueName(name) })).id)}
        />
      )}
      {open === 'rename' && active && (
        <PromptDialog title="Rename dataset" label="Name" initial={active.name} submitLabel="Rename" onClose={close} onSubmit={(name) => renameDataset(active.id, name)} />
      )}
      {open === 'delete' && active && (
        <ConfirmDialog
          title="Delete dataset?"
          message={
            <p>
              “{active.name}” and its {plural(count, 'example')} will be deleted. You can undo for {UNDO_DELETE_MS / 1000} seconds
              (or until you delete another dataset).
            </p>
          }
          confirmLabel="Delete dataset"
          onConfirm={() => void remove(active)}
          onClose={close}
        />
      )}
      {open === 'starters' && <StarterDialog onClose={close} />}
    </div>
  );
}
