/** Plain-text views of an example body, shared by search, length filters, statistics and duplicate detection. */
import type { ExampleBody } from '../data/types';

/** Every user-written string of a body, in reading order, separated by newlines. */
export function bodyText(body: ExampleBody): string {
  switch (body.kind) {
    case 'pair':
      return [body.system ?? '', body.instruction, body.input, body.output].filter((s) => s !== '').join('\n');
    case 'chat':
      return body.messages.map((m) => m.content).join('\n');
    case 'text':
      return body.text;
  }
}

/** Characters of content (what the length filter and histogram count). */
export function bodyLength(body: ExampleBody): number {
  switch (body.kind) {
    case 'pair':
      return (body.system ?? '').length + body.instruction.length + body.input.length + body.output.length;
    case 'chat':
      return body.messages.reduce((n, m) => n + m.content.length, 0);
    case 'text':
      return body.text.length;
  }
}

/**
 * A one-line title for list rows: the part that tells examples apart. For pairs that is the input when there is one
 * (instructions are often shared by a whole dataset), else the instruction.
 */
export function bodyTitle(body: ExampleBody): string {
  switch (body.kind) {
    case 'pair':
      return body.input.trim() ? body.input : body.instruction || body.output;
    case 'chat':
      return body.messages.find((m) => m.role === 'user')?.content ?? body.messages[0]?.content ?? '';
    case 'text':
      return body.text;
  }
}

/** The response-side preview for list rows. */
export function bodyAnswer(body: ExampleBody): string {
  switch (body.kind) {
    case 'pair':
      return body.output;
    case 'chat': {
      for (let i = body.messages.length - 1; i >= 0; i--) if (body.messages[i].role === 'assistant') return body.messages[i].content;
      return '';
    }
    case 'text':
      return '';
  }
}

/**
 * Text for duplicate detection: field/role markers keep "the same words in a different field" apart; case and
 * runs of whitespace are normalised (NFKC) so trivial re-typings count as exact duplicates.
 */
export function dedupeText(body: ExampleBody): string {
  const norm = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  switch (body.kind) {
    case 'pair':
      return [body.system ?? '', body.instruction, body.input, body.output].map(norm).join('\u0001');
    case 'chat':
      return body.messages.map((m) => `${m.role}\u0002${norm(m.content)}`).join('\u0001');
    case 'text':
      return norm(body.text);
  }
}

export interface LengthBucket {
  id: string;
  label: string;
  min: number;
  /** Exclusive. */
  max: number;
}

export const CHAR_BUCKETS: LengthBucket[] = [
  { id: 'c0', label: '< 100', min: 0, max: 100 },
  { id: 'c1', label: '100–300', min: 100, max: 300 },
  { id: 'c2', label: '300–1k', min: 300, max: 1000 },
  { id: 'c3', label: '1k–3k', min: 1000, max: 3000 },
  { id: 'c4', label: '3k–10k', min: 3000, max: 10000 },
  { id: 'c5', label: '≥ 10k', min: 10000, max: Infinity },
];

export const TOKEN_BUCKETS: LengthBucket[] = [
  { id: 't0', label: '< 32', min: 0, max: 32 },
  { id: 't1', label: '32–128', min: 32, max: 128 },
  { id: 't2', label: '128–512', min: 128, max: 512 },
  { id: 't3', label: '512–2k', min: 512, max: 2048 },
  { id: 't4', label: '≥ 2k', min: 2048, max: Infinity },
];

export function bucketOf(buckets: LengthBucket[], n: number): LengthBucket {
  return buckets.find((b) => n >= b.min && n < b.max) ?? buckets[buckets.length - 1];
}
