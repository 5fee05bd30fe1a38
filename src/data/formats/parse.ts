/** Parsing a whole dataset held in memory as text. */
import { detectContainer, detectFromRecords, suggestMapping } from './detect.ts';
import type { ColumnMapping, Container, FormatId, ParsedRow, ParseResult, RowError } from './model.ts';
import { isRowError, splitRecords, toRow } from './records.ts';

export interface ParseOptions {
  filename?: string;
  format?: FormatId;
  container?: Container;
  mapping?: ColumnMapping;
}

export function parseDataset(text: string, opts: ParseOptions = {}): ParseResult {
  const container = opts.container ?? detectContainer(text, opts.filename);
  const { records, fileErrors, columns } = splitRecords(text, container);
  const format = opts.format ?? detectFromRecords(records, container, columns).format;
  const mapping = format === 'columns' ? (opts.mapping ?? suggestMapping(columns)) : undefined;
  const rows: ParsedRow[] = [];
  const errors: RowError[] = [...fileErrors];
  for (const rec of records) {
    const r = toRow(rec, format, mapping);
    if (isRowError(r)) errors.push(r);
    else rows.push(r);
  }
  errors.sort((a, b) => a.line - b.line);
  return { format, container, rows, errors, columns };
}

