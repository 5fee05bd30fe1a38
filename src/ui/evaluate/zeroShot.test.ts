import { describe, expect, it } from 'vitest';
import { scoreOutput } from '../../eval/metrics';
import type { ReportModel, ReportRow } from '../../eval/report';
import { partialTagRuns, zeroShotLines } from './zeroShot';

const row = (id: string, tags: string[], output: string, reference: string): ReportRow => ({
  exampleId: id, tags, prompt: 'q', reference, output, reason: 'eos', scores: scoreOutput(output, reference),
});

const rows = [row('1', ['math'], 'four', 'four'), row('2', ['math'], 'five', 'six'), row('3', ['geo'], 'paris', 'rome'), row('4', [], 'x', 'x')];
const models: ReportModel[] = [
  { key: 'base:studio-base', label: 'Base', rows },
  { key: 'run-a', label: 'Run A', rows },
  { key: 'run-b', label: 'Run B', rows },
];

describe('zero-shot view', () => {
  it('finds the runs that trained on a strict subset of the tags', () => {
    const runs = [{ id: 'run-a', trainTags: ['math'] }, { id: 'run-b', trainTags: ['geo', 'math'] }];
    const partial = partialTagRuns(models, runs, ['geo', 'math']);
    expect([...partial.keys()]).toEqual(['run-a']);
    expect(partialTagRuns(models, undefined, ['geo'])).toEqual(new Map());
    expect(partialTagRuns(models, [{ id: 'run-a', trainTags: [] }], ['geo']).size).toBe(0);
  });

  it('scores examples with a trained tag against examples whose tags were all unseen (untagged ones in neither)', () => {
    const lines = zeroShotLines(models, new Map([['run-a', new Set(['math'])]]), 'exact');
    expect(lines).toEqual([{ key: 'run-a', label: 'Run A', trained: ['math'], seen: { n: 2, mean: 0.5 }, unseen: { n: 1, mean: 0 } }]);
  });
});
