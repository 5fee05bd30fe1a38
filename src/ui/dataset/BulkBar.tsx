import { useState } from 'react';
import { TASK_TAGS, type Example } from '../../data/types';
import { bulkSplit, bulkTag, deleteExamples } from '../../db';
import { useStudio } from '../../store';
import { Button } from '../components/Button';

/** Actions on the multi-selection: add/remove a tag, set the split, delete (all undoable). */
export function BulkBar({ selected, allTags, onDeleted }: { selected: string[]; allTags: string[]; onDeleted: (ids: string[]) => void }) {
  const [tag, setTag] = useState('');
  const guard = useStudio((s) => s.guard);
  const pushUndo = useStudio((s) => s.pushUndo);
  const restoreRows = useStudio((s) => s.restoreRows);
  const setSelection = useStudio((s) => s.setSelection);
  const flush = useStudio((s) => s.flushDraft);
  const n = selected.length;

  const run = async (label: string, action: () => Promise<Example[]>, message: (k: number) => string) => {
    await flush();
    const before = await guard(action);
    if (before && before.length) pushUndo(label, () => restoreRows(before), message(before.length));
  };

  return (
    <div className="ds-bulk" role="toolbar" aria-label="Selected examples" data-testid="bulk-bar">
      <strong>{n.toLocaleString()} selected</strong>
      <form
        className="ds-bulk__tag"
        onSubmit={(e) => {
          e.preventDefault();
          if (!tag.trim()) return;
          void run('tagging', () => bulkTag(selected, { add: [tag] }), (k) => `Tagged ${k} example${k === 1 ? '' : 's'} “${tag.trim()}”.`);
          setTag('');
        }}
      >
        <input className="ds-input ds-input--sm" list="ds-bulk-tags" placeholder="Tag" aria-label="Tag to add or remove" data-testid="bulk-tag-input" value={tag} onChange={(e) => setTag(e.target.value)} />
        <datalist id="ds-bulk-tags">
          {[...new Set([...TASK_TAGS, ...allTags])].map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <Button size="sm" type="submit" disabled={!tag.trim()}>Add tag</Button>
        <Button size="sm" disabled={!tag.trim()} onClick={() => void run('untagging', () => bulkTag(selected, { remove: [tag] }), (k) => `Removed “${tag.trim()}” from ${k}.`)}>
          Remove tag
        </Button>
      </form>
      <span className="ds-bulk__sep" />
      <Button size="sm" onClick={() => void run('split change', () => bulkSplit(selected, 'train'), (k) => `Moved ${k} to train.`)}>→ Train</Button>
      <Button size="sm" onClick={() => void run('split change', () => bulkSplit(selected, 'validation'), (k) => `Moved ${k} to validation.`)}>→ Validation</Button>
      <span className="ds-bulk__sep" />
      <Button
        size="sm"
        variant="danger"
        onClick={async () => {
          await flush();
          const rows = await guard(() => deleteExamples(selected));
          if (!rows) return;
          onDeleted(rows.map((r) => r.id));
          pushUndo(`delete of ${rows.length} examples`, () => restoreRows(rows), `Deleted ${rows.length} example${rows.length === 1 ? '' : 's'}.`);
        }}
      >
        Delete {n}
      </Button>
      <Button size="sm" variant="ghost" onClick={() => setSelection([])}>Clear selection</Button>
    </div>
  );
}
