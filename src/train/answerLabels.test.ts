/**
 * The answer tokens of full-sequence runs: the second label row comes from the label builder's answer-only mode on
 * the same ids, rides through batching (padded and packed like the labels), and every step of a full run reports
 * the loss on the answers and on the rest, while a masked run's answer loss is its loss.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { testGpu } from '../testing/gpu';
import { FIXTURE_BOS, FIXTURE_EOS, FIXTURE_VOCAB } from '../testing/modelFiles';
import { tinyModel } from '../engine/model/tiny';
import { uploadWeights } from '../engine/transformer/model';
import { loadTokenizer } from '../text/tokenizer';
import { buildLabels } from '../data/labels';
import { collate } from '../data/collate';
import { epochBatches, prepareExamples, type LabelConfig, type TrainingExample } from './data';
import { answerModeOf, stepSplit, withAnswerLabels, type AnswerLabeled } from './answerLabels';
import { DEFAULT_RUN, runTraining, type RunConfig } from './run';

const fixture = (f: string) => JSON.parse(readFileSync(new URL(`../text/__fixtures__/byte-bpe/${f}`, import.meta.url), 'utf8'));
const tokenizer = () => loadTokenizer({ tokenizerJson: fixture('tokenizer.json'), tokenizerConfig: fixture('tokenizer_config.json') });

const examples: TrainingExample[] = [
  { body: { kind: 'pair', instruction: 'Say hi.', input: '', output: 'Hi there!' } },
  { body: { kind: 'chat', messages: [{ role: 'user', content: 'Name a colour.' }, { role: 'assistant', content: 'Blue.' }, { role: 'user', content: 'Another?' }, { role: 'assistant', content: 'Red.' }] } },
  { body: { kind: 'pair', instruction: 'Count to three.', input: '', output: 'One, two, three.' } },
  { body: { kind: 'text', text: 'Plain prose has no answer.' } },
];
const full: LabelConfig = { mode: 'full', trainEos: true, maxLength: 160 };

describe('answer labels', () => {
  it('are the answer-only mode’s labels of the same ids (chats: every assistant turn; pairs: the output)', async () => {
    const tok = await tokenizer();
    expect([answerModeOf('chat'), answerModeOf('pair'), answerModeOf('text')]).toEqual(['assistant-only', 'completion-only', null]);
    for (const ex of examples) {
      const labeled = buildLabels(tok, ex.body, full);
      const out = withAnswerLabels(tok, ex.body, labeled, full) as AnswerLabeled;
      const mode = answerModeOf(ex.body.kind);
      if (!mode) {
        expect(out.answerLabels).toBeUndefined();
        continue;
      }
      const want = buildLabels(tok, ex.body, { ...full, mode });
      expect(out.inputIds).toEqual(labeled.inputIds);
      expect(out.labels).toEqual(labeled.labels);
      expect(out.answerLabels).toEqual(want.labels);
      // Answers are a strict subset of what the full run trains.
      const answers = out.answerLabels!.filter((l) => l !== -100).length;
      expect(answers).toBeGreaterThan(0);
      expect(answers).toBeLessThan(labeled.trainedCount);
      out.answerLabels!.forEach((l, i) => l !== -100 && expect(labeled.labels[i]).toBe(l));
    }
  });

  it('are attached only in full mode, and ride through batching padded and packed like the labels', async () => {
    const tok = await tokenizer();
    const data = prepareExamples(tok, examples, full);
    expect((data.train as AnswerLabeled[]).map((e) => !!e.answerLabels)).toEqual([true, true, true, false]);
    const masked = prepareExamples(tok, examples.slice(0, 3), { ...full, mode: 'assistant-only' });
    expect((masked.train as AnswerLabeled[]).some((e) => e.answerLabels)).toBe(false);
    expect(epochBatches(masked.train, { batchSize: 2, maxLength: 160, padId: 0, pack: false, seed: 1 }).every((b) => !b.answerLabels)).toBe(true);

    for (const pack of [false, true]) {
      const batches = epochBatches(data.train, { batchSize: 2, maxLength: 160, padId: 0, pack, seed: 1 });
      for (const mb of batches) {
        expect(mb.answerLabels).toBeDefined();
        expect(mb.answerLabels!.length).toBe(mb.batch.labels.length);
        // Wherever a token is an answer it is trained in the full run too.
        mb.answerLabels!.forEach((l, i) => l !== -100 && expect(mb.batch.labels[i]).toBe(l));
      }
    }
    const [a, b] = data.train as AnswerLabeled[];
    const packed = collate([a, b], { padId: 0, maxLength: 160, pack: true });
    const second = packed.placement[1];
    expect(packed.answerLabels![second.row * packed.T + second.offset]).toBe(-100); // nothing predicts across documents
  });

  it('a full run reports answer and prompt losses every step; a masked run’s answer loss is its loss', async () => {
    const gpu = await testGpu();
    const tok = await tokenizer();
    const tiny = tinyModel('llama', 2, { vocab_size: FIXTURE_VOCAB, bos_token_id: FIXTURE_BOS, eos_token_id: FIXTURE_EOS, tie_word_embeddings: true, max_position_embeddings: 256 });
    const weights = uploadWeights(gpu, tiny.weights);
    const config = (mode: 'full' | 'completion-only'): RunConfig => ({
      ...DEFAULT_RUN, label: { ...full, mode }, batchSize: 2, epochs: 5, maxSteps: 4, lr: 1e-2, schedule: 'constant', warmupRatio: 0,
    });
    const pairs = examples.filter((e) => e.body.kind === 'pair');
    const fullSteps: { loss: number; answer?: number | null; prompt?: number | null; targets: number; split?: { answerTargets: number; promptTargets: number } }[] = [];
    await runTraining(gpu, tiny.config, weights, tok, pairs, config('full'), {
      onStep: (s) => fullSteps.push({ loss: s.loss, answer: s.split?.answerLoss, prompt: s.split?.promptLoss, targets: s.targets, split: s.split }),
    });
    expect(fullSteps).toHaveLength(4);
    for (const s of fullSteps) {
      expect(s.answer).toBeGreaterThan(0);
      expect(s.prompt).toBeGreaterThan(0);
      const { answerTargets: na, promptTargets: np } = s.split!;
      expect(na + np).toBe(s.targets);
      expect((s.answer! * na + s.prompt! * np) / s.targets).toBeCloseTo(s.loss, 4);
    }
    const masked: { loss: number; answer?: number | null }[] = [];
    await runTraining(gpu, tiny.config, weights, tok, pairs, config('completion-only'), { onStep: (s) => masked.push({ loss: s.loss, answer: s.split?.answerLoss }) });
    expect(masked.every((s) => s.answer === s.loss)).toBe(true);
    expect(stepSplit('full', { step: 1, loss: 1, gradNorm: 0, lr: 0, targets: 3, tokens: 4, nonFinite: false })).toBeUndefined();
    for (const b of weights.values()) gpu.buffers.release(b);
  });
});
