/**
 * Dataset import/export. Formats: Alpaca, ShareGPT, OpenAI chat, TRL prompt/completion (plain and conversational),
 * Dolly, plain text, and `columns` (any other shape through a ColumnMapping). Containers: JSON (an array, or an object
 * with a "data"/"rows" array), JSONL, CSV (RFC 4180). Bad rows come back as RowErrors with their 1-based line and a
 * precise reason; good rows import regardless. See studio.ts for how export → import stays lossless.
 *
 * What each format holds natively (the rest travels in the `studio` field):
 *   alpaca                 pairs with system; chats with alternating turns (as `history`)
 *   sharegpt, openai       chats (pairs are written as a one-exchange chat); OpenAI and ShareGPT keep per-turn weights
 *   trl-conversational     chats as prompt/completion message lists (weights kept on the messages)
 *   trl-prompt-completion  one prompt and one completion (no system, no input split)
 *   dolly                  pairs (context = input) and category (no system)
 *   text                   plain text documents only
 *   columns                pairs or text, with tags and split as columns
 * None of them has tags/split/notes (except columns); CSV cannot tell an empty cell from a missing value. An assistant
 * message's reasoning trace (reasoning_content / reasoning / thinking) is read into Turn.reasoning and written back
 * under the same key by the chat formats; pair-shaped formats carry it in the studio field.
 */
import type { Example } from '../types.ts';
import { writeCsv } from './csv.ts';
import type { Container, FormatId } from './model.ts';
import { exportProblem, writeRecord } from './writers.ts';

export type { ColumnMapping, Container, FormatId, ParsedRow, ParseResult, RowError } from './model.ts';
export { CONTAINERS, FORMAT_IDS, MAX_TEXT_LENGTH } from './model.ts';
export { detectFormat, suggestMapping } from './detect.ts';
export { exportProblem } from './writers.ts';
export { parseDatasetStream, type StreamBatch, type StreamOptions } from './stream.ts';
export { parseDataset, type ParseOptions } from './parse.ts';

export type ExportExample = Pick<Example, 'body' | 'tags' | 'split' | 'notes' | 'extra'>;

/** Thrown by exportDataset when some examples cannot be written in the chosen format. */
export class ExportError extends Error {
  override name = 'ExportError';
  constructor(readonly problems: { index: number; reason: string }[]) {
    super(
      `${problems.length} example${problems.length === 1 ? '' : 's'} cannot be exported in this format: ` +
        problems
          .slice(0, 3)
          .map((p) => `#${p.index + 1}: ${p.reason}`)
          .join('; ') +
        (problems.length > 3 ? '; …' : ''),
    );
  }
}

export function exportDataset(examples: ExportExample[], format: FormatId, container: Container): string {
  const problems = examples.flatMap((ex, index) => {
    const reason = exportProblem(ex, format);
    return reason ? [{ index, reason }] : [];
  });
  if (problems.length) throw new ExportError(problems);
  const records = examples.map((ex) => writeRecord(ex, format, container));
  if (container === 'jsonl') return records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');
  if (container === 'json') return records.length ? `[\n${records.map((r) => `  ${JSON.stringify(r)}`).join(',\n')}\n]\n` : '[]\n';
  const keys = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) keys.add(k);
  keys.delete('studio');
  const header = [...keys, ...(records.some((r) => 'studio' in r) ? ['studio'] : [])];
  const cell = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
  return writeCsv(
    header,
    records.map((r) => header.map((k) => cell(r[k]))),
  );
}
