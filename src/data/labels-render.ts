/**
 * Text rendering of a labeled example for terminals and logs: the decoded text with trained stretches highlighted —
 * green when colored, ⟦…⟧ when plain — so "what is trained" can be read at a glance.
 */
import type { StudioTokenizer } from '../text/tokenizer.ts';
import { IGNORE_INDEX, type LabeledExample } from './labels.ts';

const GREEN = '\x1b[32m';
const DIM = '\x1b[2m';
const YELLOW = '\x1b[33m';
const RESET = '\x1b[0m';

export const PLAIN_OPEN = '⟦';
export const PLAIN_CLOSE = '⟧';

/** Runs of consecutive tokens that are all trained or all masked, decoded together (keeps multi-byte text intact). */
export function labelRuns(tokenizer: StudioTokenizer, ex: Pick<LabeledExample, 'inputIds' | 'labels'>): { trained: boolean; text: string }[] {
  const runs: { trained: boolean; text: string }[] = [];
  let start = 0;
  for (let t = 1; t <= ex.inputIds.length; t++) {
    const trained = ex.labels[start] !== IGNORE_INDEX;
    if (t === ex.inputIds.length || (ex.labels[t] !== IGNORE_INDEX) !== trained) {
      runs.push({ trained, text: tokenizer.decode(ex.inputIds.slice(start, t)) });
      start = t;
    }
  }
  return runs;
}

export function renderLabeled(tokenizer: StudioTokenizer, ex: LabeledExample, opts: { color: boolean; title: string }): string {
  const head = `── ${opts.title} · ${ex.inputIds.length} tokens · ${ex.trainedCount} trained · ${ex.maskedCount} masked${ex.truncated ? ' · truncated' : ''}`;
  const body = labelRuns(tokenizer, ex)
    .map((r) => (opts.color ? `${r.trained ? GREEN : DIM}${r.text}${RESET}` : r.trained ? `${PLAIN_OPEN}${r.text}${PLAIN_CLOSE}` : r.text))
    .join('');
  const warnings = ex.warnings.map((w) => (opts.color ? `${YELLOW}warning: ${w}${RESET}` : `warning: ${w}`));
  return [head, body, ...warnings].join('\n');
}
