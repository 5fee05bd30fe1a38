import { useState } from 'react';
import { seededRandom } from '../../../db/split';
import { runSelfInstruct } from '../../../data/grow/runner';
import { shuffled } from '../../../data/grow/selfInstruct';
import { enqueue } from '../../../db/growQueue';
import { Button } from '../../components/Button';
import { plural } from '../../shell/plural';
import type { GrowContext } from './GrowDialog';
import { clamp, NumberInput } from './fields';
import { existingInstructions, seedTasksOf } from './pool';
import { RunStatus } from './RunStatus';
import { runnerBase } from './backends';

/** Self-Instruct: new instructions from k sampled tasks, filtered, each answered, into the review queue. */
export function SelfInstructPanel({ ctx }: { ctx: GrowContext }) {
  const [count, setCount] = useState(5);
  const [k, setK] = useState(6);
  const [perPrompt, setPerPrompt] = useState(8);
  const [rounds, setRounds] = useState(5);
  const [temperature, setTemperature] = useState(0.8);
  const [maxTokens, setMaxTokens] = useState(256);
  const [seed, setSeed] = useState(1);
  const seeds = seedTasksOf(ctx.examples);
  const job = ctx.job;
  const problem = seeds.length === 0 ? 'Self-Instruct needs seed tasks: add a few examples (pairs or chats) to this dataset first.' : ctx.backendProblem;

  const start = () =>
    job.start((signal, onProgress) => {
      return runSelfInstruct({
        ...runnerBase(ctx.backend(), signal, onProgress, { seed, temperature, maxTokens }, 0.8),
        // Large datasets: a seeded sample of 2,000 tasks is plenty to draw prompts from.
        seedTasks: shuffled(seeds, seededRandom(seed)).slice(0, 2000),
        existing: existingInstructions(ctx.examples, ctx.queue),
        count: clamp(count, 1, 1000, 5),
        k: clamp(k, 1, 20, 6),
        perPrompt: clamp(perPrompt, 1, 20, 8),
        maxRounds: clamp(rounds, 1, 500, 5),
        onItem: async (c) => void (await enqueue(ctx.datasetId, [{ body: c.body, tag: c.tag }])),
      });
    });

  return (
    <div className="grow-panel" data-testid="grow-self-instruct">
      <p className="ds-muted">
        Shows the model {k} tasks sampled from this dataset ({plural(seeds.length, 'task')}; later prompts mix in rows it generated) and asks for new
        ones. New instructions are filtered (length, repetition, tasks that need images or files, and near-duplicates: ROUGE-L ≥ 0.7 against every
        instruction in the dataset and the queue), then answered one by one. Results wait in the review queue.
      </p>
      <div className="grow-row">
        <NumberInput label="New rows" value={count} min={1} max={1000} onChange={setCount} testId="si-count" />
        <NumberInput label="Examples per prompt" value={k} min={1} max={20} onChange={setK} />
        <NumberInput label="Tasks asked per prompt" value={perPrompt} min={1} max={20} onChange={setPerPrompt} />
        <NumberInput label="Max rounds" value={rounds} min={1} max={500} onChange={setRounds} testId="si-rounds" hint="stops early" />
        <NumberInput label="Temperature" value={temperature} min={0} max={2} step={0.1} onChange={setTemperature} />
        <NumberInput label="Max tokens" value={maxTokens} min={16} max={4096} onChange={setMaxTokens} testId="si-max-tokens" />
        <NumberInput label="Seed" value={seed} onChange={(v) => setSeed(Math.trunc(v))} />
      </div>
      {problem && <p className="ds-muted" data-testid="grow-problem">{problem}</p>}
      <div className="grow-actions">
        {job.running ? (
          <Button variant="danger" onClick={job.cancel} data-testid="grow-cancel">Cancel</Button>
        ) : (
          <Button variant="primary" onClick={() => void start()} disabled={!!problem} data-testid="si-start">Generate</Button>
        )}
      </div>
      <RunStatus job={job} unit="rounds" />
    </div>
  );
}
