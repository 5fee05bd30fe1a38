/**
 * Planning a run from examples, without a GPU: weight-0 turns are not trained by the trainer either (its batches
 * carry the token view's labels), fully masked data is refused with the reason (and runTraining refuses before any
 * GPU work), overlong examples are truncated or skipped and counted, and an empty held-out split is named.
 */
import { describe, expect, it } from 'vitest';
import { fixtureTokenizer } from '../text/__fixtures__/fixtures';
import { getPreset } from '../data/templates';
import { IGNORE_INDEX, buildLabels } from '../data/labels';
import type { ChatBody, MaskMode } from '../data/types';
import type { Gpu } from '../engine/gpu/device';
import type { ModelConfig } from '../engine/model/config';
import { describeOverlong, epochBatches, type TrainingExample } from './data';
import { NothingToTrainError, planRun, type PlanSettings } from './plan';
import { DEFAULT_RUN, runTraining } from './run';

const TEMPLATE = getPreset('chatml')!.template;
const tok = () => fixtureTokenizer({ template: TEMPLATE });
const settings = (label: Partial<PlanSettings['label']> = {}, over: Partial<PlanSettings> = {}): PlanSettings => ({
  label: { mode: 'assistant-only', trainEos: true, template: TEMPLATE, maxLength: 64, ...label },
  batchSize: 2, gradAccum: 1, epochs: 1, maxSteps: 0, pack: false, seed: 1, ...over,
});
const chat = (...turns: [string, string, 0?][]): ChatBody => ({
  kind: 'chat',
  messages: turns.flatMap(([q, a, w]) => [{ role: 'user' as const, content: q }, { role: 'assistant' as const, content: a, ...(w === 0 ? { weight: 0 as const } : {}) }]),
});
const pair = (instruction: string, output: string): TrainingExample => ({ body: { kind: 'pair', instruction, input: '', output } });

describe('planRun', () => {
  it.each<MaskMode>(['assistant-only', 'per-turn-weights', 'full'])('%s: the trainer\'s batches never train a weight-0 reply, and count what the token view counts', async (mode) => {
    const t = await tok();
    const body = chat(['Q1', 'Never learn this.', 0], ['Q2', 'Learn this.']);
    const { data, plan } = planRun(t, [{ body }], settings({ mode }));
    const view = buildLabels(t, body, { mode, trainEos: true, template: TEMPLATE, maxLength: 64 });
    expect(plan.trainedTokens).toBe(view.trainedCount);
    const [batch] = epochBatches(data.train, { batchSize: 2, maxLength: 64, padId: 0, pack: false, seed: 1 });
    const labels = Array.from(batch.batch.labels).slice(0, view.labels.length);
    expect(labels).toEqual(view.labels);
    const trained = t.decode(labels.filter((l) => l !== IGNORE_INDEX));
    expect(trained).not.toContain('Never learn');
    expect(trained).toContain('Learn this.');
  });

  it('refuses data where every example is fully masked, with the reason', async () => {
    const t = await tok();
    const examples = [{ body: chat(['Q', 'A', 0]) }, { body: chat(['Q', 'B', 0], ['R', 'C', 0]) }];
    const err = (() => {
      try {
        planRun(t, examples, settings());
      } catch (e) {
        return e as NothingToTrainError;
      }
      throw new Error('planRun did not refuse');
    })();
    expect(err).toBeInstanceOf(NothingToTrainError);
    expect(err.message).toBe(
      'Nothing to train on: every training example (2) is fully masked (all labels are -100 after the shift) with the mask mode "assistant-only": the replies this mode trains are unticked (weight 0). Tick "train" on some assistant replies, or choose another mask mode.',
    );
    expect(err.skipped.map((s) => s.index)).toEqual([0, 1]);
    // Full mode trains the prompts of the same data, so it can run.
    expect(planRun(t, examples, settings({ mode: 'full' })).plan.trainExamples).toBe(2);
  });

  it('skips an example whose only trained token is the first (nothing predicts it)', async () => {
    const t = await tok();
    const { plan } = planRun(t, [{ body: { kind: 'text', text: 'a' } }, { body: { kind: 'text', text: 'a b c' } }], settings({ mode: 'full', trainEos: false }));
    expect(plan.trainExamples).toBe(1);
    expect(plan.skipped).toEqual([{ index: 0, reason: 'fully masked after the shift: only its first token is trained, and nothing predicts the first token' }]);
    expect(() => planRun(t, [{ body: { kind: 'text', text: 'a' } }], settings({ mode: 'full', trainEos: false }))).toThrow(
      'Nothing to train on: the only training example is fully masked (all labels are -100 after the shift) with the mask mode "full". Choose another mask mode.',
    );
  });

  it('truncates (default) or skips examples longer than the max length, and counts them', async () => {
    const t = await tok();
    const long = 'word '.repeat(40).trim();
    const examples = [pair('Repeat.', long), pair('Hi', 'Hello'), pair('Again.', long)];
    const truncated = planRun(t, examples, settings({ maxLength: 24 })).plan;
    expect(truncated.trainExamples).toBe(3);
    expect(truncated.overlong).toEqual({ count: 2, maxLength: 24, action: 'truncate' });
    expect(describeOverlong(truncated.overlong)).toBe('2 examples exceed 24 tokens: truncated');
    const skipped = planRun(t, examples, settings({ maxLength: 24, overlong: 'skip' })).plan;
    expect(skipped.trainExamples).toBe(1);
    expect(skipped.skipped.map((s) => s.index)).toEqual([0, 2]);
    expect(skipped.skipped[0].reason).toMatch(/^\d+ tokens, longer than the max length 24$/);
    expect(describeOverlong(skipped.overlong)).toBe('2 examples exceed 24 tokens: skipped');
    expect(describeOverlong({ count: 1, maxLength: 24, action: 'skip' })).toBe('1 example exceeds 24 tokens: skipped');
    expect(describeOverlong(planRun(t, [examples[1]], settings({ maxLength: 24 })).plan.overlong)).toBeNull();
    expect(() => planRun(t, [examples[0]], settings({ maxLength: 24, overlong: 'skip' }))).toThrow(
      'Nothing to train on: the only training example exceeds 24 tokens and is skipped; raise the max length or truncate overlong examples.',
    );
  });

  it('names an empty held-out split instead of evaluating on nothing', async () => {
    const t = await tok();
    const train = pair('Hi', 'Hello');
    expect(planRun(t, [train], settings()).plan.evalNote).toBe('no evaluation: the held-out (validation) split is empty');
    expect(planRun(t, [train, { ...pair('Q', 'A'), split: 'validation' }], settings()).plan.evalNote).toBeNull();
    // Held-out examples exist, but every one is fully masked: still nothing to evaluate on, and it says so.
    const masked = { body: chat(['Q', 'A', 0]), split: 'validation' as const };
    const plan = planRun(t, [train, masked], settings()).plan;
    expect(plan.validationExamples).toBe(0);
    expect(plan.evalNote).toBe('no evaluation: the held-out example is skipped (see why)');
    expect(() => planRun(t, [{ ...train, split: 'validation' }], settings())).toThrow('Nothing to train on: the only example is in the validation split; mark some as train.');
    expect(() => planRun(t, [], settings())).toThrow('Nothing to train on: the dataset has no examples.');
  });

  it('runTraining refuses fully masked data before any GPU work', async () => {
    const t = await tok();
    const untouchable = new Proxy({}, { get: (_, k) => { throw new Error(`GPU touched: ${String(k)}`); } }) as Gpu;
    const run = { ...DEFAULT_RUN, label: settings().label };
    await expect(runTraining(untouchable, {} as ModelConfig, new Map(), t, [{ body: chat(['Q', 'A', 0]) }], run)).rejects.toThrow(NothingToTrainError);
  });
});
