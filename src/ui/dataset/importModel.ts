/** Helpers for the import dialog: reading a preview sample, labels, and the rejected-rows report. */
import type { Container, FormatId, RowError } from '../../data/formats';

export const FORMAT_LABELS: Record<FormatId, string> = {
  alpaca: 'Alpaca (instruction / input / output)',
  sharegpt: 'ShareGPT (conversations)',
  openai: 'OpenAI chat (messages)',
  'trl-prompt-completion': 'TRL prompt / completion',
  'trl-conversational': 'TRL conversational',
  dolly: 'Dolly (instruction / context / response)',
  text: 'Plain text documents',
  columns: 'Other columns (map them below)',
};

export const CONTAINER_LABELS: Record<Container, string> = { json: 'JSON', jsonl: 'JSON Lines', csv: 'CSV' };

/** Whole files up to this size are previewed exactly; bigger ones from their first lines. */
const WHOLE_PREVIEW = 2 * 1024 * 1024;
const SAMPLE_BYTES = 256 * 1024;

/** Text for detection and preview; `partial` when only the start of a big file was read (cut at a line end). */
export async function readSample(file: File): Promise<{ text: string; partial: boolean }> {
  if (file.size <= WHOLE_PREVIEW) return { text: await file.text(), partial: false };
  const head = await file.slice(0, SAMPLE_BYTES).text();
  const cut = head.lastIndexOf('\n');
  return { text: cut > 0 ? head.slice(0, cut) : head, partial: true };
}

export function rejectedReport(errors: RowError[]): string {
  return errors.map((e) => JSON.stringify({ line: e.line, reason: e.reason, raw: e.raw })).join('\n') + '\n';
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
