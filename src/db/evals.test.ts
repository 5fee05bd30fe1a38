import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { scoreOutput } from '../eval/metrics';
import { abVotesFor, baseModelKey, deleteEvalResults, latestEvalResults, putAbVote, putRating, ratingsFor, saveEvalResult, type EvalResult } from './evals';
import { createDb, SCHEMA_VERSION } from './schema';
import { freshDb } from './testDb';

const result = (modelKey: string, output: string, extra: Partial<EvalResult> = {}) => ({
  modelKey, modelLabel: modelKey, modelName: 'm', datasetId: 'd', datasetName: 'D', setKey: 'validation', setLabel: 'Validation split',
  settings: { maxNewTokens: 8 }, total: 1, partial: false,
  rows: [{ exampleId: 'e1', messages: [], prompt: 'q', reference: 'Paris', tags: [], output, reason: 'eos', tokens: 1, seconds: 0.1, scores: scoreOutput(output, 'Paris') }],
  ...extra,
});

describe('evaluation storage (schema v3)', () => {
  beforeEach(() => void freshDb());

  it('keeps the newest result of each model per set, in the order the models were first evaluated', async () => {
    const base = baseModelKey('m');
    await saveEvalResult(result(base, 'Rome'));
    await new Promise((r) => setTimeout(r, 2));
    await saveEvalResult(result('run-1', 'Paris'));
    await new Promise((r) => setTimeout(r, 2));
    await saveEvalResult(result(base, 'Paris'));
    await saveEvalResult(result('run-1', 'x', { setKey: 'tag:geo' }));
    const latest = await latestEvalResults('d', 'validation');
    expect(latest.map((r) => [r.modelKey, r.rows[0].output])).toEqual([[base, 'Paris'], ['run-1', 'Paris']]);
    expect((await latestEvalResults('d', 'tag:geo')).map((r) => r.rows[0].output)).toEqual(['x']);
  });

  it('ratings: one per output and source, 1–5 only; deleted with the model', async () => {
    const r = await saveEvalResult(result('run-1', 'Paris'));
    await putRating({ resultId: r.id, modelKey: 'run-1', exampleId: 'e1', source: 'human', score: 4 });
    await putRating({ resultId: r.id, modelKey: 'run-1', exampleId: 'e1', source: 'human', score: 5 });
    await putRating({ resultId: r.id, modelKey: 'run-1', exampleId: 'e1', source: 'judge', score: null, error: 'no score found' });
    await expect(putRating({ resultId: r.id, modelKey: 'run-1', exampleId: 'e1', source: 'human', score: 6 })).rejects.toThrow('1 to 5');
    const rs = await ratingsFor([r.id]);
    expect(rs.map((x) => [x.source, x.score]).sort()).toEqual([['human', 5], ['judge', null]]);
    await deleteEvalResults('run-1');
    expect(await ratingsFor([r.id])).toEqual([]);
    expect(await latestEvalResults('d', 'validation')).toEqual([]);
  });

  it('A/B votes: one per example and pair, whichever order the pair is given in', async () => {
    await putAbVote({ datasetId: 'd', setKey: 'validation', exampleId: 'e1', pair: ['b', 'a'], winner: 'a' });
    await putAbVote({ datasetId: 'd', setKey: 'validation', exampleId: 'e1', pair: ['a', 'b'], winner: 'tie' });
    const votes = await abVotesFor('d', 'validation');
    expect(votes.map((v) => [v.pair, v.winner])).toEqual([[['a', 'b'], 'tie']]);
    await expect(putAbVote({ datasetId: 'd', setKey: 'validation', exampleId: 'e1', pair: ['a', 'b'], winner: 'c' })).rejects.toThrow('one of the two');
  });

  it('a v2 database opens as v3 with its data intact', async () => {
    const name = `studio-upgrade-${Date.now()}`;
    const v2 = createDb(name, 2);
    await v2.meta.put({ key: 'k', value: 1 });
    v2.close();
    const v3 = createDb(name);
    expect(SCHEMA_VERSION).toBe(3);
    expect(await v3.meta.get('k')).toEqual({ key: 'k', value: 1 });
    expect(await v3.evalResults.count()).toBe(0);
    v3.close();
  });
});

describe('deleting a run', () => {
  beforeEach(() => void freshDb());

  it('deletes its evaluation results and ratings, and nobody else’s', async () => {
    const { createRun, deleteRun } = await import('./runs');
    const run = await createRun({
      datasetId: 'd', name: 'r', status: 'finished', datasetName: 'D', modelName: 'm', modelSource: '', config: null, templateChoice: 'model',
      examples: [], plan: null, totalSteps: 0, steps: [], evals: [],
    });
    const mine = await saveEvalResult(result(run.id, 'Paris'));
    const base = await saveEvalResult(result(baseModelKey('m'), 'Rome'));
    await putRating({ resultId: mine.id, modelKey: run.id, exampleId: 'e1', source: 'human', score: 3 });
    await deleteRun(run.id);
    expect((await latestEvalResults('d', 'validation')).map((r) => r.modelKey)).toEqual([baseModelKey('m')]);
    expect(await ratingsFor([mine.id, base.id])).toEqual([]);
  });
});
