/**
 * `train`'s dataset and plan reporting: the examples with their source lines (and a seeded validation split when the
 * data has none), and what the plan says about them (skipped examples by line, warnings, overlong, steps).
 */
import { describeOverlong, shuffled, type TrainingExample } from '../train/data.ts';
import type { RunPlan } from '../train/run.ts';
import type { FormatId } from '../data/formats/index.ts';
import { noRowsMessage, readRows } from './dataset.ts';

export interface LoadedData {
  examples: TrainingExample[];
  /** Source line of each example (for messages). */
  lines: number[];
  badRows: number;
  /** Cheap fingerprint of the examples (FNV-1a over their JSON), for resume checks. */
  hash: string;
}

export async function readDataset(path: string, format: FormatId | undefined, evalSplit: number, seed: number): Promise<LoadedData> {
  const examples: TrainingExample[] = [];
  const lines: number[] = [];
  const summary = await readRows(path, format, (row) => {
    examples.push({ body: row.body, ...(row.split ? { split: row.split } : {}) });
    lines.push(row.line);
  });
  if (examples.length === 0) throw new Error(noRowsMessage(path, summary));
  // No validation split in the data: hold out a seeded random fraction (always leaving one to train on).
  if (evalSplit > 0 && !examples.some((e) => e.split === 'validation')) {
    const n = Math.min(examples.length - 1, Math.round(examples.length * evalSplit));
    for (const i of shuffled([...examples.keys()], seed).slice(0, n)) examples[i] = { ...examples[i], split: 'validation' };
  }
  let h = 0x811c9dc5;
  const text = JSON.stringify(examples);
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return { examples, lines, badRows: summary.badRows, hash: `${examples.length}:${(h >>> 0).toString(16)}` };
}

export function reportPlan(plan: RunPlan, lines: number[], evalSplit: number): void {
  for (const s of plan.skipped) console.error(`line ${lines[s.index]}: skipped: ${s.reason}`);
  const shown = plan.warnings.slice(0, 5);
  for (const w of shown) console.error(`warning: ${w}`);
  if (plan.warnings.length > shown.length) console.error(`warning: … and ${plan.warnings.length - shown.length} more`);
  const overlong = describeOverlong(plan.overlong);
  if (overlong) console.error(`note: ${overlong}${plan.overlong!.action === 'truncate' ? ' (--overlong skip leaves them out)' : ''}`);
  if (plan.evalNote) console.error(`note: ${plan.evalNote}${evalSplit > 0 ? '' : ' (--eval-split 0)'}`);
  console.log(
    `${plan.trainExamples} training example${plan.trainExamples === 1 ? '' : 's'} (${plan.trainedTokens} trained tokens), ` +
      `${plan.validationExamples} validation; ${plan.totalSteps} step${plan.totalSteps === 1 ? '' : 's'} (${plan.stepsPerEpoch} per epoch)`,
  );
}
