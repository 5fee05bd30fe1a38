import type { MouseEvent } from 'react';
import type { Example, ExampleBody } from '../../data/types';
import { addExample, deleteExamples, duplicateExample, moveExample } from '../../db';
import { useStudio } from '../../store';
import { emptyBody } from './convert';
import { rangeBetween } from './filtering';

function focusFirstField() {
  setTimeout(() => {
    const el = document.querySelector<HTMLTextAreaElement>('[data-testid="editor"] textarea');
    el?.focus();
  }, 30);
}

/**
 * Editor commands shared by buttons and keyboard shortcuts. `visible` is the filtered, sorted list; `all` the dataset
 * in order; `byId` indexes all.
 */
export function useEditorActions(datasetId: string | null, visible: Example[], all: Example[], byId: Map<string, number>) {
  const st = useStudio.getState;
  const open = (ex: Example | undefined | null) => {
    if (!ex) return;
    void st().openExample(ex);
  };
  const openById = (id: string) => {
    const i = byId.get(id);
    if (i !== undefined) {
      open(all[i]);
      st().setSelection([id], id);
    }
  };
  const current = () => {
    const id = st().openExampleId;
    const i = id ? byId.get(id) : undefined;
    return i === undefined ? null : all[i];
  };
  const step = (d: 1 | -1) => {
    const id = st().openExampleId;
    const i = visible.findIndex((e) => e.id === id);
    const next = visible[i < 0 ? 0 : Math.max(0, Math.min(visible.length - 1, i + d))];
    if (next) openById(next.id);
  };
  const openNeighbourOf = (ids: string[]) => {
    const gone = new Set(ids);
    const i = visible.findIndex((e) => e.id === st().openExampleId);
    const after = visible.slice(Math.max(0, i)).find((e) => !gone.has(e.id)) ?? visible.slice(0, Math.max(0, i)).reverse().find((e) => !gone.has(e.id));
    void st().openExample(after ?? null);
    st().setSelection(after ? [after.id] : [], after?.id ?? null);
  };

  const newExample = async (kind?: ExampleBody['kind']) => {
    if (!datasetId) return;
    await st().flushDraft();
    const k = kind ?? current()?.body.kind ?? 'pair';
    const ex = await st().guard(() => addExample(datasetId, { body: emptyBody(k) }, st().openExampleId ?? undefined));
    if (!ex) return;
    st().pushUndo('adding an example', async () => void (await deleteExamples([ex.id])));
    await st().openExample(ex);
    st().setSelection([ex.id], ex.id);
    focusFirstField();
  };

  const duplicate = async () => {
    const ex = current();
    if (!ex) return;
    await st().flushDraft();
    const copy = await st().guard(() => duplicateExample(ex.id));
    if (!copy) return;
    st().pushUndo('duplicating', async () => void (await deleteExamples([copy.id])), 'Duplicated the example.');
    await st().openExample(copy);
    st().setSelection([copy.id], copy.id);
  };

  const remove = async (ids: string[]) => {
    if (ids.length === 0) return;
    await st().flushDraft();
    const rows = await st().guard(() => deleteExamples(ids));
    if (!rows) return;
    if (ids.includes(st().openExampleId ?? '')) openNeighbourOf(ids);
    else st().setSelection([]);
    const n = rows.length;
    st().pushUndo(n === 1 ? 'delete' : `delete of ${n} examples`, () => st().restoreRows(rows), `Deleted ${n === 1 ? 'the example' : `${n} examples`}.`);
  };

  const move = async (d: -1 | 1) => {
    const ex = current();
    if (!ex) return;
    await st().flushDraft();
    const before = await st().guard(() => moveExample(ex.id, byId.get(ex.id)! + d));
    if (before) st().pushUndo('move', () => st().restoreRows([before]));
  };

  const rowClick = (ex: Example, e: MouseEvent) => {
    const s = st();
    if (e.shiftKey) s.setSelection([...new Set([...(e.ctrlKey || e.metaKey ? s.selection : []), ...rangeBetween(visible, s.anchorId ?? s.openExampleId, ex.id)])]);
    else if (e.ctrlKey || e.metaKey) toggle(ex);
    else openById(ex.id);
  };
  const toggle = (ex: Example) => {
    const s = st();
    const sel = s.selection.includes(ex.id) ? s.selection.filter((x) => x !== ex.id) : [...s.selection, ex.id];
    s.setSelection(sel, ex.id);
  };

  return { open, openById, step, newExample, duplicate, remove, move, rowClick, toggle, current };
}
