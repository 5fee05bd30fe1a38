/**
 * What an evaluation asks of each example, for the Evaluation page and `cli eval` alike: the prompt (everything
 * before the answer) and the reference answer.
 *  - pair: the system prompt (its own, else the dataset's default; '' = none) and the user text; reference = output.
 *  - chat: the turns before the last assistant turn (the dataset's system prompt first when the chat has none);
 *    reference = that turn's content. A chat without an assistant turn has no reference.
 *  - text: the first half of its words, to be continued; reference = the rest.
 */
import { pairUserText, type ExampleBody, type Turn } from '../data/types';

export type EvalPrompt = { kind: 'chat'; messages: Turn[] } | { kind: 'text'; text: string };

export interface EvalItem {
  id: string;
  prompt: EvalPrompt;
  /** The last user text (chat) or the text's first half: one line for tables. */
  promptText: string;
  reference: string | null;
  tags: string[];
}

function withSystem(messages: Turn[], system: string | undefined): Turn[] {
  if (!system || messages.some((m) => m.role === 'system')) return messages;
  return [{ role: 'system', content: system }, ...messages];
}

export function evalItem(ex: { id: string; body: ExampleBody; tags?: readonly string[] }, datasetSystem = ''): EvalItem {
  const tags = [...(ex.tags ?? [])];
  const b = ex.body;
  if (b.kind === 'pair') {
    const system = b.system !== undefined ? b.system : datasetSystem;
    const user = pairUserText(b);
    return { id: ex.id, prompt: { kind: 'chat', messages: withSystem([{ role: 'user', content: user }], system) }, promptText: user, reference: b.output, tags };
  }
  if (b.kind === 'chat') {
    let last = -1;
    b.messages.forEach((m, i) => m.role === 'assistant' && (last = i));
    const before = (last >= 0 ? b.messages.slice(0, last) : b.messages).map(({ role, content }) => ({ role, content }));
    const user = [...before].reverse().find((m) => m.role === 'user')?.content ?? '';
    return { id: ex.id, prompt: { kind: 'chat', messages: withSystem(before, datasetSystem) }, promptText: user, reference: last >= 0 ? b.messages[last].content : null, tags };
  }
  const words = b.text.split(/(\s+)/); // words and the whitespace between them, so the halves join back exactly
  const cut = 2 * Math.ceil(words.filter((w) => w.trim()).length / 2) - 1;
  const head = words.slice(0, Math.max(1, cut)).join('');
  const rest = words.slice(Math.max(1, cut)).join('');
  return { id: ex.id, prompt: { kind: 'text', text: head }, promptText: head, reference: rest.trim() ? rest : null, tags };
}
