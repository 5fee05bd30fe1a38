/** Types and limits shared by the dataset importers and exporters (re-exported from ./index.ts). */
import type { ExampleBody, Split } from '../types.ts';

export type FormatId = 'alpaca' | 'sharegpt' | 'openai' | 'trl-prompt-completion' | 'trl-conversational' | 'dolly' | 'text' | 'columns';
export type Container = 'json' | 'jsonl' | 'csv';

export const FORMAT_IDS: readonly FormatId[] = ['alpaca', 'sharegpt', 'openai', 'trl-prompt-completion', 'trl-conversational', 'dolly', 'text', 'columns'];
export const CONTAINERS: readonly Container[] = ['json', 'jsonl', 'csv'];

/** A row that could not be imported: 1-based line in the file where it starts, why, and (the start of) its text. */
export interface RowError {
  line: number;
  reason: string;
  raw: string;
}

export interface ParsedRow {
  line: number;
  body: ExampleBody;
  tags: string[];
  split?: Split;
  notes?: string;
  extra?: Record<string, unknown>;
}

/** Which column holds what, for the `columns` format (any other shape). */
export interface ColumnMapping {
  instruction?: string;
  input?: string;
  output?: string;
  system?: string;
  text?: string;
  tags?: string;
  split?: string;
}

export interface ParseResult {
  format: FormatId;
  container: Container;
  rows: ParsedRow[];
  errors: RowError[];
  columns: string[];
}

/** Any single text longer than this is rejected as absurd (a runaway paste or a binary blob). */
export const MAX_TEXT_LENGTH = 1_000_000;

/** RowError.raw keeps at most this many characters of the offending row. */
export const RAW_PREVIEW = 2000;

/** Thrown by row readers; becomes a RowError with the row's line. */
export class RowProblem extends Error {
  override name = 'RowProblem';
}

/** A record as split out of its container, before it is read as a row of some format. */
export interface RawRecord {
  line: number;
  raw: string;
  /** The parsed object (JSON), or column → cell text (CSV). */
  value?: unknown;
  /** Set when the record could not even be split/parsed (invalid JSON, bad CSV quoting, invalid UTF-8). */
  problem?: string;
  /** CSV cells are strings; nested structures in them are JSON text. */
  csv?: boolean;
}

export function preview(raw: string): string {
  return raw.length > RAW_PREVIEW ? `${raw.slice(0, RAW_PREVIEW)}…` : raw;
}
