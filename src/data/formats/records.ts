/** Containers → raw records (with line numbers), and raw records → parsed rows or row errors. */
import type { ReadContext } from './fields.ts';
import { CsvReader, isBlankRecord, sniffDelimiter, type CsvRecord } from './csv.ts';
import { lineOf, lineStartsOf, splitJsonRows } from './json.ts';
import { RowProblem, preview, type ColumnMapping, type Container, type FormatId, type ParsedRow, type RawRecord, type RowError } from './model.ts';
import { readRow } from './readers.ts';
import { STUDIO_KEY, applyStudio, readStudio } from './studio.ts';

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The lines of a text, without their '\n' (a trailing '\r' is left for the container to handle). */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function jsonlRecord(line: string, lineNo: number): RawRecord | null {
  const raw = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (raw.trim() === '') return null;
  try {
    return { line: lineNo, raw, value: JSON.parse(raw) as unknown };
  } catch (e) {
    return { line: lineNo, raw, problem: `invalid JSON: ${(e as Error).message}` };
  }
}

/** Header handling for CSV: the first non-blank record names the columns (and its line decides the delimiter). */
export class CsvRecords {
  private reader: CsvReader | null = null;
  columns: string[] | null = null;
  headerProblem: RowError | null = null;

  push(line: string, lineNo: number): RawRecord | null {
    if (!this.reader) {
      if (line.trim() === '') return null;
      this.reader = new CsvReader(sniffDelimiter(line));
    }
    return this.accept(this.reader.push(line, lineNo));
  }

  end(): RawRecord | null {
    return this.reader ? this.accept(this.reader.end()) : null;
  }

  get delimiter(): string {
    return this.reader?.delimiter ?? ',';
  }

  private accept(r: CsvRecord | null): RawRecord | null {
    if (!r || isBlankRecord(r)) return null;
    if (!this.columns) {
      const seen = new Map<string, number>();
      this.columns = r.fields.map((f) => {
        const name = f.trim();
        const n = (seen.get(name) ?? 0) + 1;
        seen.set(name, n);
        return n === 1 ? name : `${name}_${n}`;
      });
      const dupes = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
      if (r.problem || dupes.length)
        this.headerProblem = { line: r.line, reason: r.problem ?? `duplicate column names (${dupes.join(', ')}): later ones were renamed with a _2, _3… suffix`, raw: preview(r.raw) };
      return null;
    }
    if (r.problem) return { line: r.line, raw: r.raw, problem: r.problem };
    if (r.fields.length !== this.columns.length)
      return { line: r.line, raw: r.raw, problem: `expected ${this.columns.length} fields (${this.columns.join(', ')}), found ${r.fields.length}` };
    return { line: r.line, raw: r.raw, csv: true, value: Object.fromEntries(this.columns.map((c, i) => [c, r.fields[i]])) };
  }
}

export interface SplitResult {
  records: RawRecord[];
  /** A problem with the file as a whole (not a JSON array, broken CSV header). */
  fileErrors: RowError[];
  columns: string[];
}

export function splitRecords(text: string, container: Container): SplitResult {
  text = stripBom(text);
  const records: RawRecord[] = [];
  const fileErrors: RowError[] = [];
  if (container === 'jsonl') {
    splitLines(text).forEach((l, i) => {
      const r = jsonlRecord(l, i + 1);
      if (r) records.push(r);
    });
  } else if (container === 'csv') {
    const csv = new CsvRecords();
    splitLines(text).forEach((l, i) => {
      const r = csv.push(l, i + 1);
      if (r) records.push(r);
    });
    const last = csv.end();
    if (last) records.push(last);
    if (csv.headerProblem) fileErrors.push(csv.headerProblem);
    return { records, fileErrors, columns: csv.columns ?? [] };
  } else {
    const items = splitJsonRows(text);
    const starts = lineStartsOf(text);
    if (typeof items === 'string') fileErrors.push({ line: 1, reason: items, raw: preview(text) });
    else
      for (const it of items) {
        const line = lineOf(starts, it.start);
        const raw = text.slice(it.start, it.end) || text.slice(starts[line - 1], starts[line] ?? text.length).replace(/\r?\n$/, '');
        if (it.problem) records.push({ line, raw, problem: it.problem });
        else
          try {
            records.push({ line, raw, value: JSON.parse(raw) as unknown });
          } catch (e) {
            records.push({ line, raw, problem: `invalid JSON: ${(e as Error).message}` });
          }
      }
  }
  return { records, fileErrors, columns: columnsOf(records) };
}

/** Keys of the (first 1000) object rows, in order of first appearance. */
export function columnsOf(records: RawRecord[]): string[] {
  const cols = new Set<string>();
  for (const r of records.slice(0, 1000))
    if (r.value && typeof r.value === 'object' && !Array.isArray(r.value)) for (const k of Object.keys(r.value)) cols.add(k);
  return [...cols];
}

export function toRow(rec: RawRecord, format: FormatId, mapping: ColumnMapping | undefined): ParsedRow | RowError {
  const fail = (reason: string): RowError => ({ line: rec.line, reason, raw: preview(rec.raw) });
  if (rec.problem) return fail(rec.problem);
  const ctx: ReadContext = { csv: rec.csv ?? false };
  try {
    const read = readRow(format, rec.value, ctx, mapping);
    const obj = rec.value as Record<string, unknown>;
    const meta = readStudio(obj, ctx);
    const row: ParsedRow = { line: rec.line, body: applyStudio(read.body, meta), tags: meta.tags ?? read.tags ?? [] };
    const split = meta.split ?? read.split;
    if (split) row.split = split;
    if (meta.notes) row.notes = meta.notes;
    const extra: Record<string, unknown> = {};
    // (in CSV an empty cell is indistinguishable from a missing value, so empty cells are not kept)
    for (const [k, v] of Object.entries(obj)) if (k !== STUDIO_KEY && !read.consumed.includes(k) && !(ctx.csv && v === '')) extra[k] = v;
    Object.assign(extra, meta.extra);
    if (Object.keys(extra).length) row.extra = extra;
    return row;
  } catch (e) {
    if (e instanceof RowProblem) return fail(e.message);
    throw e;
  }
}

export function isRowError(r: ParsedRow | RowError): r is RowError {
  return 'reason' in r;
}
