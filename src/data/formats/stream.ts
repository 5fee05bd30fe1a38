/**
 * Streaming import for files too big to hold as one string: bytes are split into lines, each line is decoded with a
 * fatal UTF-8 decoder (an invalid line becomes a RowError, the rest carries on), and JSONL/CSV records are read as
 * they complete. JSON arrays are parsed whole (their rows can only be located once the whole file is there).
 * A UTF-16 file (Excel's "Unicode text", PowerShell's default) is recognised by its byte-order mark and transcoded.
 * Yields batches of about `batchSize` rows+errors; `bytes` is how much of the input has been consumed.
 */
import { detectContainer, detectFromRecords, suggestMapping } from './detect.ts';
import { parseDataset, type ParseOptions } from './parse.ts';
import { preview, type ColumnMapping, type Container, type FormatId, type ParsedRow, type RawRecord, type RowError } from './model.ts';
import { CsvRecords, isRowError, jsonlRecord, splitRecords, toRow } from './records.ts';

export interface StreamOptions extends ParseOptions {
  onProgress?(bytes: number): void;
  signal?: AbortSignal;
  batchSize?: number;
}

export interface StreamBatch {
  rows: ParsedRow[];
  errors: RowError[];
  bytes: number;
  /** What the file was read as (detected, or as given in the options). */
  container: Container;
  format: FormatId;
}

const SNIFF_BYTES = 64 * 1024;
const SNIFF_LINES = 200;

async function* rawChunksOf(source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if ('getReader' in source) {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  } else yield* source;
}

/** UTF-16 by its byte-order mark, or null (UTF-8, with or without its BOM). */
export function utf16Bom(b: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  return null;
}

/**
 * The input as UTF-8 chunks: UTF-16 (with a BOM) is transcoded as it streams (the BOM dropped); anything else passes
 * through untouched. `onRaw` sees the size of every input chunk (progress is in input bytes).
 */
async function* chunksOf(source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, onRaw: (n: number) => void): AsyncGenerator<Uint8Array> {
  let head: Uint8Array | null = new Uint8Array(0); // the first bytes, until the encoding is settled
  let decoder: TextDecoder | null = null;
  const utf8 = new TextEncoder();
  for await (const chunk of rawChunksOf(source)) {
    onRaw(chunk.length);
    if (head) {
      head = head.length ? concat(head, chunk) : chunk;
      if (head.length < 2) continue;
      const enc = utf16Bom(head);
      const first = head;
      head = null;
      if (!enc) {
        yield first;
        continue;
      }
      decoder = new TextDecoder(enc); // drops the BOM
      yield utf8.encode(decoder.decode(first, { stream: true }));
    } else if (decoder) yield utf8.encode(decoder.decode(chunk, { stream: true }));
    else yield chunk;
  }
  if (head?.length) yield head;
  if (decoder) {
    const tail = decoder.decode();
    if (tail) yield utf8.encode(tail);
  }
}

/** Index of the first byte that breaks UTF-8 (for the error message; detection itself uses TextDecoder). */
export function firstInvalidByte(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const len = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
    if (len === 0) return i;
    for (let k = 1; k < len; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    if (len === 3 && ((c === 0xe0 && b[i + 1] < 0xa0) || (c === 0xed && b[i + 1] >= 0xa0))) return i;
    if (len === 4 && ((c === 0xf0 && b[i + 1] < 0x90) || (c === 0xf4 && b[i + 1] >= 0x90))) return i;
    i += len;
  }
  return -1;
}

const fatal = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** Split a byte stream into lines (without '\n'), numbered from 1; a leading BOM is dropped. */
async function* linesOf(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<[Uint8Array, number]> {
  let pending = new Uint8Array(0);
  let lineNo = 0;
  let first = true;
  for await (const chunk of chunks) {
    let buf = pending.length ? concat(pending, chunk) : chunk;
    if (first && buf.length >= 3) {
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      first = false;
    }
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      yield [buf.subarray(start, nl), ++lineNo];
      start = nl + 1;
    }
    pending = buf.slice(start);
  }
  if (pending.length) yield [pending, lineNo + 1];
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export async function* parseDatasetStream(
  source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  opts: StreamOptions = {},
): AsyncGenerator<StreamBatch> {
  const batchSize = Math.max(1, opts.batchSize ?? 1000);
  let bytes = 0;
  const lines = linesOf(
    chunksOf(source, (n) => {
      bytes += n;
      opts.signal?.throwIfAborted();
      opts.onProgress?.(bytes);
    }),
  );

  // Sniff the first lines to settle the container and format.
  const sniffed: [Uint8Array, number][] = [];
  let sniffBytes = 0;
  let next = await lines.next();
  while (!next.done && sniffBytes < SNIFF_BYTES && sniffed.length < SNIFF_LINES) {
    sniffed.push(next.value);
    sniffBytes += next.value[0].length + 1;
    next = await lines.next();
  }
  const sniffText = sniffed.map(([b]) => lenient.decode(b)).join('\n');
  const container: Container = opts.container ?? detectContainer(sniffText, opts.filename);

  if (container === 'json') {
    const parts = sniffed.map(([b]) => b);
    for (; !next.done; next = await lines.next()) parts.push(next.value[0]);
    yield* wholeJson(parts, opts, bytes, batchSize);
    return;
  }

  const sample = splitRecords(sniffText, container);
  const format: FormatId = opts.format ?? detectFromRecords(sample.records, container, sample.columns).format;
  const csv = container === 'csv' ? new CsvRecords() : null;
  let mapping: ColumnMapping | undefined = format === 'columns' ? opts.mapping : undefined;
  let rows: ParsedRow[] = [];
  let errors: RowError[] = [];
  let badLines: number[] = [];

  const take = (rec: RawRecord | null) => {
    if (!rec) return;
    if (csv) {
      const first = rec.line;
      const bad = badLines.filter((l) => l >= first);
      badLines = [];
      if (bad.length) rec = { line: rec.line, raw: rec.raw, problem: `invalid UTF-8 on line ${bad[0]}` };
      if (format === 'columns' && !mapping) mapping = suggestMapping(csv.columns ?? []);
    } else if (format === 'columns' && !mapping) mapping = suggestMapping(sample.columns);
    const r = toRow(rec, format, mapping);
    if (isRowError(r)) errors.push(r);
    else rows.push(r);
  };
  const handle = ([b, lineNo]: [Uint8Array, number]) => {
    let text: string;
    try {
      text = fatal.decode(b);
    } catch {
      text = lenient.decode(b);
      if (!csv) {
        errors.push({ line: lineNo, reason: `invalid UTF-8 (byte ${firstInvalidByte(b) + 1} of the line)`, raw: preview(text) });
        return;
      }
      badLines.push(lineNo);
    }
    if (csv) {
      const had = csv.headerProblem;
      take(csv.push(text, lineNo));
      if (!had && csv.headerProblem) errors.push(csv.headerProblem);
    } else take(jsonlRecord(text, lineNo));
  };

  async function* all() {
    yield* sniffed;
    for (; !next.done; next = await lines.next()) yield next.value;
  }
  for await (const l of all()) {
    handle(l);
    if (rows.length + errors.length >= batchSize) {
      yield { rows, errors, bytes, container, format };
      rows = [];
      errors = [];
    }
  }
  if (csv) take(csv.end());
  yield { rows, errors, bytes, container, format };
}

async function* wholeJson(parts: Uint8Array[], opts: StreamOptions, bytes: number, batchSize: number): AsyncGenerator<StreamBatch> {
  const lines: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    try {
      lines.push(fatal.decode(parts[i]));
    } catch {
      const raw = lenient.decode(parts[i]);
      yield { rows: [], errors: [{ line: i + 1, reason: `invalid UTF-8 (byte ${firstInvalidByte(parts[i]) + 1} of the line): a JSON file must be valid UTF-8 to be read`, raw: preview(raw) }], bytes, container: 'json', format: opts.format ?? 'columns' };
      return;
    }
  }
  const result = parseDataset(lines.join('\n'), { ...opts, container: 'json' });
  const all: (ParsedRow | RowError)[] = [...result.rows, ...result.errors].sort((a, b) => a.line - b.line);
  for (let i = 0; i < all.length || i === 0; i += batchSize) {
    const slice = all.slice(i, i + batchSize);
    yield { rows: slice.filter((r): r is ParsedRow => !isRowError(r)), errors: slice.filter(isRowError), bytes, container: 'json', format: result.format };
  }
}
