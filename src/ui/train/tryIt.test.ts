import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { PHRASES, tryItPhrases } from '../../data/starter/phrases';
import { lrAdvice, lrHint } from './lrAdvice';
import { DEFAULT_FORM, formProblems } from './runConfig';
import { checkRows, isTryItForm, latestTryItRun, summarize, TRY_IT_FORM, type CheckRow } from './tryIt';

/** studio-base's parameter count (public/models/studio-base/README.md). */
const BUILTIN_PARAMS = 625_280;

describe('Try it', () => {
  it('uses the learning rate the small-model advice gives, so the form shows no advice', () => {
    expect(lrAdvice(BUILTIN_PARAMS, TRY_IT_FORM.method, 2e-4)?.lr).toBe(TRY_IT_FORM.lr);
    expect(lrAdvice(BUILTIN_PARAMS, TRY_IT_FORM.method, TRY_IT_FORM.lr)).toBeNull();
    // The field's hint says the same rate for a model this small, the usual range for large ones.
    expect(lrHint(BUILTIN_PARAMS, 'lora')).toContain('1e-2');
    expect(lrHint(BUILTIN_PARAMS, 'full')).toContain('3e-3');
    expect(lrHint(134_515_008, 'lora')).toBe('LoRA: 1e-4 – 1e-3');
  });

  it('is a valid form, recognised as the Try-it one only for its dataset and settings', () => {
    const form = { ...DEFAULT_FORM, ...TRY_IT_FORM, datasetId: 'ds' };
    expect(formProblems(form, null, true)).toEqual([]);
    expect(isTryItForm(form, 'ds')).toBe(true);
    expect(isTryItForm(form, 'other')).toBe(false);
    expect(isTryItForm({ ...form, lr: 2e-4 }, 'ds')).toBe(false);
    expect(isTryItForm(form, null)).toBe(false);
  });

  it('asks the questions of a run as training rendered them, and scores exact matches by split', () => {
    const rows = checkRows({ examples: tryItPhrases.examples.map((e) => ({ body: e.body, split: e.split ?? 'train' })) });
    expect(rows).toHaveLength(PHRASES.length);
    expect(rows[0]).toEqual({ question: `Finish the phrase: ${PHRASES[0].start}`, expected: ` ${PHRASES[0].next}`, split: PHRASES[0].split });
    const done: CheckRow[] = [
      { question: 'a', expected: ' to', split: 'train', tuned: { text: 'to', reason: 'eos' } },
      { question: 'b', expected: ' of', split: 'train', tuned: { text: 'to', reason: 'eos' } },
      { question: 'c', expected: ' to', split: 'train', tuned: { text: 'to', reason: 'eos' } },
      { question: 'd', expected: ' the', split: 'validation', base: { text: 'the same time', reason: 'max-tokens' }, tuned: { text: 'the', reason: 'eos' } },
      { question: 'e', expected: ' be', split: 'validation', base: { text: 'be', reason: 'max-tokens' }, tuned: { text: 'be', reason: 'eos' } },
      { question: 'f', expected: ' to', split: 'validation' },
    ];
    const s = summarize(done);
    expect(s.trained).toEqual({ n: 3, exact: 2, stopped: 3, rate: 2 / 3 });
    expect(s.heldTuned).toEqual({ n: 2, exact: 2, stopped: 2, rate: 1 });
    expect(s.heldBase).toEqual({ n: 2, exact: 0, stopped: 0, rate: 0 });
    expect(s.guess).toEqual({ answer: 'to', rate: 1 / 3 });
  });

  it('checks the newest finished run with an adapter on the Try-it dataset', () => {
    const adapter = { configText: '', weights: new Uint8Array() };
    const runs = [
      { id: 'a', datasetId: 'ds', status: 'finished' as const, adapter, createdAt: 1 },
      { id: 'b', datasetId: 'ds', status: 'finished' as const, adapter, createdAt: 3 },
      { id: 'c', datasetId: 'ds', status: 'stopped' as const, adapter, createdAt: 4 },
      { id: 'd', datasetId: 'other', status: 'finished' as const, adapter, createdAt: 5 },
    ];
    expect(latestTryItRun(runs, 'ds')?.id).toBe('b');
    expect(latestTryItRun(runs, null)).toBeNull();
    expect(latestTryItRun(undefined, 'ds')).toBeNull();
  });
});
