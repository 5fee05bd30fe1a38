/**
 * Reads a columnar file (CSV with a header, a JSON array of objects, or JSON Lines) into rows of column → cell text,
 * with the studio's own parsers (src/data/formats). Non-string JSON values become their JSON text; rows that cannot be
 * read are reported with their line, never silently dropped.
 */
import { detectContainer } from '../formats/detect';
import { splitRecords } from '../formats/records';

export interface ColumnarTable {
  columns: string[];
  rows: Record<string, string>[];
  problems: { line: number; reason: string }[];
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function readColumnar(text: string, filename?: string): ColumnarTable {
  const container = detectContainer(text, filename);
  const split = splitRecords(text, container);
  const problems = split.fileErrors.map((e) => ({ line: e.line, reason: e.reason }));
  const rows: Record<string, string>[] = [];
  for (const r of split.records) {
    if (r.problem) problems.push({ line: r.line, reason: r.problem });
    else if (!r.value || typeof r.value !== 'object' || Array.isArray(r.value)) problems.push({ line: r.line, reason: 'not an object with named columns' });
    else rows.push(Object.fromEntries(split.columns.map((c) => [c, cellText((r.value as Record<string, unknown>)[c])])));
  }
  return { columns: split.columns, rows, problems };
}
