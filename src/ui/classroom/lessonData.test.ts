import { describe, expect, it } from 'vitest';
import type { Dataset, ExampleBody } from '../../data/types';
import type { Run, StepPoint } from '../../db/runs';
import { defaultLessonDataset, latestLesson, lessonHoldOut, lessonNumbers, lessonPrompts, promptOf, seriesOf, verdict } from './lessonData';

const pair = (q: string, a: string): ExampleBody => ({ kind: 'pair', instruction: q, input: '', output: a });
const ds = (id: string, name: string, updatedAt: number): Dataset => ({ id, name, description: '', systemPrompt: '', createdAt: 0, updatedAt });
const step = (n: number, loss: number, answerLoss?: number, promptLoss?: number): StepPoint => ({
  step: n, epoch: 0, loss, lr: 0.01, gradNorm: 1, tokensPerSec: 1, elapsed: n, ...(answerLoss !== undefined ? { answerLoss } : {}), ...(promptLoss !== undefined ? { promptLoss } : {}),
});
const run = (id: string, group: string | undefined, mode: 'full' | 'completion-only'): Run =>
  ({ id, compareGroup: group, config: { label: { mode } }, steps: [], evals: [], examples: [] }) as unknown as Run;

describe('the lesson’s data', () => {
  it('finds the newest lesson’s two runs and ignores the Train page’s comparisons', () => {
    const runs = [run('c', 'uuid-1', 'full'), run('b', 'lesson:2', 'full'), run('a', 'lesson:2', 'completion-only'), run('z', 'lesson:1', 'full')];
    const found = latestLesson(runs)!;
    expect(found.group).toBe('lesson:2');
    expect([found.masked?.id, found.full?.id]).toEqual(['a', 'b']);
    expect(latestLesson([run('c', 'uuid-1', 'full')])).toBeNull();
  });

  it('starts on a “Try it” dataset, else the open one, else the Train form’s, else the newest', () => {
    const list = [ds('a', 'Mine', 5), ds('b', 'Try it: sentiment', 1), ds('c', 'Other', 9)];
    expect(defaultLessonDataset(list, 'a', 'c')).toBe('b');
    const plain = list.filter((d) => d.id !== 'b');
    expect(defaultLessonDataset(plain, 'a', 'c')).toBe('a');
    expect(defaultLessonDataset(plain, 'gone', 'a')).toBe('a');
    expect(defaultLessonDataset(plain, null, null)).toBe('c');
    expect(defaultLessonDataset([], null, null)).toBeNull();
  });

  it('holds out the last instruction examples unless a validation split exists', () => {
    const rows = Array.from({ length: 11 }, (_, i) => ({ id: `e${i}`, body: pair(`q${i}`, `a${i}`), split: 'train' as const }));
    expect([...lessonHoldOut(rows, 2)]).toEqual(['e9', 'e10']);
    expect([...lessonHoldOut(rows.slice(0, 6), 2)]).toEqual(['e5']);
    expect(lessonHoldOut(rows.slice(0, 4), 2).size).toBe(0);
    expect(lessonHoldOut([...rows, { id: 'v', body: pair('x', 'y'), split: 'validation' }], 2).size).toBe(0);
  });

  it('asks the held-out prompts, then one seen in training, as training renders them', () => {
    expect(promptOf(pair('Say hi.', 'Hello!'), 'Be brief.')).toEqual({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hi.' }], expected: 'Hello!' });
    expect(promptOf({ kind: 'pair', instruction: 'Q', input: 'ctx', output: 'A', system: '' }, 'ignored')?.messages).toEqual([{ role: 'user', content: 'Q\n\nctx' }]);
    const chat: ExampleBody = { kind: 'chat', messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }, { role: 'assistant', content: 'd', weight: 1 }] };
    expect(promptOf(chat)).toEqual({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }], expected: 'd' });
    expect(promptOf({ kind: 'text', text: 'x' })).toBeNull();
    const examples = [{ body: pair('t1', 'a1') }, { body: pair('v1', 'b1'), split: 'validation' as const }, { body: pair('v2', 'b2'), split: 'validation' as const }, { body: pair('v3', 'b3'), split: 'validation' as const }];
    const prompts = lessonPrompts(examples, 2);
    expect(prompts.map((p) => [p.messages.at(-1)!.content, p.heldOut])).toEqual([['v1', true], ['v2', true], ['t1', false]]);
  });

  it('measures the final answer-token losses over the same last steps, and says only what they show', () => {
    const masked = [step(1, 6, 6), step(2, 3, 3), step(3, 2, 2), step(4, 1, 1)];
    const full = [step(1, 6, 6.5, 5.8), step(2, 4, 4.5, 3.9), step(3, 3, 3, 3), step(4, NaN, NaN, NaN), step(5, 2.5, 2, 2.6)];
    expect(seriesOf(full, 'promptLoss')).toEqual({ x: [1, 2, 3, 5], y: [5.8, 3.9, 3, 2.6] });
    expect(seriesOf([step(1, 2)], 'answerLoss').y[0]).toBeNaN();
    const n = lessonNumbers(masked, full, 2);
    expect(n).toMatchObject({ masked: 1.5, full: 2.5, fullPrompt: 2.8, tail: 2, maskedSteps: 4, fullSteps: 4 });
    expect(n.difference).toBeCloseTo(1);
    expect(verdict(n)).toBe('Over the last 2 steps, the answer-token loss was 1.500 for the masked run and 2.500 for the full-sequence run: the masked run\'s is lower by 1.000 (40%) on these runs.');
    expect(verdict(lessonNumbers(full, masked, 2))).toContain('the full-sequence run\'s is lower');
    expect(verdict(lessonNumbers(masked, masked, 2))).toContain('about the same');
    expect(verdict(lessonNumbers(masked, null, 2))).toBe('Run the lesson to measure both runs.');
  });
});
