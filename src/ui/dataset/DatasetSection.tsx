import { useEffect, useMemo, useRef, useState } from 'react';
import './dataset.css';
import { getDataset, getDb, purgeDeletedDatasets, UNDO_DELETE_MS, watchDbEvents } from '../../db';
import { useStudio } from '../../store';
import { Button } from '../components/Button';
import { BulkBar } from './BulkBar';
import { DatasetPicker } from './DatasetPicker';
import { ExampleEditor } from './ExampleEditor';
import { ExampleList } from './ExampleList';
import { filterExamples } from './filtering';
import { HelpPopover } from './HelpPopover';
import { useDatasets, useDuplicates, useExamples } from './hooks';
import { ListToolbar } from './ListToolbar';
import { SectionTools } from './SectionTools';
import { Toasts } from './Toasts';
import { useEditorActions } from './useEditorActions';
import { useShortcuts } from './useShortcuts';
import { Welcome } from './Welcome';

const ACTIVE_KEY = 'studio.dataset.active';

/** The Dataset section: pick a dataset, browse and filter its examples, edit one at a time. */
export function DatasetSection() {
  const datasets = useDatasets();
  const activeId = useStudio((s) => s.activeDatasetId);
  const setActive = useStudio((s) => s.setActiveDataset);
  const setDbNotice = useStudio((s) => s.setDbNotice);
  const dbNotice = useStudio((s) => s.dbNotice);
  const openId = useStudio((s) => s.openExampleId);
  const selection = useStudio((s) => s.selection);
  const filters = useStudio((s) => s.filters);
  const sort = useStudio((s) => s.sort);
  const sortDesc = useStudio((s) => s.sortDesc);
  const [help, setHelp] = useState(false);
  const search = useRef<HTMLDivElement>(null);

  useEffect(() => watchDbEvents(getDb(), setDbNotice), [setDbNotice]);
  useEffect(() => {
    void purgeDeletedDatasets(UNDO_DELETE_MS).catch(() => undefined);
    const flush = () => void useStudio.getState().flushDraft();
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, []);

  const active = datasets?.find((d) => d.id === activeId) ?? null;
  useEffect(() => {
    if (!datasets) return;
    if (activeId && datasets.some((d) => d.id === activeId)) {
      localStorage.setItem(ACTIVE_KEY, activeId);
      return;
    }
    let cancelled = false;
    void (async () => {
      // A dataset created a moment ago may not be in the live list yet; only a missing or deleted one is replaced.
      if (activeId && (await getDataset(activeId).catch(() => undefined))) return;
      if (cancelled) return;
      const stored = localStorage.getItem(ACTIVE_KEY);
      setActive(datasets.find((d) => d.id === stored)?.id ?? datasets[0]?.id ?? null);
    })();
    return () => {
      cancelled = true;
    };
  }, [datasets, activeId, setActive]);

  const examples = useExamples(active?.id ?? null);
  const all = useMemo(() => examples ?? [], [examples]);
  const dups = useDuplicates(examples);
  const byId = useMemo(() => new Map(all.map((e, i) => [e.id, i])), [all]);
  const visible = useMemo(() => filterExamples(all, filters, sort, sortDesc, dups.groupOf), [all, filters, sort, sortDesc, dups.groupOf]);
  const tags = useMemo(() => [...new Set(all.flatMap((e) => e.tags))].sort(), [all]);
  const kinds = useMemo(() => new Set(all.map((e) => e.body.kind)), [all]);
  const selected = useMemo(() => new Set(selection), [selection]);
  const actions = useEditorActions(active?.id ?? null, visible, all, byId);

  const draft = useStudio((s) => s.draft);
  const openIndex = openId ? byId.get(openId) : undefined;
  // Right after "new"/"duplicate" the row is not in the live list yet: the draft's stored row stands in.
  const openExample = openIndex !== undefined ? all[openIndex] : draft && draft.id === openId ? draft.base : null;
  const seenOpen = useRef<string | null>(null);
  // Open the first example when nothing is open, or when the open one vanished (deleted here or in another tab).
  useEffect(() => {
    if (!examples) return;
    if (openIndex !== undefined) {
      seenOpen.current = openId;
      return;
    }
    if (openId && seenOpen.current !== openId) return; // just created; the live list catches up
    const st = useStudio.getState();
    if (st.saveState === 'dirty' || st.saveState === 'saving') return;
    void st.openExample(visible[0] ?? null);
    st.setSelection(visible[0] ? [visible[0].id] : [], visible[0]?.id ?? null);
  }, [examples, openIndex, visible, openId]);

  useShortcuts({
    next: () => actions.step(1),
    prev: () => actions.step(-1),
    moveDown: () => void actions.move(1),
    moveUp: () => void actions.move(-1),
    newExample: () => void actions.newExample(),
    save: () => void useStudio.getState().flushDraft(),
    undo: () => void useStudio.getState().undo(),
    duplicate: () => void actions.duplicate(),
    search: () => search.current?.querySelector('input')?.focus(),
    selectAll: () => useStudio.getState().setSelection(visible.map((e) => e.id)),
    deleteSelected: () => void actions.remove(selection.length ? selection : openId ? [openId] : []),
    clearSelection: () => useStudio.getState().setSelection(openId ? [openId] : []),
    help: () => setHelp((h) => !h),
  });

  const dupInfo = useMemo(() => {
    const g = openId ? dups.groupOf.get(openId) : undefined;
    if (g === undefined || !dups.groups[g]) return undefined;
    const group = dups.groups[g];
    return { group, others: group.ids.filter((id) => id !== openId && byId.has(id)).map((id) => ({ id, position: byId.get(id)! })) };
  }, [openId, dups, byId]);

  const bulk = selection.length > 1 || (selection.length === 1 && selection[0] !== openId);
  const allVisibleSelected = visible.length > 0 && visible.every((e) => selected.has(e.id));

  return (
    <section className="ds" aria-labelledby="dataset-title" data-testid="dataset-section">
      <header className="ds-head">
        <div>
          <h2 id="dataset-title">Dataset</h2>
          <p className="ds-muted">Write and curate the examples your adapter learns from. Everything stays in this browser.</p>
        </div>
        <div className="ds-head__tools">
          <SectionTools dataset={active} examples={all} shown={visible} />
          <HelpPopover open={help} onOpenChange={setHelp} />
        </div>
      </header>
      {dbNotice && (
        <div className="ds-error ds-error--banner" role="alert" data-testid="db-notice">
          {dbNotice}
        </div>
      )}
      {datasets === undefined ? (
        <p className="ds-muted" role="status">Opening your datasets…</p>
      ) : datasets.length === 0 ? (
        <Welcome />
      ) : (
        <>
          <DatasetPicker datasets={datasets} active={active} count={all.length} />
          <div className="ds-main">
            <div className="ds-listpane" ref={search}>
              <ListToolbar tags={tags} shown={visible.length} total={all.length} duplicates={dups.groupOf.size} checkingDuplicates={dups.checking} />
              <div className="ds-listpane__actions">
                <label className="ds-check">
                  <input
                    type="checkbox"
                    data-testid="select-all"
                    checked={allVisibleSelected}
                    onChange={() => useStudio.getState().setSelection(allVisibleSelected ? [] : visible.map((e) => e.id))}
                  />
                  Select all shown
                </label>
                <span className="ds-spacer" />
                <span className="ds-muted">New:</span>
                <Button size="sm" onClick={() => void actions.newExample('pair')} data-testid="new-pair" disabled={!active}>Pair</Button>
                <Button size="sm" onClick={() => void actions.newExample('chat')} data-testid="new-chat" disabled={!active}>Chat</Button>
                <Button size="sm" onClick={() => void actions.newExample('text')} data-testid="new-text" disabled={!active}>Text</Button>
              </div>
              {bulk && <BulkBar selected={selection} allTags={tags} onDeleted={(ids) => ids.includes(openId ?? '') && void useStudio.getState().openExample(null)} />}
              {examples === undefined ? (
                <div className="ds-list ds-list--empty"><p className="ds-muted">Loading…</p></div>
              ) : all.length === 0 ? (
                <div className="ds-list ds-list--empty" data-testid="example-list">
                  <p>This dataset is empty.</p>
                  <p className="ds-muted">Add an example with the buttons above (or press <kbd>n</kbd>), or import a file.</p>
                </div>
              ) : (
                <ExampleList visible={visible} openId={openId} selection={selected} groupOf={dups.groupOf} groups={dups.groups} onRowClick={actions.rowClick} onToggle={actions.toggle} />
              )}
            </div>
            <div className="ds-editpane">
              {openExample && active ? (
                <ExampleEditor
                  example={openExample}
                  position={openIndex ?? all.length}
                  total={Math.max(all.length, (openIndex ?? all.length) + 1)}
                  systemPrompt={active.systemPrompt}
                  knownTags={tags}
                  kinds={kinds}
                  duplicate={dupInfo}
                  onOpen={actions.openById}
                  onDuplicate={() => void actions.duplicate()}
                  onDelete={() => void actions.remove([openExample.id])}
                  onMove={(d) => void actions.move(d)}
                />
              ) : (
                <div className="ds-editor ds-editor--empty">
                  <p className="ds-muted">{active ? 'No example open. Pick one on the left or add a new one.' : 'Create or pick a dataset to start.'}</p>
                </div>
              )}
            </div>
          </div>
        </>
      )}
      <Toasts />
    </section>
  );
}
