/**
 * Guessing the container (from the file name, then the content) and the format (from the keys of the first rows).
 * A `.jsonl`/`.ndjson` name and a `.csv` name decide (bad lines are then reported one by one, never the whole file);
 * `.json` and unnamed text are read by their content. CSV delimiters other than commas are sniffed by csv.ts.
 * Confidence is the share of sampled rows that have the chosen format's shape; `columns` (anything else) is reported
 * with a low confidence so the UI asks for a column mapping.
 */
import type { ColumnMapping, Container, FormatId, RawRecord } from './model.ts';
import { columnsOf, splitLines, splitRecords, stripBom } from './records.ts';

export interface Detection {
  format: FormatId;
  container: Container;
  confidence: number;
  columns: string[];
}

const SAMPLE = 50;

export function containerFromName(filename: string | undefined): Container | null {
  const ext = filename?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (ext === 'json') return 'json';
  if (ext === 'csv') return 'csv';
  return null;
}

function looksLikeJsonl(text: string): boolean {
  const lines = splitLines(text)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(0, 5);
  if (lines.length === 0) return false;
  const isObject = (l: string) => {
    try {
      const v = JSON.parse(l) as unknown;
      return !!v && typeof v === 'object' && !Array.isArray(v);
    } catch {
      return false; // not a complete JSON object on one line
    }
  };
  const ok = lines.filter(isObject).length;
  // A first line that is a complete object, with more lines after it, cannot start a JSON document: the file is JSONL
  // however many of the next lines are broken. A single line holding {"data": […]} is a JSON document.
  if (lines.length > 1 && isObject(lines[0])) return true;
  return ok >= Math.ceil(lines.length / 2) && (lines.length > 1 || !/^\{\s*"(data|rows)"/.test(lines[0]));
}

export function detectContainer(text: string, filename?: string): Container {
  const byName = containerFromName(filename);
  const t = stripBom(text).trimStart();
  if (byName === 'csv') return 'csv';
  // A .jsonl name decides, unless the file is plainly one pretty-printed JSON document ("[" or "{" alone on line 1).
  if (byName === 'jsonl') return /^[[{][ \t\r]*(\n|$)/.test(t) ? 'json' : 'jsonl';
  if (t.startsWith('[')) return 'json';
  if (t.startsWith('{')) return looksLikeJsonl(t) ? 'jsonl' : 'json';
  return byName ?? 'csv';
}

function isList(v: unknown, csv: boolean): boolean {
  return Array.isArray(v) || (csv && typeof v === 'string' && v.trim().startsWith('['));
}

/** The format a single row looks like, or null when it has no known shape. */
export function shapeOf(row: Record<string, unknown>, csv: boolean): FormatId | null {
  const has = (k: string) => k in row && row[k] !== null && row[k] !== undefined;
  if (has('conversations')) return 'sharegpt';
  if (has('prompt') && has('completion')) return isList(row.prompt, csv) ? 'trl-conversational' : 'trl-prompt-completion';
  if (has('messages')) return 'openai';
  if (has('instruction') && has('response')) return 'dolly';
  if (has('instruction') && has('output')) return 'alpaca';
  if (has('text')) return 'text';
  return null;
}

export function detectFromRecords(records: RawRecord[], container: Container, columns: string[]): Detection {
  const sample = records.filter((r) => r.value && typeof r.value === 'object' && !Array.isArray(r.value)).slice(0, SAMPLE);
  const votes = new Map<FormatId, number>();
  for (const r of sample) {
    const f = shapeOf(r.value as Record<string, unknown>, r.csv ?? false);
    if (f) votes.set(f, (votes.get(f) ?? 0) + 1);
  }
  let best: FormatId | null = null;
  let n = 0;
  for (const [f, c] of votes) if (c > n) [best, n] = [f, c];
  if (!best || sample.length === 0) return { format: 'columns', container, confidence: sample.length ? 0.3 : 0, columns };
  return { format: best, container, confidence: n / sample.length, columns };
}

export function detectFormat(text: string, filename?: string): Detection {
  const container = detectContainer(text, filename);
  const { records, columns } = splitRecords(sampleText(text, container), container);
  return detectFromRecords(records, container, container === 'csv' ? columns : columnsOf(records));
}

/** For line containers, detection only needs the first lines. */
function sampleText(text: string, container: Container): string {
  if (container === 'json' || text.length < 1_000_000) return text;
  const cut = text.indexOf('\n', 1_000_000);
  return cut < 0 ? text : text.slice(0, cut);
}

const GUESSES: Record<keyof ColumnMapping, string[]> = {
  instruction: ['instruction', 'prompt', 'question', 'query', 'input_text', 'source', 'user', 'human'],
  input: ['input', 'context', 'additional_input'],
  output: ['output', 'response', 'answer', 'completion', 'target', 'target_text', 'assistant', 'label'],
  system: ['system', 'system_prompt'],
  text: ['text', 'content', 'document', 'body'],
  tags: ['tags', 'tag', 'category', 'labels'],
  split: ['split', 'subset'],
};

/** A best guess at a column mapping from column names (exact names first, then common synonyms). */
export function suggestMapping(columns: string[]): ColumnMapping {
  const lower = new Map(columns.map((c) => [c.toLowerCase().trim(), c]));
  const used = new Set<string>();
  const pick = (names: string[]) => {
    for (const n of names) {
      const c = lower.get(n);
      if (c !== undefined && !used.has(c)) {
        used.add(c);
        return c;
      }
    }
    return undefined;
  };
  const m: ColumnMapping = {};
  m.instruction = pick(GUESSES.instruction);
  m.output = pick(GUESSES.output);
  m.input = pick(GUESSES.input);
  m.system = pick(GUESSES.system);
  if (!(m.instruction && m.output)) {
    for (const k of ['instruction', 'output', 'input', 'system'] as const) {
      if (m[k]) used.delete(m[k]);
      delete m[k];
    }
  }
  m.text = pick(GUESSES.text);
  m.tags = pick(GUESSES.tags);
  m.split = pick(GUESSES.split);
  for (const k of Object.keys(m) as (keyof ColumnMapping)[]) if (m[k] === undefined) delete m[k];
  return m;
}
