import { describe, expect, it } from 'vitest';
import { parseDataset, parseDatasetStream, type ParsedRow, type RowError } from './index.ts';
import type { StreamOptions } from './stream.ts';
import { firstInvalidByte } from './stream.ts';

const enc = new TextEncoder();

/** The bytes cut into chunks of `size` (so lines and multi-byte characters straddle chunk boundaries). */
function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

async function collect(source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, opts: StreamOptions = {}) {
  const rows: ParsedRow[] = [];
  const errors: RowError[] = [];
  const batches: number[] = [];
  let lastBytes = 0;
  for await (const b of parseDatasetStream(source, opts)) {
    rows.push(...b.rows);
    errors.push(...b.errors);
    batches.push(b.rows.length + b.errors.length);
    expect(b.bytes).toBeGreaterThanOrEqual(lastBytes);
    lastBytes = b.bytes;
  }
  return { rows, errors, batches, bytes: lastBytes };
}

const JSONL = [
  '{"instruction": "Ünïcode — 你好 🙂", "output": "ok"}',
  '',
  '{"instruction": "second", "output": "fine"}',
  '{"instruction": "bad json", "output": }',
  '{"instruction": "fourth", "output": "good"}',
].join('\r\n');

describe('parseDatasetStream', () => {
  it.each([1, 3, 7, 64, 100000])('gives the same rows as parseDataset for JSONL in %i-byte chunks', async (size) => {
    const bytes = enc.encode(JSONL);
    const got = await collect(chunked(bytes, size), { filename: 'x.jsonl' });
    const whole = parseDataset(JSONL, { filename: 'x.jsonl' });
    expect(got.rows).toEqual(whole.rows);
    expect(got.errors).toEqual(whole.errors);
    expect(got.rows.map((r) => r.line)).toEqual([1, 3, 5]);
    expect(got.bytes).toBe(bytes.length);
  });

  it('reports an invalid UTF-8 line with its number and keeps the others', async () => {
    const good = enc.encode('{"text": "one"}\n');
    const bad = Uint8Array.from([...enc.encode('{"text": "t'), 0xc3, 0x28, ...enc.encode('wo"}\n')]);
    const after = enc.encode('{"text": "three"}\n');
    const got = await collect(chunked(Uint8Array.from([...good, ...bad, ...after]), 5));
    expect(got.rows.map((r) => [r.line, r.body])).toEqual([
      [1, { kind: 'text', text: 'one' }],
      [3, { kind: 'text', text: 'three' }],
    ]);
    expect(got.errors).toEqual([{ line: 2, reason: 'invalid UTF-8 (byte 12 of the line)', raw: '{"text": "t\uFFFD(wo"}' }]);
  });

  it('streams CSV records that span lines and chunks, flagging a record with invalid UTF-8', async () => {
    const text = 'instruction,output\n"multi\nline",one\nplain,"two\nlines"\n';
    const bad = Uint8Array.from([...enc.encode('x,"bro'), 0xff, ...enc.encode('\nken"\n'), ...enc.encode('last,ok\n')]);
    const got = await collect(chunked(Uint8Array.from([...enc.encode(text), ...bad]), 4), { filename: 'd.csv' });
    expect(got.rows.map((r) => [r.line, r.body])).toEqual([
      [2, { kind: 'pair', instruction: 'multi\nline', input: '', output: 'one' }],
      [4, { kind: 'pair', instruction: 'plain', input: '', output: 'two\nlines' }],
      [8, { kind: 'pair', instruction: 'last', input: '', output: 'ok' }],
    ]);
    expect(got.errors.map((e) => [e.line, e.reason])).toEqual([[6, 'invalid UTF-8 on line 6']]);
  });

  it('parses JSON arrays whole, from any iterable of chunks', async () => {
    const text = '[\n{"text": "a"},\n{"text": ""},\n{"text": "c"}\n]';
    async function* gen() {
      for (const ch of text) yield enc.encode(ch);
    }
    const got = await collect(gen(), { batchSize: 2 });
    expect(got.rows.map((r) => r.line)).toEqual([2, 4]);
    expect(got.errors.map((e) => [e.line, e.reason])).toEqual([[3, 'field "text" is empty']]);
    expect(got.batches).toEqual([2, 1]);
  });

  it('yields in batches, reports progress and strips a BOM', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => JSON.stringify({ text: `row ${i}` }));
    const bytes = Uint8Array.from([0xef, 0xbb, 0xbf, ...enc.encode(lines.join('\n'))]);
    const progress: number[] = [];
    const got = await collect(chunked(bytes, 50), { batchSize: 10, onProgress: (b) => progress.push(b) });
    expect(got.rows).toHaveLength(25);
    expect(got.errors).toEqual([]);
    expect(got.batches).toEqual([10, 10, 5]);
    expect(progress.at(-1)).toBe(bytes.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('stops when aborted', async () => {
    const bytes = enc.encode(Array.from({ length: 100 }, () => '{"text": "x"}').join('\n'));
    const ctl = new AbortController();
    const run = async () => {
      for await (const _ of parseDatasetStream(chunked(bytes, 16), { batchSize: 5, onProgress: (b) => b > 200 && ctl.abort() , signal: ctl.signal })) void _;
    };
    await expect(run()).rejects.toThrow(/abort/i);
  });
});

describe('firstInvalidByte', () => {
  it('finds the first byte that breaks UTF-8', () => {
    expect(firstInvalidByte(enc.encode('ok 你好 🙂'))).toBe(-1);
    expect(firstInvalidByte(Uint8Array.of(0x61, 0xc3, 0x28))).toBe(1);
    expect(firstInvalidByte(Uint8Array.of(0x61, 0xe4, 0xbd))).toBe(1); // truncated sequence
    expect(firstInvalidByte(Uint8Array.of(0xc0, 0x80))).toBe(0); // overlong
    expect(firstInvalidByte(Uint8Array.of(0xed, 0xa0, 0x80))).toBe(0); // surrogate
  });
});
