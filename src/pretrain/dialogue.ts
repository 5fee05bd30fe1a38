/**
 * Dialogue-formatted pretraining documents, so the chat markup is learned in pretraining: `<|im_start|>` and
 * `<|im_end|>` become next-token targets (v1 never saw them, so after a LoRA-trained answer p(<|im_end|>) was ~2%;
 * docs/BUILTIN_MODEL.md). Every conversation is made from the Brown TRAINING documents only (the held-out ones are
 * never passed in) and rendered by the tokenizer's own chat template (StudioTokenizer.applyTemplate), exactly as the
 * fine-tuning label builder renders a conversation, then encoded by the same tokenizer: no hand-written token ids.
 *
 * The tasks are simple things a reader of the sentence can do, with a definite answer taken from the text:
 *   continue   a sentence → the next sentence of the same paragraph
 *   repeat     a sentence → the sentence
 *   first/last a sentence → its first / last word
 *   say        "Say WORD." → the word (a word of the sentence)
 * Deliberately absent: anything about the word that follows a word (the "Try it" run's held-out questions, "Finish
 * the phrase: WORD", measure exactly that; FORBIDDEN lists the wordings the test checks are never produced).
 *
 * A conversation is one to three exchanges on consecutive sentences of one document, picked by a seeded generator
 * (mulberry32), so the same (documents, seed, size) always gives the same conversations.
 */
import type { Turn } from '../data/types';
import { hashSeed, mulberry32 } from '../engine/model/random';
import type { StudioTokenizer } from '../text/tokenizer';

export type DialogueTask = 'continue' | 'repeat' | 'first-word' | 'last-word' | 'say';
export const DIALOGUE_TASKS: DialogueTask[] = ['continue', 'repeat', 'first-word', 'last-word', 'say'];

/**
 * Wordings no instruction may use (they would overlap the Try-it measurement). The quoted Brown sentences may contain
 * such words in passing ("before we finish"); the test checks that no conversation says "Finish the phrase".
 */
export const FORBIDDEN = [/finish/i, /phrase/i, /next word/i, /word (that )?(comes )?(after|follows)/i, /complete/i, /collocat/i];

/** The instructions of each task; {s} is the sentence, {w} a word. */
export const ASK: Record<DialogueTask, string[]> = {
  continue: ['Continue this text:\n\n{s}', 'What sentence comes after this one?\n\n{s}', 'Go on from here: {s}', 'Write the sentence that follows.\n\n{s}'],
  repeat: ['Repeat after me: {s}', 'Say this back to me exactly: {s}', 'Copy this sentence.\n\n{s}', 'Please repeat: {s}'],
  'first-word': ['What is the first word of this sentence? {s}', 'Which word does this sentence start with?\n\n{s}', 'First word of: {s}'],
  'last-word': ['What is the last word of this sentence? {s}', 'Which word does this sentence end with?\n\n{s}', 'Last word of: {s}'],
  say: ['Say {w}.', 'Say the word "{w}".', 'Please say {w}.', 'Just say "{w}", nothing else.'],
};

/** A sentence ends at . ! ? (and a closing quote or bracket), not after a title, an initial or "No.", before a capital. */
const SENTENCE_END = /(?<!\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Mt|Ft|Gen|Gov|Sen|Rep|Col|Lt|Capt|Prof|Rev|Inc|Co|Corp|No|vs|[A-Z])\.)(?<=[.!?]["')]?)\s+(?=["'(]?[A-Z])/;

/** The paragraphs of a document, each as its sentences in order (usable or not: see usableSentence). */
export function splitSentences(doc: string): string[][] {
  return doc
    .split(/\n\s*\n/)
    .map((para) => para.replace(/\s+/g, ' ').trim())
    .filter((para) => para !== '')
    .map((para) => para.split(SENTENCE_END).map((s) => s.trim()));
}

/** Sentences the tasks use: 4–60 words, ending with . ! ? (a heading or a cut-off fragment is skipped). */
export function usableSentence(s: string): boolean {
  const n = s.split(' ').length;
  return n >= 4 && n <= 60 && /[.!?]["')]?$/.test(s);
}

/** The words of a sentence without surrounding punctuation (letters, digits, inner apostrophes and hyphens). */
export function sentenceWords(s: string): string[] {
  return s.split(' ').map((w) => w.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')).filter((w) => /^[A-Za-z0-9][A-Za-z0-9'-]*$/.test(w));
}

export interface Exchange {
  task: DialogueTask;
  user: string;
  assistant: string;
}

/** One exchange of `task` on sentence `i` of `para` (null when the task does not apply, e.g. continue on the last one). */
export function makeExchange(task: DialogueTask, para: string[], i: number, rand: () => number): Exchange | null {
  const s = para[i];
  if (!usableSentence(s)) return null;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const words = sentenceWords(s);
  if (words.length === 0) return null;
  const ask = (answer: string, w = '') => ({ task, user: pick(ASK[task]).replace('{s}', s).replace('{w}', w), assistant: answer });
  switch (task) {
    case 'continue':
      return i + 1 < para.length && usableSentence(para[i + 1]) ? ask(para[i + 1]) : null;
    case 'repeat':
      return ask(s);
    case 'first-word':
      return ask(words[0]);
    case 'last-word':
      return ask(words[words.length - 1]);
    case 'say': {
      const w = pick(words);
      return ask(w, w);
    }
  }
}

export interface DialogueOptions {
  seed: number;
  /** Stop once the conversations' rendered text reaches this many characters. */
  chars: number;
  /** Most exchanges per conversation (default 3). */
  maxExchanges?: number;
}

/** Seeded conversations over the given (training) documents, as message lists. */
export function dialogues(docs: readonly string[], o: DialogueOptions): Turn[][] {
  const rand = mulberry32(hashSeed(o.seed, 'dialogue'));
  const paras = docs.flatMap((d) => splitSentences(d));
  if (paras.length === 0) throw new Error('no sentences to build dialogues from');
  const out: Turn[][] = [];
  let chars = 0;
  while (chars < o.chars) {
    const para = paras[Math.floor(rand() * paras.length)];
    let i = Math.floor(rand() * para.length);
    const n = 1 + Math.floor(rand() * (o.maxExchanges ?? 3));
    const messages: Turn[] = [];
    for (let k = 0; k < n && i < para.length; k++, i++) {
      const e = makeExchange(DIALOGUE_TASKS[Math.floor(rand() * DIALOGUE_TASKS.length)], para, i, rand);
      if (!e) continue;
      messages.push({ role: 'user', content: e.user }, { role: 'assistant', content: e.assistant });
      chars += e.user.length + e.assistant.length;
    }
    if (messages.length) out.push(messages);
  }
  return out;
}

/** A conversation as the model's chat template renders it (every turn closed, no generation prompt). */
export function renderDialogue(tokenizer: StudioTokenizer, messages: Turn[]): string {
  if (!tokenizer.chatTemplate) throw new Error('the tokenizer has no chat template to render dialogues with');
  return tokenizer.applyTemplate(messages, { addGenerationPrompt: false });
}

/** Token ids of each conversation (rendered text encoded without adding special tokens: the template wrote them). */
export function encodeDialogues(tokenizer: StudioTokenizer, conversations: Turn[][]): number[][] {
  return conversations.map((m) => tokenizer.encode(renderDialogue(tokenizer, m), { addSpecialTokens: false }));
}
