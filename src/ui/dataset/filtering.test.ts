import { describe, expect, it } from 'vitest';
import type { Example, ExampleBody } from '../../data/types';
import { NO_FILTERS } from '../../store/slices/dataset';
import { filterExamples, queryTerms, rangeBetween } from './filtering';

const ex = (id: string, body: ExampleBody, extra: Partial<Example> = {}): Example => ({
  id, datasetId: 'd', body, tags: [], split: 'train', notes: '', order: Number(id), createdAt: 0, updatedAt: 0, ...extra,
});
const rows = [
  ex('1', { kind: 'pair', instruction: 'Translate to French', input: 'Good morning', output: 'Bonjour' }, { tags: ['translation'], updatedAt: 5 }),
  ex('2', { kind: 'chat', messages: [{ role: 'user', content: 'Hi there' }, { role: 'assistant', content: 'Hello!' }] }, { split: 'validation', updatedAt: 9 }),
  ex('3', { kind: 'text', text: 'A long document '.repeat(30) }, { notes: 'check later', tags: ['generation'], updatedAt: 1 }),
];

describe('example list filtering', () => {
  it('searches all terms across fields, notes and tags, with quoted phrases', () => {
    expect(queryTerms('a "b c"  d')).toEqual(['a', 'b c', 'd']);
    expect(filterExamples(rows, { ...NO_FILTERS, query: 'bonjour' }, 'order', false).map((e) => e.id)).toEqual(['1']);
    expect(filterExamples(rows, { ...NO_FILTERS, query: 'CHECK generation' }, 'order', false).map((e) => e.id)).toEqual(['3']);
    expect(filterExamples(rows, { ...NO_FILTERS, query: '"morning bonjour"' }, 'order', false)).toHaveLength(0);
  });

  it('filters by split, kind, tag (or untagged), length bucket and duplicates', () => {
    const ids = (f: Partial<typeof NO_FILTERS>) => filterExamples(rows, { ...NO_FILTERS, ...f }, 'order', false).map((e) => e.id);
    expect(ids({ split: 'validation' })).toEqual(['2']);
    expect(ids({ kind: 'text' })).toEqual(['3']);
    expect(ids({ tag: 'translation' })).toEqual(['1']);
    expect(ids({ tag: '' })).toEqual(['2']);
    expect(ids({ length: 'c2' })).toEqual(['3']);
    expect(filterExamples(rows, { ...NO_FILTERS, duplicatesOnly: true }, 'order', false, new Map([['2', 0]])).map((e) => e.id)).toEqual(['2']);
  });

  it('sorts by updated time and length, either direction; shift ranges follow the visible order', () => {
    expect(filterExamples(rows, NO_FILTERS, 'updated', true).map((e) => e.id)).toEqual(['2', '1', '3']);
    expect(filterExamples(rows, NO_FILTERS, 'length', false).map((e) => e.id)).toEqual(['2', '1', '3']);
    expect(rangeBetween(rows, '3', '1')).toEqual(['1', '2', '3']);
    expect(rangeBetween(rows, null, '2')).toEqual(['2']);
  });
});
