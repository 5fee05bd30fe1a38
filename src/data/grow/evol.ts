/**
 * Evol-Instruct (Xu et al. 2023, WizardLM), as prompt builders and the elimination checks. An operation asks the model
 * to rewrite one instruction into a harder one (in depth: add constraints, deepen, concretise, add reasoning steps) or
 * into a new one of the same domain (in breadth). The rewrite is then answered like any instruction. An evolution is
 * eliminated when the rewrite did not change the instruction, when it copies words of the rewriting prompt itself, or
 * when the response is empty, too short or a refusal (filters.ts checks the response).
 */
import type { Turn } from '../types';
import { checkResponse, DEFAULT_FILTERS, type FilterOptions, type FilterReason } from './filters';
import { normalizeText, words } from './text';

export type EvolOp = 'constraints' | 'deepen' | 'concretize' | 'reasoning' | 'breadth';

export const EVOL_OPS: { id: EvolOp; label: string; hint: string }[] = [
  { id: 'constraints', label: 'Add constraints', hint: 'one more requirement or limit the answer must meet' },
  { id: 'deepen', label: 'Deepen', hint: 'ask about the topic in more depth and breadth' },
  { id: 'concretize', label: 'Concretise', hint: 'replace general ideas with specific ones' },
  { id: 'reasoning', label: 'Add reasoning steps', hint: 'make it need several explicit steps of reasoning' },
  { id: 'breadth', label: 'Widen (new task)', hint: 'a new task in the same domain, rarer and just as long' },
];

/** What the model is told to do with the instruction, per operation (our wording). */
const ASK: Record<EvolOp, string> = {
  constraints: 'Add exactly one more constraint or requirement to it (for example a length limit, a format, an audience or something the answer must include or avoid).',
  deepen: 'Make it ask about the subject in more depth: where it asks about something specific, ask about the reasons, consequences or trade-offs too.',
  concretize: 'Replace the general ideas in it with more specific, concrete ones (name a concrete situation, object, number or example).',
  reasoning: 'Rewrite it so that answering clearly needs several steps of reasoning, and ask for those steps to be shown.',
  breadth: 'Do not rewrite it: write a brand-new task in the same domain that is less common, about as long and just as answerable.',
};

/** Words of the rewriting prompt that must not leak into the evolved instruction (WizardLM's elimination rule). */
export const PROMPT_MARKERS = ['given task', 'rewritten task', 'new task:', '#given', '#rewritten', 'rewrite it', 'the task above'];

/** Rewritten instructions must stay answerable and not balloon: at most this many words added. */
const MAX_ADDED_WORDS = 40;

export function evolMessages(op: EvolOp, instruction: string): Turn[] {
  const content =
    `You rewrite tasks for an assistant so they become harder but stay reasonable and answerable with text.\n\n` +
    `Given task:\n${instruction.trim()}\n\n` +
    `${ASK[op]} Add at most ${MAX_ADDED_WORDS} words. Keep any input the task refers to. ` +
    `Reply with the new task only, without any preface or explanation.`;
  return [{ role: 'user', content }];
}

/** The evolved instruction out of the model's reply: labels like "Rewritten task:" and wrapping quotes removed. */
export function parseEvolved(reply: string): string {
  let t = reply.trim().replace(/^(?:#?\s*(?:rewritten|new|evolved|created)\s+(?:task|prompt|instruction)#?\s*:?\s*)/i, '');
  if (/^(["“'])(.*)(["”'])$/su.test(t)) t = t.slice(1, -1);
  return t.trim();
}

/** Why an evolved instruction is eliminated before it is answered, or null. */
export function checkEvolved(original: string, evolved: string): FilterReason | null {
  if (!evolved.trim()) return 'empty';
  if (normalizeText(evolved) === normalizeText(original)) return 'no-change';
  const low = evolved.toLowerCase();
  if (PROMPT_MARKERS.some((m) => low.includes(m))) return 'copied-prompt';
  return null;
}

/**
 * The full elimination for one evolution: the instruction checks above, then the response checks (empty, too short,
 * degenerate, refusal). "Too short" is relative here: a response of under 3 words to an evolved (harder) task.
 */
export function checkEvolution(original: string, evolved: string, response: string, opts: FilterOptions = DEFAULT_FILTERS): FilterReason | null {
  const r = checkEvolved(original, evolved) ?? checkResponse(evolved, response, opts);
  if (r) return r;
  return words(response).length < 3 ? 'short-response' : null;
}
