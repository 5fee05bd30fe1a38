/**
 * Dataset files as users really have them, at the parser level (the CLI and the browser import share this code):
 * a .jsonl file whose early lines are broken keeps its good lines; a semicolon-delimited CSV (a European spreadsheet's
 * export) is read by its header; UTF-16 files (Excel's "Unicode text", PowerShell's default) are recognised by their
 * byte-order mark.
 */
import { describe, expect, it } from 'vitest';
import { detectFormat, parseDataset, parseDatasetStream, type ParsedRow, type RowError } from './index';

const good = (i: number) => JSON.stringify({ instruction: `Question ${i}?`, output: `Answer ${i}.` });

/** 1 good line, 3 truncated lines, then 100 good lines — the file. */
const BROKEN_HEAD = [good(0), good(1).slice(0, 20), good(2).slice(0, 31), '{"instruction": "cut', ...Array.from({ length: 100 }, (_, i) => good(i + 3))].join('\n') + '\n';

async function streamAll(bytes: Uint8Array, filename: string, chunk = 7) {
  async function* source() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  const rows: ParsedRow[] = [], errors: RowError[] = [];
  let container = '', format = '';
  for await (const b of parseDatasetStream(source(), { filename })) {
    rows.push(...b.rows);
    errors.push(...b.errors);
    container = b.container;
    format = b.format;
  }
  return { rows, errors, container, format };
}

describe('a .jsonl file with broken lines near the top', () => {
  it('is read line by line: 101 good rows, the 3 bad lines reported by number (in memory, streamed, detected)', async () => {
    const parsed = parseDataset(BROKEN_HEAD, { filename: 'data.jsonl' });
    expect(parsed.container).toBe('jsonl');
    expect(parsed.format).toBe('alpaca');
    expect(parsed.rows).toHaveLength(101);
    expect(parsed.rows[0].line).toBe(1);
    expect(parsed.rows[1].line).toBe(5);
    expect(parsed.errors.map((e) => e.line)).toEqual([2, 3, 4]);
    for (const e of parsed.errors) expect(e.reason).toMatch(/^invalid JSON/);

    const streamed = await streamAll(new TextEncoder().encode(BROKEN_HEAD), 'data.jsonl');
    expect(streamed.container).toBe('jsonl');
    expect(streamed.rows).toHaveLength(101);
    expect(streamed.errors.map((e) => e.line)).toEqual([2, 3, 4]);

    expect(detectFormat(BROKEN_HEAD, 'data.jsonl').container).toBe('jsonl');
    // Without a name the content decides: a complete object on line 1 followed by more lines is JSONL.
    expect(detectFormat(BROKEN_HEAD).container).toBe('jsonl');
  });

  it('a pretty-printed JSON document misnamed .jsonl is still read as JSON', () => {
    const text = JSON.stringify([{ instruction: 'a', output: 'b' }], null, 2);
    const parsed = parseDataset(text, { filename: 'data.jsonl' });
    expect(parsed.container).toBe('json');
    expect(parsed.rows).toHaveLength(1);
  });
});

describe('CSV delimiters', () => {
  it('a semicolon-delimited file is split by its header (quoted semicolons and commas kept)', async () => {
    const text = 'instruction;output\r\nSay hi;Hi!\r\n"Count: 1;2";"1, 2"\r\n';
    const parsed = parseDataset(text, { filename: 'data.csv' });
    expect(parsed.errors).toEqual([]);
    expect(parsed.columns).toEqual(['instruction', 'output']);
    expect(parsed.rows.map((r) => r.body)).toEqual([
      { kind: 'pair', instruction: 'Say hi', input: '', output: 'Hi!' },
      { kind: 'pair', instruction: 'Count: 1;2', input: '', output: '1, 2' },
    ]);
    const streamed = await streamAll(new TextEncoder().encode(text), 'data.csv', 5);
    expect(streamed.rows.map((r) => r.body)).toEqual(parsed.rows.map((r) => r.body));
    expect(detectFormat(text, 'data.csv').format).toBe('alpaca');
  });

  it('tabs too, while a comma header stays comma-separated', () => {
    expect(parseDataset('text\tsplit\nhello\ttrain\n').rows[0].body).toEqual({ kind: 'text', text: 'hello' });
    expect(parseDataset('instruction,output\na;b,c\n', { filename: 'x.csv' }).rows[0].body).toMatchObject({ instruction: 'a;b', output: 'c' });
  });

  it('a header-only CSV has no rows and no errors (the CLI says so instead of "see the reasons above")', () => {
    const parsed = parseDataset('instruction,output\n', { filename: 'x.csv' });
    expect(parsed.rows).toEqual([]);
    expect(parsed.errors).toEqual([]);
  });
});

describe('UTF-16 files', () => {
  const text = 'instruction,output\r\nSay hi,Héllo 👋\r\nÇa va?,Oui\r\n';
  const utf16 = (le: boolean) => {
    const out = new Uint8Array(2 + text.length * 2);
    out.set(le ? [0xff, 0xfe] : [0xfe, 0xff]);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      out[2 + 2 * i] = le ? c & 0xff : c >> 8;
      out[3 + 2 * i] = le ? c >> 8 : c & 0xff;
    }
    return out;
  };

  for (const le of [true, false])
    it(`UTF-16 ${le ? 'LE' : 'BE'} with its BOM is transcoded while streaming (any chunking)`, async () => {
      for (const chunk of [1, 3, 64 * 1024]) {
        const r = await streamAll(utf16(le), 'data.csv', chunk);
        expect(r.errors).toEqual([]);
        expect(r.rows.map((x) => x.body)).toEqual([
          { kind: 'pair', instruction: 'Say hi', input: '', output: 'Héllo 👋' },
          { kind: 'pair', instruction: 'Ça va?', input: '', output: 'Oui' },
        ]);
        expect(r.rows.map((x) => x.line)).toEqual([2, 3]);
      }
    });
});
