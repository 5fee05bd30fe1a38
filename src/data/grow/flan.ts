/**
 * FLAN-style templates (Wei et al. 2022): turn a columnar dataset (CSV/JSON rows) into instruction pairs, with several
 * phrasings per kind of task so the model learns the task rather than one wording. Each row gets `perRow` distinct
 * templates of its kind, chosen with a seeded generator per row (row i's choice depends only on the seed and i, so a
 * preview of the first rows shows exactly what the full expansion makes of them).
 */
import { seededRandom } from '../../db/split';
import type { PairBody } from '../types';
import { shuffled } from './selfInstruct';

export type FlanKind = 'classification' | 'qa' | 'summarization' | 'translation' | 'generic';

export const FLAN_KINDS: { id: FlanKind; label: string }[] = [
  { id: 'classification', label: 'Classification' },
  { id: 'qa', label: 'Question answering' },
  { id: 'summarization', label: 'Summarisation' },
  { id: 'translation', label: 'Translation' },
  { id: 'generic', label: 'Generic (describe the task)' },
];

/** Slots a template can use: the row's input and context cells, and the task-wide options/languages/description. */
type Slot = 'input' | 'context' | 'options' | 'source' | 'target' | 'task';

export interface FlanTemplate {
  id: string;
  kind: FlanKind;
  /** The instruction and input fields of the pair, with {slot} placeholders. */
  instruction: string;
  input: string;
}

export const FLAN_TEMPLATES: FlanTemplate[] = [
  { id: 'cls-categories', kind: 'classification', instruction: 'Classify the following text into one of these categories: {options}.', input: '{input}' },
  { id: 'cls-best-label', kind: 'classification', instruction: 'Which of these labels fits the text best? Options: {options}', input: 'Text: {input}' },
  { id: 'cls-inline', kind: 'classification', instruction: '{input}\n\nWhich category does the text above belong to? Choose from: {options}.', input: '' },
  { id: 'cls-one-word', kind: 'classification', instruction: 'Read the text and answer with the matching label only ({options}).', input: '{input}' },
  { id: 'qa-passage', kind: 'qa', instruction: 'Answer the question using the passage.', input: 'Passage: {context}\n\nQuestion: {input}' },
  { id: 'qa-read-then', kind: 'qa', instruction: 'Read the text below, then answer: {input}', input: '{context}' },
  { id: 'qa-context-last', kind: 'qa', instruction: '{input}\n\nUse this context to answer:\n{context}', input: '' },
  { id: 'qa-plain', kind: 'qa', instruction: '{input}', input: '' },
  { id: 'qa-answer', kind: 'qa', instruction: 'Answer the following question.', input: '{input}' },
  { id: 'sum-summarise', kind: 'summarization', instruction: 'Summarise the following text.', input: '{input}' },
  { id: 'sum-brief', kind: 'summarization', instruction: 'Write a brief summary of this passage.', input: '{input}' },
  { id: 'sum-inline', kind: 'summarization', instruction: '{input}\n\nSum up the text above in a few sentences.', input: '' },
  { id: 'sum-main-points', kind: 'summarization', instruction: 'What are the main points of the text below?', input: '{input}' },
  { id: 'tr-from-to', kind: 'translation', instruction: 'Translate the following text from {source} to {target}.', input: '{input}' },
  { id: 'tr-how-say', kind: 'translation', instruction: 'How would you say this in {target}?', input: '{input}' },
  { id: 'tr-inline', kind: 'translation', instruction: 'Translate into {target}: {input}', input: '' },
  { id: 'tr-render', kind: 'translation', instruction: 'Render this {source} text in {target}.', input: '{input}' },
  { id: 'gen-plain', kind: 'generic', instruction: '{task}', input: '{input}' },
  { id: 'gen-inline', kind: 'generic', instruction: '{task}\n\n{input}', input: '' },
  { id: 'gen-please', kind: 'generic', instruction: 'Please do the following: {task}', input: '{input}' },
  { id: 'gen-labeled', kind: 'generic', instruction: '{task}', input: 'Input: {input}' },
];

export function templatesOf(kind: FlanKind): FlanTemplate[] {
  return FLAN_TEMPLATES.filter((t) => t.kind === kind);
}

/** Which columns hold the input, the output and (question answering) the context; task-wide text for the slots. */
export interface FlanSpec {
  kind: FlanKind;
  inputColumn: string;
  outputColumn: string;
  contextColumn?: string;
  /** Translation languages, e.g. "English" and "French". */
  source?: string;
  target?: string;
  /** Generic tasks: what to do with the input, e.g. "Correct the grammar of this sentence." */
  task?: string;
}

export interface FlanOptions {
  seed: number;
  /** Phrasings per row (distinct templates), 1 to the number of templates of the kind. */
  perRow: number;
  /** Restrict to these template ids (default: every template of the kind). */
  templateIds?: readonly string[];
  /** Expand only the first `limit` rows (preview). */
  limit?: number;
}

export interface FlanPair {
  /** Index of the source row. */
  row: number;
  templateId: string;
  body: PairBody;
  /** The origin tag the pair carries into the dataset. */
  tag: string;
}

export interface FlanResult {
  pairs: FlanPair[];
  /** Rows left out, by reason. */
  skipped: { missingInput: number; missingOutput: number };
  /** Classification: the distinct labels of the output column, in order of first appearance. */
  options: string[];
}

export class FlanSpecError extends Error {
  override name = 'FlanSpecError';
}

/** The tag of pairs made with a template. */
export function flanTag(templateId: string): string {
  return `flan:${templateId}`;
}

/** FNV-1a of the seed and the row index: an independent, reproducible stream per row. */
function rowSeed(seed: number, row: number): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (const ch of String(row)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

function fill(text: string, slots: Partial<Record<Slot, string>>): string {
  return text.replace(/\{(input|context|options|source|target|task)\}/g, (_, k: Slot) => slots[k] ?? '').trim();
}

/** Problems with the spec that make expansion impossible (missing columns, a generic task without a description). */
export function specProblem(spec: FlanSpec, columns: readonly string[]): string | null {
  if (!spec.inputColumn || !columns.includes(spec.inputColumn)) return 'Pick the column that holds the input.';
  if (!spec.outputColumn || !columns.includes(spec.outputColumn)) return 'Pick the column that holds the output.';
  if (spec.inputColumn === spec.outputColumn) return 'The input and output columns must differ.';
  if (spec.contextColumn && !columns.includes(spec.contextColumn)) return `There is no column "${spec.contextColumn}".`;
  if (spec.kind === 'translation' && !(spec.target ?? '').trim()) return 'Name the language to translate into.';
  if (spec.kind === 'generic' && !(spec.task ?? '').trim()) return 'Describe the task (what to do with the input).';
  return null;
}

export function expandFlan(rows: readonly Record<string, string>[], spec: FlanSpec, opts: FlanOptions): FlanResult {
  const problem = specProblem(spec, Object.keys(rows[0] ?? {}).concat(spec.inputColumn, spec.outputColumn));
  if (problem) throw new FlanSpecError(problem);
  let pool = templatesOf(spec.kind);
  if (opts.templateIds) pool = pool.filter((t) => opts.templateIds!.includes(t.id));
  if (pool.length === 0) throw new FlanSpecError('Pick at least one template.');
  const cell = (r: Record<string, string>, c: string | undefined) => (c ? (r[c] ?? '').trim() : '');
  const options: string[] = [];
  if (spec.kind === 'classification') for (const r of rows) if (cell(r, spec.outputColumn) && !options.includes(cell(r, spec.outputColumn))) options.push(cell(r, spec.outputColumn));
  const perRow = Math.max(1, Math.min(Math.trunc(opts.perRow) || 1, pool.length));
  const pairs: FlanPair[] = [];
  const skipped = { missingInput: 0, missingOutput: 0 };
  const n = Math.min(rows.length, opts.limit ?? rows.length);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    const input = cell(r, spec.inputColumn);
    const output = cell(r, spec.outputColumn);
    if (!input) {
      skipped.missingInput++;
      continue;
    }
    if (!output) {
      skipped.missingOutput++;
      continue;
    }
    const context = cell(r, spec.contextColumn);
    // Templates that need a context only apply to rows that have one.
    const usable = pool.filter((t) => context || !(t.instruction + t.input).includes('{context}'));
    const slots = { input, context, options: options.join(', '), source: spec.source?.trim() || 'the source language', target: spec.target?.trim(), task: spec.task?.trim() };
    for (const t of shuffled(usable.length ? usable : pool, seededRandom(rowSeed(opts.seed, i))).slice(0, perRow)) {
      pairs.push({ row: i, templateId: t.id, tag: flanTag(t.id), body: { kind: 'pair', instruction: fill(t.instruction, slots), input: fill(t.input, slots), output } });
    }
  }
  return { pairs, skipped, options };
}
