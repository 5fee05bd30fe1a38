/**
 * Exact-match scoring of generated answers, as the "Try it" check and its e2e test use it: an answer counts when the
 * generation ended its turn by itself (an end-of-turn/EOS token, not the token limit) and its text, trimmed and with
 * runs of whitespace as one space, equals the expected answer exactly (case and punctuation count).
 */

export interface AnswerCheck {
  expected: string;
  generated: string;
  /** Why the generation stopped: 'eos' = the model ended its turn. */
  reason: string;
}

export interface ExactMatchScore {
  /** Answers scored. */
  n: number;
  /** Exact and ended by the model. */
  exact: number;
  /** Ended by the model (whatever the text). */
  stopped: number;
  /** exact / n (0 when n = 0). */
  rate: number;
}

/** Trimmed, with every run of whitespace as one space. */
export function normalizeAnswer(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

export function isExactMatch(c: AnswerCheck): boolean {
  return c.reason === 'eos' && normalizeAnswer(c.generated) === normalizeAnswer(c.expected);
}

export function scoreExactMatch(checks: readonly AnswerCheck[]): ExactMatchScore {
  const exact = checks.filter(isExactMatch).length;
  const stopped = checks.filter((c) => c.reason === 'eos').length;
  return { n: checks.length, exact, stopped, rate: checks.length ? exact / checks.length : 0 };
}

/** "19 of 20 (95%)". */
export function formatScore(s: ExactMatchScore): string {
  return `${s.exact} of ${s.n} (${Math.round(s.rate * 100)}%)`;
}

/**
 * The share a constant guess would get: how often the most common expected answer of `reference` (e.g. the trained
 * answers) is the expected answer of `items` (e.g. the held-out ones). A model that learned only the answer format
 * and the most common answer scores this; one that uses what it knows about each question scores more.
 */
export function constantGuessRate(reference: readonly string[], items: readonly string[]): { answer: string; rate: number } {
  const counts = new Map<string, number>();
  for (const r of reference) counts.set(normalizeAnswer(r), (counts.get(normalizeAnswer(r)) ?? 0) + 1);
  let answer = '';
  let best = 0;
  for (const [a, n] of counts) if (n > best) [answer, best] = [a, n];
  const hits = items.filter((i) => normalizeAnswer(i) === answer).length;
  return { answer, rate: items.length ? hits / items.length : 0 };
}
