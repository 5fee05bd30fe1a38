import { describe, expect, it } from 'vitest';
import { expandFlan, FLAN_TEMPLATES, FlanSpecError, templatesOf } from './flan';
import { readColumnar } from './columns';

const CSV = 'text,label\n"Great film, loved it",positive\nBoring and long,negative\n,positive\nFine,\n';

describe('readColumnar', () => {
  it('reads CSV with quoted commas and keeps empty cells as empty strings', () => {
    const t = readColumnar(CSV, 'reviews.csv');
    expect(t.columns).toEqual(['text', 'label']);
    expect(t.rows).toEqual([
      { text: 'Great film, loved it', label: 'positive' },
      { text: 'Boring and long', label: 'negative' },
      { text: '', label: 'positive' },
      { text: 'Fine', label: '' },
    ]);
  });
  it('reads JSON and JSONL, stringifying non-string values, and reports bad lines', () => {
    expect(readColumnar('[{"q":"2+2?","a":4}]').rows).toEqual([{ q: '2+2?', a: '4' }]);
    const t = readColumnar('{"q":"a","a":"b"}\n{oops\n', 'x.jsonl');
    expect(t.rows).toHaveLength(1);
    expect(t.problems).toHaveLength(1);
    expect(t.problems[0].line).toBe(2);
  });
});

describe('expandFlan', () => {
  const rows = readColumnar(CSV, 'r.csv').rows;
  const spec = { kind: 'classification' as const, inputColumn: 'text', outputColumn: 'label' };
  it('fills the classification template with the distinct labels, and skips rows without input or output', () => {
    const r = expandFlan(rows, spec, { seed: 1, perRow: 1, templateIds: ['cls-categories'] });
    expect(r.options).toEqual(['positive', 'negative']);
    expect(r.skipped).toEqual({ missingInput: 1, missingOutput: 1 });
    expect(r.pairs).toEqual([
      { row: 0, templateId: 'cls-categories', tag: 'flan:cls-categories', body: { kind: 'pair', instruction: 'Classify the following text into one of these categories: positive, negative.', input: 'Great film, loved it', output: 'positive' } },
      { row: 1, templateId: 'cls-categories', tag: 'flan:cls-categories', body: { kind: 'pair', instruction: 'Classify the following text into one of these categories: positive, negative.', input: 'Boring and long', output: 'negative' } },
    ]);
  });
  it('gives each row distinct templates, reproducibly per seed, and the preview matches the full run', () => {
    const all = expandFlan(rows, spec, { seed: 7, perRow: 3 });
    expect(all.pairs).toHaveLength(6);
    for (const row of [0, 1]) expect(new Set(all.pairs.filter((p) => p.row === row).map((p) => p.templateId)).size).toBe(3);
    expect(expandFlan(rows, spec, { seed: 7, perRow: 3 })).toEqual(all);
    expect(expandFlan(rows, spec, { seed: 7, perRow: 3, limit: 1 }).pairs).toEqual(all.pairs.filter((p) => p.row === 0));
    // Another seed picks differently for at least one of 40 rows.
    const many = Array.from({ length: 40 }, (_, i) => ({ text: `t${i}`, label: 'x' }));
    const a = expandFlan(many, spec, { seed: 1, perRow: 1 }).pairs.map((p) => p.templateId);
    const b = expandFlan(many, spec, { seed: 2, perRow: 1 }).pairs.map((p) => p.templateId);
    expect(a).not.toEqual(b);
    expect(new Set(a).size).toBe(templatesOf('classification').length); // every phrasing gets used
  });
  it('caps perRow at the number of templates', () => {
    expect(expandFlan(rows.slice(0, 1), spec, { seed: 1, perRow: 99 }).pairs).toHaveLength(templatesOf('classification').length);
  });
  it('uses context templates only for rows with a context', () => {
    const qa = [{ q: 'Who wrote it?', a: 'Ann', c: 'Ann wrote the book.' }, { q: 'What is 2+2?', a: '4', c: '' }];
    const r = expandFlan(qa, { kind: 'qa', inputColumn: 'q', outputColumn: 'a', contextColumn: 'c' }, { seed: 3, perRow: 5 });
    expect(r.pairs.filter((p) => p.row === 0)).toHaveLength(5);
    const noCtx = r.pairs.filter((p) => p.row === 1);
    expect(noCtx.map((p) => p.templateId).sort()).toEqual(['qa-answer', 'qa-plain']);
    const passage = r.pairs.find((p) => p.templateId === 'qa-passage')!;
    expect(passage.body).toEqual({ kind: 'pair', instruction: 'Answer the question using the passage.', input: 'Passage: Ann wrote the book.\n\nQuestion: Who wrote it?', output: 'Ann' });
  });
  it('translation and generic tasks fill their slots, and bad specs are refused with a reason', () => {
    const tr = expandFlan([{ en: 'Hello', fr: 'Bonjour' }], { kind: 'translation', inputColumn: 'en', outputColumn: 'fr', source: 'English', target: 'French' }, { seed: 1, perRow: 1, templateIds: ['tr-inline'] });
    expect(tr.pairs[0].body).toEqual({ kind: 'pair', instruction: 'Translate into French: Hello', input: '', output: 'Bonjour' });
    const gen = expandFlan([{ a: 'teh cat', b: 'the cat' }], { kind: 'generic', inputColumn: 'a', outputColumn: 'b', task: 'Fix the spelling.' }, { seed: 1, perRow: 1, templateIds: ['gen-labeled'] });
    expect(gen.pairs[0].body).toMatchObject({ instruction: 'Fix the spelling.', input: 'Input: teh cat' });
    expect(() => expandFlan([{ a: 'x', b: 'y' }], { kind: 'generic', inputColumn: 'a', outputColumn: 'b' }, { seed: 1, perRow: 1 })).toThrow(FlanSpecError);
    expect(() => expandFlan([{ a: 'x', b: 'y' }], { kind: 'qa', inputColumn: 'a', outputColumn: 'a' }, { seed: 1, perRow: 1 })).toThrow(/differ/);
    expect(() => expandFlan([{ a: 'x', b: 'y' }], { kind: 'qa', inputColumn: 'a', outputColumn: 'b' }, { seed: 1, perRow: 1, templateIds: [] })).toThrow(/at least one/);
  });
  it('every template id is unique and every kind has several phrasings', () => {
    expect(new Set(FLAN_TEMPLATES.map((t) => t.id)).size).toBe(FLAN_TEMPLATES.length);
    for (const k of ['classification', 'qa', 'summarization', 'translation', 'generic'] as const) expect(templatesOf(k).length).toBeGreaterThanOrEqual(4);
  });
});
