/**
 * One reader per format: a row object → an example body (+ tags the format implies), and the keys it used. Keys not
 * used stay in the row's `extra`. Every problem throws a RowProblem with a precise reason.
 */
import { pairUserText, type ExampleBody, type Role, type Turn } from '../types.ts';
import { checkChat, isObj, optionalText, parseSplit, parseTags, readMessages, requiredText, structured, typeName, type MessageShape, type Obj, type ReadContext } from './fields.ts';
import { RowProblem, type ColumnMapping, type FormatId } from './model.ts';
import type { Split } from '../types.ts';

export interface ReadResult {
  body: ExampleBody;
  consumed: string[];
  tags?: string[];
  split?: Split;
}

export const SHAREGPT_SHAPE: MessageShape = {
  roleKeys: ['from', 'role'],
  contentKeys: ['value', 'content'],
  roles: { human: 'user', user: 'user', gpt: 'assistant', assistant: 'assistant', chatgpt: 'assistant', bard: 'assistant', model: 'assistant', system: 'system' },
  canonical: { user: 'human', assistant: 'gpt', system: 'system' },
};

export const OPENAI_SHAPE: MessageShape = {
  roleKeys: ['role'],
  contentKeys: ['content'],
  roles: { system: 'system', developer: 'system', user: 'user', assistant: 'assistant' },
  canonical: { user: 'user', assistant: 'assistant', system: 'system' },
  parts: true,
};

export const TRL_SHAPE: MessageShape = { ...OPENAI_SHAPE, roles: { system: 'system', user: 'user', assistant: 'assistant' }, parts: false };

function alpaca(obj: Obj, ctx: ReadContext): ReadResult {
  const instruction = requiredText(obj, 'instruction', ctx);
  const input = optionalText(obj, 'input', ctx) ?? '';
  const output = requiredText(obj, 'output', ctx);
  const system = optionalText(obj, 'system', ctx);
  const consumed = ['instruction', 'input', 'output', 'system', 'history'];
  const history = structured(obj, 'history', ctx);
  if (history === undefined || (Array.isArray(history) && history.length === 0)) {
    const body: ExampleBody = { kind: 'pair', instruction, input, output };
    if (system !== undefined && !(ctx.csv && system === '')) body.system = system;
    return { body, consumed };
  }
  if (!Array.isArray(history)) throw new RowProblem(`field "history" must be a list of [instruction, response] pairs, got ${typeName(history)}`);
  const messages: Turn[] = system ? [{ role: 'system', content: system }] : [];
  history.forEach((h, i) => {
    if (!Array.isArray(h) || h.length !== 2 || typeof h[0] !== 'string' || typeof h[1] !== 'string')
      throw new RowProblem(`history[${i}] must be a pair of texts [instruction, response]`);
    messages.push({ role: 'user', content: h[0] }, { role: 'assistant', content: h[1] });
  });
  messages.push({ role: 'user', content: pairUserText({ instruction, input }) }, { role: 'assistant', content: output });
  return { body: { kind: 'chat', messages: checkChat(messages) }, consumed };
}

function sharegpt(obj: Obj, ctx: ReadContext): ReadResult {
  const list = structured(obj, 'conversations', ctx);
  if (list === undefined) throw new RowProblem('missing field "conversations"');
  const messages = readMessages(list, 'conversations', SHAREGPT_SHAPE);
  const consumed = ['conversations'];
  const system = optionalText(obj, 'system', ctx);
  if (system && !messages.some((m) => m.role === 'system')) {
    messages.unshift({ role: 'system', content: system }); // a top-level "system" key becomes the first turn
    consumed.push('system');
  }
  return { body: { kind: 'chat', messages: checkChat(messages) }, consumed };
}

function openai(obj: Obj, ctx: ReadContext): ReadResult {
  const list = structured(obj, 'messages', ctx);
  if (list === undefined) throw new RowProblem('missing field "messages"');
  return { body: { kind: 'chat', messages: checkChat(readMessages(list, 'messages', OPENAI_SHAPE)) }, consumed: ['messages'] };
}

function trlConversational(obj: Obj, ctx: ReadContext): ReadResult {
  if ('messages' in obj) {
    const list = structured(obj, 'messages', ctx);
    return { body: { kind: 'chat', messages: checkChat(readMessages(list, 'messages', TRL_SHAPE)) }, consumed: ['messages'] };
  }
  const prompt = structured(obj, 'prompt', ctx);
  const completion = structured(obj, 'completion', ctx);
  if (prompt === undefined) throw new RowProblem('missing field "prompt" (or "messages")');
  if (completion === undefined) throw new RowProblem('missing field "completion"');
  const p = readMessages(prompt, 'prompt', TRL_SHAPE);
  const c = readMessages(completion, 'completion', TRL_SHAPE);
  if (c.length === 0) throw new RowProblem('field "completion" has no messages');
  const bad = c.findIndex((m) => m.role !== 'assistant');
  if (bad >= 0) throw new RowProblem(`completion turn ${bad + 1} is a ${c[bad].role} message; the completion must be assistant messages`);
  return { body: { kind: 'chat', messages: checkChat([...p, ...c]) }, consumed: ['prompt', 'completion'] };
}

function trlPromptCompletion(obj: Obj, ctx: ReadContext): ReadResult {
  const instruction = requiredText(obj, 'prompt', ctx);
  const output = requiredText(obj, 'completion', ctx);
  return { body: { kind: 'pair', instruction, input: '', output }, consumed: ['prompt', 'completion'] };
}

function dolly(obj: Obj, ctx: ReadContext): ReadResult {
  const instruction = requiredText(obj, 'instruction', ctx);
  const input = optionalText(obj, 'context', ctx) ?? '';
  const output = requiredText(obj, 'response', ctx);
  const category = optionalText(obj, 'category', ctx);
  // category stays in extra too (not consumed), so it round-trips even when tags are edited
  return { body: { kind: 'pair', instruction, input, output }, consumed: ['instruction', 'context', 'response'], tags: category?.trim() ? [category.trim()] : [] };
}

function text(obj: Obj, ctx: ReadContext): ReadResult {
  return { body: { kind: 'text', text: requiredText(obj, 'text', ctx) }, consumed: ['text'] };
}

function columns(obj: Obj, ctx: ReadContext, mapping: ColumnMapping | undefined): ReadResult {
  if (!mapping || (!mapping.text && !(mapping.instruction && mapping.output)))
    throw new RowProblem('the columns format needs a mapping: a text column, or instruction and output columns');
  const consumed = Object.values(mapping).filter((c): c is string => typeof c === 'string' && c !== '');
  const cell = (col: string | undefined) => (col ? obj[col] : undefined);
  let tags: string[] | undefined;
  let split: Split | undefined;
  const tagCell = cell(mapping.tags);
  if (tagCell !== undefined && tagCell !== null && tagCell !== '') {
    const jsonList = ctx.csv && typeof tagCell === 'string' && tagCell.trim().startsWith('[');
    tags = parseTags(jsonList ? structured(obj, mapping.tags!, ctx) : tagCell, `column "${mapping.tags}"`);
  }
  const splitCell = cell(mapping.split);
  if (splitCell !== undefined && splitCell !== null && splitCell !== '') split = parseSplit(splitCell, `column "${mapping.split}"`);
  // A file may mix documents and pairs: a row with text and no instruction is a document.
  const filled = (col: string | undefined) => typeof cell(col) === 'string' && (cell(col) as string).trim() !== '';
  if (mapping.text && (!mapping.instruction || (!filled(mapping.instruction) && filled(mapping.text))))
    return { body: { kind: 'text', text: requiredText(obj, mapping.text, ctx) }, consumed, tags, split };
  const body: ExampleBody = {
    kind: 'pair',
    instruction: requiredText(obj, mapping.instruction!, ctx),
    input: mapping.input ? (optionalText(obj, mapping.input, ctx) ?? '') : '',
    output: requiredText(obj, mapping.output!, ctx),
  };
  const system = mapping.system ? optionalText(obj, mapping.system, ctx) : undefined;
  if (system !== undefined && !(ctx.csv && system === '')) body.system = system;
  return { body, consumed, tags, split };
}

export function readRow(format: FormatId, obj: unknown, ctx: ReadContext, mapping?: ColumnMapping): ReadResult {
  if (!isObj(obj)) throw new RowProblem(`a row must be a JSON object, got ${typeName(obj)}`);
  switch (format) {
    case 'alpaca':
      return alpaca(obj, ctx);
    case 'sharegpt':
      return sharegpt(obj, ctx);
    case 'openai':
      return openai(obj, ctx);
    case 'trl-conversational':
      return trlConversational(obj, ctx);
    case 'trl-prompt-completion':
      return trlPromptCompletion(obj, ctx);
    case 'dolly':
      return dolly(obj, ctx);
    case 'text':
      return text(obj, ctx);
    case 'columns':
      return columns(obj, ctx, mapping);
  }
}

/** Role names as the exporters spell them, per message format. */
export const ROLE_SPELLING: Record<'sharegpt' | 'openai', Record<Role, string>> = {
  sharegpt: SHAREGPT_SHAPE.canonical,
  openai: OPENAI_SHAPE.canonical,
};
