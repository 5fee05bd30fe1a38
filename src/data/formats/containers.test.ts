import { describe, expect, it } from 'vitest';
import { CsvReader, writeCsv } from './csv.ts';
import { detectFormat, parseDataset, suggestMapping } from './index.ts';

function readAll(text: string) {
  const r = new CsvReader();
  const out = text.split('\n').flatMap((l, i) => r.push(l, i + 1) ?? []);
  const last = r.end();
  return last ? [...out, last] : out;
}

describe('CSV (RFC 4180)', () => {
  it('handles quoted commas, doubled quotes, embedded newlines and CRLF, numbering records by their first line', () => {
    const text = 'instruction,output\r\n"Say ""hi"", politely",Hi.\r\n"two\r\nlines",ok\r\nplain,"multi\nline\nanswer"\r\nlast,row';
    const recs = readAll(text);
    expect(recs.map((r) => [r.line, r.fields])).toEqual([
      [1, ['instruction', 'output']],
      [2, ['Say "hi", politely', 'Hi.']],
      [3, ['two\r\nlines', 'ok']],
      [5, ['plain', 'multi\nline\nanswer']],
      [8, ['last', 'row']],
    ]);
    const r = parseDataset(text, { filename: 'x.csv' });
    expect(r.container).toBe('csv');
    expect(r.format).toBe('alpaca');
    expect(r.rows.map((x) => x.line)).toEqual([2, 3, 5, 8]);
    expect(r.rows[1].body).toMatchObject({ instruction: 'two\r\nlines' });
  });

  it('reports field-count mismatches, text after a closing quote and an unterminated quote, and keeps going', () => {
    const text = 'instruction,output\nok,fine\nonly one field\n"quoted"x,y\ngood,row\n"never closed,z\nmore';
    const r = parseDataset(text, { container: 'csv', format: 'alpaca' });
    expect(r.rows.map((x) => x.line)).toEqual([2, 5]);
    expect(r.errors.map((e) => `${e.line}: ${e.reason}`)).toEqual([
      '3: expected 2 fields (instruction, output), found 1',
      '4: unexpected text after a closing quote in field 1',
      '6: unterminated quoted field: the file ends inside quotes',
    ]);
    expect(r.errors[2].raw).toBe('"never closed,z\nmore');
  });

  it('skips blank lines, strips a BOM, renames duplicate columns with a warning', () => {
    const r = parseDataset('\uFEFFtext,text\n\nhello,again\n', { container: 'csv' });
    expect(r.columns).toEqual(['text', 'text_2']);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ line: 3, body: { kind: 'text', text: 'hello' }, extra: { text_2: 'again' } });
    expect(r.errors[0]).toMatchObject({ line: 1, reason: expect.stringContaining('duplicate column names (text)') });
  });

  it('writes what it reads', () => {
    const rows = [
      ['a,b', 'say "x"'],
      ['line\nbreak', 'crlf\r\nbreak'],
      ['', 'plain'],
    ];
    const text = writeCsv(['c1', 'c2'], rows);
    expect(text.startsWith('c1,c2\r\n"a,b","say ""x"""\r\n')).toBe(true);
    expect(readAll(text.replace(/\r\n$/, '')).map((r) => r.fields)).toEqual([['c1', 'c2'], ...rows]);
  });
});

describe('JSON container', () => {
  it('reads an array, or a data/rows array inside an object, with each row at its own line', () => {
    const arr = '[\n  {"text": "a"},\n  {"text":\n     "b"}\n]';
    expect(parseDataset(arr).rows.map((r) => [r.line, r.body])).toEqual([
      [2, { kind: 'text', text: 'a' }],
      [3, { kind: 'text', text: 'b' }],
    ]);
    const wrapped = '{"version": 2, "meta": {"x": [1, "]"]},\n "rows": [\n {"text": "c"}\n]}';
    expect(parseDataset(wrapped).rows.map((r) => [r.line, r.body])).toEqual([[3, { kind: 'text', text: 'c' }]]);
    expect(parseDataset('{"data": []}').rows).toEqual([]);
  });

  it('a broken row does not take the others down', () => {
    const text = '[\n {"text": "ok"},\n {"text": "bad" "x": 1},\n {"text": "fine"}\n {"text": "no comma before me"},\n {"text": tru}\n]';
    const r = parseDataset(text);
    expect(r.rows.map((x) => x.line)).toEqual([2, 4, 5]);
    expect(r.errors.map((e) => [e.line, e.reason.split(':')[0]])).toEqual([
      [3, 'invalid JSON'],
      [5, 'missing "," between rows (found "{")'],
      [6, 'invalid JSON'],
    ]);
  });

  it('explains a file that is not a list of rows, or ends early', () => {
    expect(parseDataset('{"version": 1, "items": []}', { container: 'json' }).errors[0].reason).toBe(
      'expected a JSON array of rows, or an object with a "data" or "rows" array (found an object with keys: version, items)',
    );
    const early = parseDataset('[{"text": "a"},\n{"text": "b"', { container: 'json' });
    expect(early.rows).toHaveLength(1);
    expect(early.errors[0]).toMatchObject({ line: 2, reason: 'the file ends inside this row (unterminated string, object or list)' });
  });
});

describe('detectFormat', () => {
  const line = (o: unknown) => JSON.stringify(o);
  it.each([
    ['alpaca', line({ instruction: 'a', input: '', output: 'b' })],
    ['sharegpt', line({ conversations: [] })],
    ['openai', line({ messages: [] })],
    ['trl-prompt-completion', line({ prompt: 'a', completion: 'b' })],
    ['trl-conversational', line({ prompt: [], completion: [] })],
    ['dolly', line({ instruction: 'a', context: '', response: 'b', category: 'qa' })],
    ['text', line({ text: 'a' })],
  ])('recognises %s in JSONL, JSON and CSV', (format, row) => {
    const two = `${row}\n${row}\n`;
    expect(detectFormat(two, 'd.jsonl')).toMatchObject({ format, container: 'jsonl', confidence: 1 });
    expect(detectFormat(`[${row}]`)).toMatchObject({ format, container: 'json', confidence: 1 });
    expect(detectFormat(two, 'mislabelled.json')).toMatchObject({ format, container: 'jsonl' });
    const obj = JSON.parse(row) as Record<string, unknown>;
    const csv = writeCsv(Object.keys(obj), [Object.values(obj).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))]);
    expect(detectFormat(csv, 'd.csv')).toMatchObject({ format, container: 'csv', columns: Object.keys(obj) });
  });

  it('falls back to columns with a low confidence and reports the columns', () => {
    const d = detectFormat('{"q": "a", "a": "b"}\n{"q": "c", "a": "d", "z": 1}\n');
    expect(d).toEqual({ format: 'columns', container: 'jsonl', confidence: 0.3, columns: ['q', 'a', 'z'] });
    expect(detectFormat('')).toMatchObject({ format: 'columns', confidence: 0 });
  });

  it('confidence is the share of sampled rows with the winning shape', () => {
    const d = detectFormat(['{"text": "a"}', '{"text": "b"}', '{"text": "c"}', '{"other": 1}'].join('\n'));
    expect(d).toMatchObject({ format: 'text', confidence: 0.75 });
  });

  it('suggests a mapping from column names', () => {
    expect(suggestMapping(['Question', 'Answer', 'Context', 'split'])).toEqual({ instruction: 'Question', output: 'Answer', input: 'Context', split: 'split' });
    expect(suggestMapping(['document', 'labels'])).toEqual({ text: 'document', tags: 'labels' });
  });
});
