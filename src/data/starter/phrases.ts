/**
 * The "Try it" starter: teach the built-in model (public/models/studio-base, pretrained on the Brown corpus only) to
 * finish phrases it read. Each question is "Finish the phrase: WORD" and the answer is the word that most often
 * follows WORD in the model's training documents: "able" → "to", "instead" → "of", "across" → "the", "must" → "be".
 * The base model stored these word pairs while it learned to continue English text, but it has never seen a chat:
 * asked in ChatML it rambles on and never ends its turn. A short LoRA run on the trained part teaches it the answer
 * format and to stop; on the held-out part (questions it was never trained on) the tuned model answers from what
 * pretraining put there, which the base model cannot, and which no single guessed answer matches.
 *
 * How the phrases were chosen (phrases.select.ts, from the corpus counts in phraseStats.ts): a lower-case word whose
 * most frequent next word is to/of/the/be, together at least 20 times and at least 25% of the word's occurrences.
 * Sorted by count, every third candidate of each answer is held out, by the corpus alone; the others are trained when
 * the base model, given just " word" as plain text, already ranks the right answer first of the four — the run
 * teaches the format and how to read out what the model knows, not new facts.
 *
 * The answers start with a space (" to"): in this byte-level BPE " to" — with its space — is the token the model met
 * in running text, while "to" after the template's newline is a different, rarer token. The playground shows the
 * reply without it; the exact-match check (src/train/exactMatch.ts) compares trimmed text.
 *
 * Ending the turn is learned only just: LoRA leaves the tied embedding frozen, and pretraining left <|im_end|>'s row
 * almost the same vector as the ~200 other rows it never saw as targets (unused bytes, <|im_start|>: cosine ≈ 1, norm
 * 5.09), so after the answer p(<|im_end|>) stays near 2% (its loss 3.91 when the answer's is 0.04). It is still the
 * most likely token, so greedy decoding (the playground's default, and the check) ends the turn; sampling at a
 * temperature above 0 mostly picks one of the look-alikes instead.
 */
import type { Split } from '../types';
import { pair, type StarterDataset } from './types';

export const PHRASE_ANSWERS = ['to', 'of', 'the', 'be'] as const;

export interface Phrase {
  start: string;
  next: string;
  /** Times "start next" occurs in the model's training documents. */
  count: number;
  /** count / occurrences of `start`. */
  share: number;
  split: Split;
}

// [start, next, count, share, split] — the output of `npx tsx src/data/starter/phrases.select.ts`.
const ROWS: [string, (typeof PHRASE_ANSWERS)[number], number, number, Split][] = [
  ['going', 'to', 230, 0.602, 'train'],
  ['number', 'of', 359, 0.786, 'train'],
  ['of', 'the', 9409, 0.266, 'train'],
  ['will', 'be', 586, 0.269, 'train'],
  ['able', 'to', 189, 0.883, 'train'],
  ['part', 'of', 281, 0.623, 'validation'],
  ['in', 'the', 5411, 0.282, 'train'],
  ['can', 'be', 490, 0.288, 'validation'],
  ['want', 'to', 159, 0.495, 'validation'],
  ['kind', 'of', 228, 0.738, 'train'],
  ['on', 'the', 2252, 0.359, 'validation'],
  ['may', 'be', 437, 0.352, 'train'],
  ['seemed', 'to', 158, 0.500, 'train'],
  ['use', 'of', 200, 0.364, 'train'],
  ['at', 'the', 1471, 0.303, 'train'],
  ['must', 'be', 368, 0.373, 'train'],
  ['enough', 'to', 156, 0.371, 'train'],
  ['end', 'of', 190, 0.481, 'validation'],
  ['from', 'the', 1321, 0.320, 'train'],
  ['should', 'be', 338, 0.397, 'validation'],
  ['began', 'to', 134, 0.454, 'validation'],
  ['sense', 'of', 152, 0.497, 'train'],
  ['by', 'the', 1274, 0.255, 'validation'],
  ['cannot', 'be', 73, 0.285, 'train'],
  ['trying', 'to', 134, 0.838, 'train'],
  ['members', 'of', 147, 0.474, 'train'],
  ['into', 'the', 659, 0.376, 'train'],
  ['seems', 'to', 127, 0.510, 'train'],
  ['side', 'of', 130, 0.354, 'validation'],
  ['over', 'the', 349, 0.296, 'train'],
  ['order', 'to', 125, 0.352, 'validation'],
  ['sort', 'of', 113, 0.724, 'train'],
  ['through', 'the', 339, 0.370, 'validation'],
  ['tried', 'to', 116, 0.699, 'train'],
  ['front', 'of', 104, 0.484, 'train'],
  ['during', 'the', 256, 0.577, 'train'],
  ['wanted', 'to', 115, 0.516, 'train'],
  ['group', 'of', 102, 0.272, 'validation'],
  ['against', 'the', 242, 0.399, 'train'],
  ['seem', 'to', 111, 0.493, 'validation'],
  ['amount', 'of', 98, 0.676, 'train'],
  ['between', 'the', 221, 0.312, 'validation'],
  ['according', 'to', 106, 0.972, 'train'],
  ['type', 'of', 98, 0.505, 'train'],
  ['under', 'the', 185, 0.296, 'train'],
  ['likely', 'to', 96, 0.640, 'train'],
  ['development', 'of', 97, 0.317, 'validation'],
  ['across', 'the', 173, 0.650, 'train'],
  ['expected', 'to', 88, 0.481, 'validation'],
  ['instead', 'of', 97, 0.764, 'train'],
  ['toward', 'the', 141, 0.376, 'validation'],
  ['try', 'to', 75, 0.600, 'validation'],
  ['matter', 'of', 90, 0.298, 'validation'],
  ['upon', 'the', 136, 0.293, 'validation'],
];

export const PHRASES: Phrase[] = ROWS.map(([start, next, count, share, split]) => ({ start, next, count, share, split }));

export const phraseQuestion = (start: string): string => `Finish the phrase: ${start}`;

/** The stored answer, with its leading space (see the file comment). */
export const phraseAnswer = (next: string): string => ` ${next}`;

export const TRY_IT_NAME = 'Try it · Finish the phrase';

export const tryItPhrases: StarterDataset = {
  name: TRY_IT_NAME,
  description:
    'Questions about word pairs the built-in model read in pretraining ("Finish the phrase: able" → "to"). ' +
    'The validation split is held out: after training, check how many of those the tuned model gets right.',
  systemPrompt: '',
  examples: PHRASES.map((p) => ({
    body: pair(phraseQuestion(p.start), '', phraseAnswer(p.next)),
    tags: ['qa'],
    split: p.split,
    notes:
      `In the Brown corpus "${p.start}" is followed by "${p.next}" ${p.count} times (${Math.round(p.share * 100)}% of its uses).` +
      (p.split === 'validation' ? ' Held out: never trained, asked after training.' : ''),
  })),
};
