/**
 * Self-Instruct (Wang et al. 2023), as prompt builders and a parser. One round: sample k tasks — mostly from the
 * dataset, a few from earlier accepted generations so the pool drifts — and show them as a numbered list, asking for
 * more tasks in the same list; parse the numbered instructions out of the reply; filter them (filters.ts); then ask for
 * a response to each survivor on its own, as a user would ask it.
 */
import type { Turn } from '../types';

export interface SeedTask {
  instruction: string;
  input?: string;
}

/** Shuffles a copy with `rand` (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * k tasks for one prompt: up to `fromGenerated` of them from the generated pool (Self-Instruct uses 2 of 8), the rest
 * from the dataset; when one pool runs short the other fills in. Order is shuffled so the generated ones are not
 * always last.
 */
export function sampleSeedTasks(dataset: readonly SeedTask[], generated: readonly SeedTask[], k: number, rand: () => number, fromGenerated = 2): SeedTask[] {
  const g = Math.min(fromGenerated, generated.length, k);
  const d = Math.min(k - g, dataset.length);
  const picked = [...shuffled(dataset, rand).slice(0, d), ...shuffled(generated, rand).slice(0, Math.min(k - d, generated.length))];
  return shuffled(picked, rand);
}

function taskLine(t: SeedTask): string {
  const one = (s: string) => s.trim().replace(/\s*\n+\s*/g, ' ');
  return t.input?.trim() ? `${one(t.instruction)} Input: ${one(t.input)}` : one(t.instruction);
}

/** The chat messages that ask for `count` new tasks in the style of `examples`. */
export function selfInstructMessages(examples: readonly SeedTask[], count: number): Turn[] {
  const list = examples.map((t, i) => `${i + 1}. ${taskLine(t)}`).join('\n');
  const content =
    `Here are ${examples.length} tasks someone asked an assistant to do:\n${list}\n\n` +
    `Write ${count} new tasks that are different from these and from each other. Vary the topic, the kind of task ` +
    `(questions, explanations, rewriting, classification, short writing, brainstorming, reasoning) and the wording. ` +
    `Each task must be a single self-contained instruction that can be answered with text alone (no pictures, files, ` +
    `audio or web browsing). Answer with a numbered list continuing from ${examples.length + 1}, one task per line, ` +
    `and nothing else.`;
  return [{ role: 'user', content }];
}

/** The chat messages that ask for a response to one generated instruction (sent as the user would send it). */
export function responseMessages(instruction: string, input = ''): Turn[] {
  return [{ role: 'user', content: input.trim() ? `${instruction}\n\n${input}` : instruction }];
}

const ITEM = /^\s*(?:(?:task|instruction)\s*)?(?:\d{1,3}\s*[.):]|[-*•]|#\d{1,3}[.):]?)\s*(.*)$/i;
const LABEL = /^(?:(?:new\s+)?(?:task|instruction)\s*(?:\d{1,3})?\s*[:.-]\s*)/i;

function clean(s: string): string {
  let t = s.trim().replace(LABEL, '').trim();
  if (/^(["“'])(.*)(["”'])$/su.test(t)) t = t.slice(1, -1).trim();
  return t.replace(/\s+/g, ' ');
}

/**
 * The instructions in a model's reply: items of a numbered ("3.", "3)", "Task 3:") or bulleted list, with wrapped
 * lines joined to their item. A reply with no list at all gives its first non-empty line (small models often write
 * one task without a number). Empty items are dropped; duplicates within the reply are kept (the filters count them).
 */
export function parseInstructions(reply: string): string[] {
  const lines = reply.replace(/\r\n?/g, '\n').split('\n');
  const items: string[] = [];
  let open = false;
  for (const line of lines) {
    const m = ITEM.exec(line);
    if (m) {
      items.push(m[1]);
      open = true;
    } else if (!line.trim()) open = false;
    else if (open) items[items.length - 1] += ` ${line.trim()}`;
  }
  if (items.length === 0) {
    const first = lines.find((l) => l.trim());
    return first ? [clean(first)].filter(Boolean) : [];
  }
  return items.map(clean).filter(Boolean);
}
