import type { StateCreator } from 'zustand';
import type { StudioState } from '../index';
import type { Example, ExampleBody, MaskMode, Split } from '../../data/types';
import type { StudioTokenizer } from '../../text/tokenizer';
import { describeDbError, restoreExamples, updateExample, type ExamplePatch } from '../../db';

/**
 * UI state of the Dataset section. Persistent data lives in IndexedDB (src/db); this slice holds what is being
 * looked at, the editor's draft (autosaved after AUTOSAVE_MS of quiet), and the undo stack of edits and deletes.
 */

export type KindFilter = ExampleBody['kind'] | 'all';
export type SortKey = 'order' | 'updated' | 'length';

export interface DatasetFilters {
  query: string;
  tag: string | null;
  split: Split | 'all';
  kind: KindFilter;
  /** A CHAR_BUCKETS id, or null for any length. */
  length: string | null;
  duplicatesOnly: boolean;
}

export const NO_FILTERS: DatasetFilters = { query: '', tag: null, split: 'all', kind: 'all', length: null, duplicatesOnly: false };

export interface UndoEntry {
  id: number;
  label: string;
  undo: () => Promise<void>;
}

export interface Draft {
  id: string;
  body: ExampleBody;
  tags: string[];
  split: Split;
  notes: string;
  /** The stored row this draft started from (or was last saved as). */
  base: Example;
  /** Bumped on every local change, so a save that raced with typing knows it is stale. */
  version: number;
}

export type SaveState = 'idle' | 'dirty' | 'saving' | 'saved' | 'error';

export interface Toast {
  id: number;
  message: string;
  tone: 'info' | 'error';
  /** The undo entry this toast can revert. */
  undoId?: number;
}

export interface DatasetSlice {
  activeDatasetId: string | null;
  openExampleId: string | null;
  selection: string[];
  anchorId: string | null;
  filters: DatasetFilters;
  sort: SortKey;
  sortDesc: boolean;
  draft: Draft | null;
  saveState: SaveState;
  saveError: string | null;
  undoStack: UndoEntry[];
  toasts: Toast[];
  dbNotice: string | null;
  /**
   * A stand-in tokenizer for the token view while no model is loaded (the bundled sample). The loaded model's
   * tokenizer (ModelSlice.tokenizer) always takes precedence.
   */
  previewTokenizer: StudioTokenizer | null;
  previewTokenizerName: string | null;
  /** Token-view overrides of the Train settings; null = show what the Train settings would train. */
  labelMode: MaskMode | null;
  labelTrainEos: boolean | null;

  setPreviewTokenizer: (tokenizer: StudioTokenizer | null, name?: string | null) => void;
  setLabelOptions: (opts: { labelMode?: MaskMode | null; labelTrainEos?: boolean | null }) => void;
  setActiveDataset: (id: string | null) => void;
  setFilters: (patch: Partial<DatasetFilters>) => void;
  setSort: (sort: SortKey, desc?: boolean) => void;
  setSelection: (ids: string[], anchorId?: string | null) => void;
  /** Opens an example in the editor (saving the current draft first). */
  openExample: (example: Example | null) => Promise<void>;
  /** Replaces the draft with a stored row (after undo, or a change made in another tab). */
  loadDraft: (example: Example) => void;
  editDraft: (patch: ExamplePatch) => void;
  flushDraft: () => Promise<void>;
  pushUndo: (label: string, undo: () => Promise<void>, toast?: string) => void;
  undo: (entryId?: number) => Promise<void>;
  toast: (message: string, tone?: Toast['tone']) => void;
  dismissToast: (id: number) => void;
  setDbNotice: (notice: string | null) => void;
  /** Puts rows back (undo); when the open example is among them the editor reloads it. */
  restoreRows: (rows: Example[]) => Promise<void>;
  /** Runs a storage action; failures become an error toast with a clear message. */
  guard: <T>(action: () => Promise<T>) => Promise<T | undefined>;
}

export const AUTOSAVE_MS = 600;
const UNDO_LIMIT = 100;
let timer: ReturnType<typeof setTimeout> | null = null;
let seq = 1;
let saving: Promise<void> | null = null;

export const createDatasetSlice: StateCreator<StudioState, [], [], DatasetSlice> = (set, get) => ({
  activeDatasetId: null,
  openExampleId: null,
  selection: [],
  anchorId: null,
  filters: NO_FILTERS,
  sort: 'order',
  sortDesc: false,
  draft: null,
  saveState: 'idle',
  saveError: null,
  undoStack: [],
  toasts: [],
  dbNotice: null,
  previewTokenizer: null,
  previewTokenizerName: null,
  labelMode: null,
  labelTrainEos: null,

  setPreviewTokenizer: (previewTokenizer, name = null) => set({ previewTokenizer, previewTokenizerName: previewTokenizer ? name : null }),
  setLabelOptions: (opts) => set(opts),
  setActiveDataset: (id) => {
    if (id === get().activeDatasetId) return;
    void get().flushDraft();
    set({ activeDatasetId: id, openExampleId: null, draft: null, selection: [], anchorId: null, filters: NO_FILTERS, saveState: 'idle' });
  },
  setFilters: (patch) => set({ filters: { ...get().filters, ...patch } }),
  setSort: (sort, desc) => set({ sort, sortDesc: desc ?? get().sortDesc }),
  setSelection: (ids, anchorId) => set({ selection: ids, ...(anchorId !== undefined ? { anchorId } : {}) }),

  openExample: async (example) => {
    if (example?.id === get().openExampleId && get().draft) return;
    await get().flushDraft();
    if (!example) return set({ openExampleId: null, draft: null, saveState: 'idle' });
    set({ openExampleId: example.id, saveState: 'idle', saveError: null });
    get().loadDraft(example);
  },

  loadDraft: (ex) => {
    if (get().openExampleId !== ex.id) return;
    set({
      draft: { id: ex.id, body: ex.body, tags: ex.tags, split: ex.split, notes: ex.notes, base: ex, version: 0 },
      saveState: get().saveState === 'error' ? 'error' : get().saveState === 'saved' ? 'saved' : 'idle',
    });
  },

  editDraft: (patch) => {
    const d = get().draft;
    if (!d) return;
    set({ draft: { ...d, ...patch, version: d.version + 1 }, saveState: 'dirty', saveError: null });
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void get().flushDraft(), AUTOSAVE_MS);
  },

  flushDraft: async () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (saving) await saving;
    const d = get().draft;
    if (!d || get().saveState !== 'dirty') return;
    set({ saveState: 'saving' });
    saving = (async () => {
      try {
        const [before, after] = await updateExample(d.id, { body: d.body, tags: d.tags, split: d.split, notes: d.notes });
        const now = get().draft;
        if (now?.id === d.id) {
          const same = now.version === d.version;
          set({ draft: { ...now, base: after, ...(same ? { tags: after.tags } : {}) }, saveState: same ? 'saved' : 'dirty' });
        } else if (get().saveState === 'saving') set({ saveState: 'idle' }); // the editor moved on meanwhile
        get().pushUndo('edit', () => get().restoreRows([before]));
      } catch (e) {
        if (get().draft?.id === d.id) set({ saveState: 'error', saveError: describeDbError(e) });
        else {
          set({ saveState: 'idle' });
          get().toast(`An edit could not be saved: ${describeDbError(e)}`, 'error');
        }
      }
    })();
    await saving;
    saving = null;
    if (get().saveState === 'dirty') {
      timer = setTimeout(() => void get().flushDraft(), AUTOSAVE_MS);
    }
  },

  pushUndo: (label, undo, toastMessage) => {
    const entry: UndoEntry = { id: seq++, label, undo };
    set({ undoStack: [...get().undoStack, entry].slice(-UNDO_LIMIT) });
    if (toastMessage) set({ toasts: [...get().toasts, { id: seq++, message: toastMessage, tone: 'info', undoId: entry.id }] });
  },

  undo: async (entryId) => {
    await get().flushDraft();
    const stack = get().undoStack;
    const entry = entryId === undefined ? stack[stack.length - 1] : stack.find((e) => e.id === entryId);
    if (!entry) return;
    set({ undoStack: stack.filter((e) => e !== entry), toasts: get().toasts.filter((t) => t.undoId !== entry.id) });
    try {
      await entry.undo();
      get().toast(`Undid ${entry.label}.`);
    } catch (e) {
      get().toast(describeDbError(e), 'error');
    }
  },

  toast: (message, tone = 'info') => set({ toasts: [...get().toasts, { id: seq++, message, tone }].slice(-4) }),
  dismissToast: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
  setDbNotice: (dbNotice) => set({ dbNotice }),
  restoreRows: async (rows) => {
    const written = await restoreExamples(rows);
    const d = get().draft;
    const row = written.find((r) => r.id === d?.id);
    if (row) get().loadDraft(row);
  },
  guard: async (action) => {
    try {
      return await action();
    } catch (e) {
      get().toast(describeDbError(e), 'error');
      return undefined;
    }
  },
});

