/**
 * The batch view's grids are the trainer's batch: the first micro-batch runTraining hands Trainer.trainStep equals
 * trainingBatchGrid's, with and without packing; padding and −100 are where collate puts them.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Trainer, type MicroBatch } from '../engine/train/trainer';
import { IGNORE_INDEX } from '../data/labels';
import { EXAMPLES, setupTiny, tinyRun } from '../testing/tinyTraining';
import { trainingBatchGrid } from './batchGrid';
import { runTraining } from './run';

afterEach(() => vi.restoreAllMocks());

async function firstTrainerBatch(pack: boolean): Promise<{ micro: MicroBatch; grid: ReturnType<typeof trainingBatchGrid> }> {
  const { gpu, tokenizer, tiny, weights, release } = await setupTiny();
  const base = tinyRun({ maxSteps: 1, pack, batchSize: 2, seed: 7 });
  // Packed: rows long enough for several examples (each is ~60 tokens with the fixture's chat template).
  const run = pack ? { ...base, label: { ...base.label, maxLength: 200 } } : base;
  const seen: MicroBatch[][] = [];
  const real = Trainer.prototype.trainStep;
  vi.spyOn(Trainer.prototype, 'trainStep').mockImplementation(function (this: Trainer, micro: MicroBatch[], seed?: number) {
    seen.push(micro);
    return real.call(this, micro, seed);
  });
  await runTraining(gpu, tiny.config, weights, tokenizer, EXAMPLES, run);
  release();
  return { micro: seen[0][0], grid: trainingBatchGrid(tokenizer, EXAMPLES, run) };
}

describe('trainingBatchGrid', () => {
  it('is the first micro-batch the trainer gets (no packing): ids and labels equal, padding masked and −100', async () => {
    const { micro, grid } = await firstTrainerBatch(false);
    expect([grid.B, grid.T]).toEqual([micro.rows, micro.T]);
    expect(Array.from(grid.inputIds)).toEqual(Array.from(micro.batch.inputIds));
    expect(Array.from(grid.labels)).toEqual(Array.from(micro.batch.labels));
    expect(grid.segments).toBeNull();
    expect(grid.counts.padding).toBeGreaterThan(0);
    for (let i = 0; i < grid.B * grid.T; i++) {
      if (grid.attentionMask[i] === 0) {
        expect(grid.inputIds[i]).toBe(grid.padId);
        expect(grid.labels[i]).toBe(IGNORE_INDEX);
      }
    }
    expect(grid.of).toBe(3); // 5 training examples in batches of 2
  });

  it('is the first micro-batch the trainer gets with packing: positions and segments too', async () => {
    const { micro, grid } = await firstTrainerBatch(true);
    expect(Array.from(grid.inputIds)).toEqual(Array.from(micro.batch.inputIds));
    expect(Array.from(grid.labels)).toEqual(Array.from(micro.batch.labels));
    expect(Array.from(grid.segments!)).toEqual(Array.from(micro.batch.segments!));
    // Padding is where the segment is −1; several examples share a row.
    for (let i = 0; i < grid.B * grid.T; i++) expect(grid.attentionMask[i]).toBe(grid.segments![i] >= 0 ? 1 : 0);
    expect(Math.max(...grid.segments!)).toBeGreaterThan(0);
  });
});
