/**
 * The judge: reading scores out of replies as real judges write them, the prompt, and judgeMany against a scripted
 * remote endpoint over real HTTP (good replies, unreadable ones, out-of-range scores, server errors, cancellation).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JUDGE_RUBRIC, judgeMany, judgePrompt, parseJudgeScore, type JudgeRowResult } from './judge';
import { completion, startStub, type StubEndpoint, type StubReply } from '../testing/stubEndpoint';

let stub: StubEndpoint | null = null;
afterEach(async () => {
  await stub?.close();
  stub = null;
});

describe('parseJudgeScore', () => {
  it.each([
    ['Score: 4\nReason: right but wordy.', 4, 'right but wordy.'],
    ['**Score:** 5', 5, undefined],
    ['score = 2', 2, undefined],
    ['Rating: 3/5', 3, undefined],
    ['The answer is close. Final score: 4', 4, undefined],
    ['Score: 2 at first sight, but on reflection... Score: 3', 3, undefined],
    ['{"score": 5, "reason": "exact"}', 5, 'exact'],
    ['```json\n{ "Score": "2", "explanation": "off" }\n```', 2, 'off'],
    ['Here is my grade: {"rating": 1}', 1, undefined],
    ['4', 4, undefined],
    [' 3. ', 3, undefined],
    ['5/5', 5, undefined],
    ['Score: 4.0', 4, undefined],
  ])('%j → %i', (text, score, reason) => {
    expect(parseJudgeScore(text)).toEqual(reason ? { ok: true, score, reason } : { ok: true, score });
  });

  it.each([
    ['', /replied with nothing/],
    ['Score: 7', /the score 7 is outside 1–5/],
    ['0', /the score 0 is outside 1–5/],
    ['{"score": 9}', /the score 9 is outside 1–5/],
    ['Score: 3.5', /3\.5 is not a whole number/],
    ['{"score": "high"}', /not a number/],
    ['The answer looks fine to me.', /no score found in the judge's reply: "The answer looks fine to me\."/],
    ['I would give it 4 points out of 10 maybe', /no score found/],
  ])('%j is an error', (text, message) => {
    const r = parseJudgeScore(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
});

describe('judgePrompt', () => {
  it('carries the rubric, the instruction, the reference (or says there is none) and the answer', () => {
    const [system, user] = judgePrompt('Name the capital of France.', 'Paris', 'It is Paris.');
    expect(system.role).toBe('system');
    expect(system.content).toContain(JUDGE_RUBRIC);
    expect(JUDGE_RUBRIC).toMatch(/^1 = incorrect or unhelpful\n[^]*3 = partly right, in an acceptable format[^]*5 = accurate, well formatted and concise$/);
    expect(user.content).toContain('Name the capital of France.');
    expect(user.content).toContain('Reference answer:\n<<<\nParis\n>>>');
    expect(user.content).toContain('It is Paris.');
    expect(judgePrompt('q', null, 'a')[1].content).toContain('Reference answer: none given.');
  });
});

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ instruction: `q${i}`, reference: i % 2 ? null : `ref${i}`, output: `a${i}` }));

/** The stub answers by the row, which it reads from the prompt ("q3" → row 3). */
async function judgeStub(byRow: (row: number, attempt: number) => StubReply) {
  const attempts = new Map<number, number>();
  stub = await startStub((r) => {
    const row = Number(/Instruction:\n<<<\nq(\d+)/.exec(String((r.body.messages as { content: string }[])[1].content))![1]);
    attempts.set(row, (attempts.get(row) ?? 0) + 1);
    return byRow(row, attempts.get(row)!);
  });
  return { baseUrl: stub.baseUrl, model: 'judge' };
}

describe('judgeMany', () => {
  it('scores what it can, records per-row errors, and aggregates only real scores', async () => {
    const replies: ((attempt: number) => StubReply)[] = [
      () => completion('Score: 4\nReason: fine.'),
      () => completion('{"score": 5}'),
      () => completion('Score: 7'),
      () => ({ status: 500, text: 'bad JSON {{{' }),
      (attempt) => (attempt === 1 ? { status: 502, text: 'gateway' } : completion('2')),
      () => ({ text: 'not json at all' }),
      () => completion('Nice answer!'),
    ];
    const endpoint = await judgeStub((row, attempt) => replies[row](attempt));
    const seen: [number, number][] = [];
    const s = await judgeMany(rows(7), endpoint, { concurrency: 3, retries: 1, onRow: (r, done) => seen.push([r.index, done]) });
    const brief = (r: JudgeRowResult) => [r.index, r.score, r.errorKind ?? null];
    expect(s.rows.map(brief)).toEqual([
      [0, 4, null], [1, 5, null], [2, null, 'parse'], [3, null, 'http'], [4, 2, null], [5, null, 'not-json'], [6, null, 'parse'],
    ]);
    expect(s.rows[0].reason).toBe('fine.');
    expect(s.rows[2]).toMatchObject({ error: 'the score 7 is outside 1–5', reply: 'Score: 7' });
    expect(s.rows[3].error).toMatch(/HTTP 500.*gave up after 2 attempts/);
    expect(s.rows[6].error).toContain('no score found');
    expect({ mean: s.mean, count: s.count, failures: s.failures, histogram: s.histogram, cancelled: s.cancelled })
      .toEqual({ mean: 11 / 3, count: 3, failures: 4, histogram: [0, 1, 0, 1, 1], cancelled: false });
    expect(seen.map(([, done]) => done)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(seen.map(([i]) => i).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('asks at temperature 0 with room for a reason, with the judge prompt of each row', async () => {
    const endpoint = await judgeStub(() => completion('Score: 3'));
    await judgeMany(rows(2), endpoint);
    expect(stub!.requests.map((r) => [r.body.temperature, r.body.max_tokens])).toEqual([[0, 256], [0, 256]]);
    expect(stub!.requests[0].body.messages).toEqual(judgePrompt('q0', 'ref0', 'a0'));
    expect(stub!.requests[1].body.messages).toEqual(judgePrompt('q1', null, 'a1'));
  });

  it('stops asking once the model name is wrong (404) and marks the rest skipped', async () => {
    const endpoint = await judgeStub(() => ({ status: 404, json: { error: { message: 'The model `judge` does not exist' } } }));
    const s = await judgeMany(rows(5), endpoint);
    expect(stub!.requests).toHaveLength(1);
    expect(s.failures).toBe(5);
    expect(s.mean).toBeNull();
    expect(s.rows[4].error).toMatch(/^skipped: .*does not exist/);
  });

  it('a cancel stops the run and keeps the rows already judged', async () => {
    const abort = new AbortController();
    const endpoint = await judgeStub((row) => (row === 2 ? { delayMs: 5_000, then: completion('1') } : completion('Score: 5')));
    setTimeout(() => abort.abort(), 300);
    const s = await judgeMany(rows(5), endpoint, { signal: abort.signal });
    expect(s.cancelled).toBe(true);
    expect(s.rows.map((r) => r.score ?? r.errorKind)).toEqual([5, 5, 'cancelled', 'cancelled', 'cancelled']);
    expect([s.mean, s.count, s.failures]).toEqual([5, 2, 3]);
  });
});
