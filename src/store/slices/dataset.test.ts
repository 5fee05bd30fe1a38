import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { addExample, createDataset, getExample } from '../../db';
import { freshDb } from '../../db/testDb';
import { useStudio } from '../index';
import { AUTOSAVE_MS } from './dataset';

const pair = (instruction: string) => ({ kind: 'pair' as const, instruction, input: '', output: 'out' });

beforeEach(() => {
  freshDb();
  useStudio.setState({ draft: null, openExampleId: null, undoStack: [], toasts: [], saveState: 'idle' });
});

describe('dataset slice: draft, autosave, undo', () => {
  it('autosaves after a quiet period, and undo restores the previous text in the store and the editor', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const ds = await createDataset({ name: 'D' });
      const ex = await addExample(ds.id, { body: pair('first') });
      const st = useStudio.getState;
      await st().openExample(ex);
      st().editDraft({ body: pair('second') });
      expect(st().saveState).toBe('dirty');
      expect((await getExample(ex.id))!.body).toEqual(pair('first'));
      vi.advanceTimersByTime(AUTOSAVE_MS + 10);
      vi.useRealTimers();
      await vi.waitFor(() => expect(st().saveState).toBe('saved'));
      expect((await getExample(ex.id))!.body).toEqual(pair('second'));
      expect(st().undoStack).toHaveLength(1);

      await st().undo();
      expect((await getExample(ex.id))!.body).toEqual(pair('first'));
      expect(st().draft!.body).toEqual(pair('first'));
      expect(st().undoStack).toHaveLength(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('switching examples saves the draft first; a failed save keeps the text and reports why', async () => {
    const ds = await createDataset({ name: 'D' });
    const a = await addExample(ds.id, { body: pair('a') });
    const b = await addExample(ds.id, { body: pair('b') });
    const st = useStudio.getState;
    await st().openExample(a);
    st().editDraft({ notes: 'typed quickly' });
    await st().openExample(b);
    expect((await getExample(a.id))!.notes).toBe('typed quickly');
    expect(st().draft!.id).toBe(b.id);

    // The example disappears underneath the editor: the save fails with a clear message, the draft stays.
    await (await import('../../db')).deleteExamples([b.id]);
    st().editDraft({ notes: 'not lost' });
    await st().flushDraft();
    expect(st().saveState).toBe('error');
    expect(st().saveError).toMatch(/no longer exists/);
    expect(st().draft!.notes).toBe('not lost');
  });

  it('switching datasets right after an edit still saves it and leaves no stale "unsaved" state', async () => {
    const ds = await createDataset({ name: 'D' });
    const other = await createDataset({ name: 'E' });
    const a = await addExample(ds.id, { body: pair('a') });
    const st = useStudio.getState;
    st().setActiveDataset(ds.id);
    await st().openExample(a);
    st().editDraft({ notes: 'last words' });
    st().setActiveDataset(other.id);
    expect(st().draft).toBeNull();
    await st().flushDraft();
    await vi.waitFor(async () => expect((await getExample(a.id))!.notes).toBe('last words'));
    expect(st().saveState).toBe('idle');
  });
});
