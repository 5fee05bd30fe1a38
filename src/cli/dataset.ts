/**
 * Reading a dataset file for `train` and `labels`: the path is checked first (missing, a directory, unreadable: one
 * clear line each), rows are streamed through the same parser the browser import uses, bad rows go to stderr with
 * their line, and an empty result says why (an empty file, a CSV with only its header line, every row bad).
 */
import { accessSync, constants, createReadStream, existsSync, statSync } from 'node:fs';
import { parseDatasetStream, type Container, type FormatId, type ParsedRow } from '../data/formats/index.ts';

/** Refuses a --data path that cannot be read as a dataset file. */
export function checkDataFile(path: string, flag = '--data'): void {
  if (!existsSync(path)) throw new Error(`dataset not found: ${path}`);
  if (statSync(path).isDirectory()) throw new Error(`${flag} ${path} is a directory; give a dataset file (.jsonl, .json or .csv)`);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new Error(`${flag} ${path} cannot be read (permission denied)`);
  }
}

export interface DatasetSummary {
  rows: number;
  badRows: number;
  container: Container | null;
  format: FormatId | null;
}

/**
 * Streams the rows of `path` to `onRow`, printing each bad row as `line N: reason` on stderr. Read errors (the file
 * vanished, an I/O error) become one line naming the file.
 */
export async function readRows(path: string, format: FormatId | undefined, onRow: (row: ParsedRow) => void): Promise<DatasetSummary> {
  const summary: DatasetSummary = { rows: 0, badRows: 0, container: null, format: null };
  const stream = createReadStream(path);
  try {
    for await (const batch of parseDatasetStream(stream, { filename: path, format })) {
      summary.container = batch.container;
      summary.format = batch.format;
      for (const e of batch.errors) console.error(`line ${e.line}: ${e.reason}`);
      summary.badRows += batch.errors.length;
      summary.rows += batch.rows.length;
      for (const row of batch.rows) onRow(row);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code) throw new Error(`could not read ${path}: ${code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`, { cause: e });
    throw e;
  } finally {
    stream.destroy();
  }
  return summary;
}

/** Why a dataset gave no usable rows, in one line. */
export function noRowsMessage(path: string, s: DatasetSummary): string {
  if (s.badRows) return `${path} has no usable rows (${s.badRows} bad row${s.badRows === 1 ? '' : 's'}, see above)`;
  if (statSync(path).size === 0) return `${path} is empty`;
  if (s.container === 'csv') return `${path} has a header line but no data rows`;
  return s.container === 'json' ? `${path} holds an empty list of rows` : `${path} has no rows (only blank lines)`;
}
