import { describe, expect, it } from 'vitest';
import { evalItem } from './items';
import { scoreOutput } from './metrics';
import { CSV_HEADER, csvField, metricsMarkdown, resultsCsv, type ReportModel } from './report';

describe('evalItem', () => {
  it('a pair: system (its own, else the dataset default, "" = none) and user text; the output is the reference', () => {
    const it1 = evalItem({ id: 'a', body: { kind: 'pair', instruction: 'Add', input: '2 and 2', output: '4' }, tags: ['math'] }, 'Be brief.');
    expect(it1.prompt).toEqual({ kind: 'chat', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Add\n\n2 and 2' }] });
    expect(it1).toMatchObject({ promptText: 'Add\n\n2 and 2', reference: '4', tags: ['math'] });
    const none = evalItem({ id: 'b', body: { kind: 'pair', instruction: 'Hi', input: '', output: 'Hello', system: '' } }, 'Be brief.');
    expect(none.prompt).toEqual({ kind: 'chat', messages: [{ role: 'user', content: 'Hi' }] });
  });

  it('a chat: the turns before the last assistant turn; without one there is no reference', () => {
    const body = { kind: 'chat' as const, messages: [
      { role: 'user' as const, content: 'Hi' }, { role: 'assistant' as const, content: 'Hello' },
      { role: 'user' as const, content: 'Capital of France?' }, { role: 'assistant' as const, content: 'Paris.', weight: 1 as const },
    ] };
    const item = evalItem({ id: 'c', body });
    expect(item.prompt).toEqual({ kind: 'chat', messages: body.messages.slice(0, 3) });
    expect(item).toMatchObject({ promptText: 'Capital of France?', reference: 'Paris.' });
    expect(evalItem({ id: 'd', body: { kind: 'chat', messages: [{ role: 'user', content: 'Hi' }] } }).reference).toBeNull();
  });

  it('text: the first half of the words is the prompt, the rest the reference', () => {
    const item = evalItem({ id: 'e', body: { kind: 'text', text: 'one two three four five' } });
    expect(item.prompt).toEqual({ kind: 'text', text: 'one two three' });
    expect(item.reference).toBe(' four five');
    expect(evalItem({ id: 'f', body: { kind: 'text', text: 'alone' } }).reference).toBeNull();
  });
});

const row = (exampleId: string, output: string, reference: string | null, tags: string[] = []) => ({
  exampleId, tags, prompt: `q ${exampleId}`, reference, output, reason: 'eos', scores: scoreOutput(output, reference),
});

const models: ReportModel[] = [
  { key: 'base', label: 'Base', rows: [row('1', 'Paris', 'Paris', ['geo']), row('2', 'no', 'Rome', ['geo']), row('3', 'x', null)] },
  { key: 'run', label: 'Tuned', rows: [row('1', 'Paris', 'Paris', ['geo']), row('2', 'Rome', 'Rome', ['geo']), row('3', 'y', null)].map((r, i) => ({ ...r, rating: i === 0 ? 5 : null })) },
];

describe('report', () => {
  it('Markdown: each metric per model with the difference from the first; n when some rows have no reference; per tag', () => {
    const md = metricsMarkdown(models, 'Eval');
    expect(md).toContain('# Eval');
    expect(md).toContain('| Metric | Base | Tuned | Δ vs Base |');
    expect(md).toContain('| Exact match | 50.0% (n=2) | 100.0% (n=2) | +50.0 pts |');
    expect(md).toContain('| Examples | 3 | 3 |  |');
    expect(md).toContain('| Human | n/a | 5.00 |');
    expect(md).toContain('## Tag: geo');
    expect(md.split('## Tag: geo')[1]).toContain('| Exact match | 50.0% | 100.0% | +50.0 pts |');
    expect(metricsMarkdown([], 'Eval')).toContain('No examples were evaluated.');
  });

  it('CSV: a header and one line per answer; empty cells for n/a; RFC 4180 quoting', () => {
    const lines = resultsCsv(models).trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_HEADER.join(','));
    expect(lines).toHaveLength(7);
    expect(lines[1]).toBe('1,Base,geo,q 1,Paris,Paris,eos,1,1,1,1,,');
    expect(lines[3]).toBe('3,Base,,q 3,,x,eos,,,,,,');
    expect(lines[4].endsWith(',5,')).toBe(true);
    expect(csvField('a,"b"\nc')).toBe('"a,""b""\nc"');
  });
});
