import { useState } from 'react';
import { seededRandom } from '../../../db/split';
import { EVOL_OPS, type EvolOp } from '../../../data/grow/evol';
import { runEvol } from '../../../data/grow/runner';
import { shuffled } from '../../../data/grow/selfInstruct';
import { enqueue } from '../../../db/growQueue';
import { Button } from '../../components/Button';
import { plural } from '../../shell/plural';
import type { GrowContext } from './GrowDialog';
import { clamp, NumberInput } from './fields';
import { existingInstructions, seedTasksOf } from './pool';
import { RunStatus } from './RunStatus';
import { runnerBase } from './backends';

/** Evol-Instruct: rewrite sampled instructions with the chosen operations, answer the rewrites, queue survivors. */
export function EvolPanel({ ctx }: { ctx: GrowContext }) {
  const [ops, setOps] = useState<EvolOp[]>(['constraints', 'reasoning']);
  const [sources, setSources] = useState(3);
  const [temperature, setTemperature] = useState(0.7);
  const [maxTokens, setMaxTokens] = useState(256);
  const [seed, setSeed] = useState(1);
  const pool = seedTasksOf(ctx.examples);
  const job = ctx.job;
  const n = clamp(sources, 1, 500, 3);
  const problem = pool.length === 0 ? 'Evol-Instruct rewrites instructions of this dataset: add some examples first.' : ops.length === 0 ? 'Pick at least one operation.' : ctx.backendProblem;

  const start = () =>
    job.start((signal, onProgress) => {
      return runEvol({
        ...runnerBase(ctx.backend(), signal, onProgress, { seed, temperature, maxTokens }, 0.7),
        sources: shuffled(pool, seededRandom(seed)).slice(0, n),
        ops,
        existing: existingInstructions(ctx.examples, ctx.queue),
        onItem: async (c) => void (await enqueue(ctx.datasetId, [{ body: c.body, tag: c.tag, parent: c.parent }])),
      });
    });

  return (
    <div className="grow-panel" data-testid="grow-evol">
      <p className="ds-muted">
        Rewrites instructions of this dataset into harder or broader ones and answers them. An evolution is dropped when it did not change the
        instruction, copies the rewriting prompt, is a near-duplicate, or its answer is empty, too short or a refusal.
      </p>
      <fieldset className="grow-ops">
        <legend className="ds-field__label">Operations</legend>
        {EVOL_OPS.map((op) => (
          <label key={op.id} className="ds-check" title={op.hint}>
            <input type="checkbox" checked={ops.includes(op.id)} onChange={(e) => setOps(e.target.checked ? [...ops, op.id] : ops.filter((o) => o !== op.id))} data-testid={`evol-op-${op.id}`} />
            {op.label} <span className="ds-muted">— {op.hint}</span>
          </label>
        ))}
      </fieldset>
      <div className="grow-row">
        <NumberInput label="Instructions to evolve" value={sources} min={1} max={500} onChange={setSources} hint={`of ${pool.length}, sampled`} />
        <NumberInput label="Temperature" value={temperature} min={0} max={2} step={0.1} onChange={setTemperature} />
        <NumberInput label="Max tokens" value={maxTokens} min={16} max={4096} onChange={setMaxTokens} />
        <NumberInput label="Seed" value={seed} onChange={(v) => setSeed(Math.trunc(v))} />
      </div>
      {problem && <p className="ds-muted" data-testid="grow-problem">{problem}</p>}
      <div className="grow-actions">
        {job.running ? (
          <Button variant="danger" onClick={job.cancel} data-testid="grow-cancel">Cancel</Button>
        ) : (
          <Button variant="primary" onClick={() => void start()} disabled={!!problem} data-testid="evol-start">
            Evolve ({plural(Math.min(n, pool.length) * ops.length, 'rewrite')})
          </Button>
        )}
      </div>
      <RunStatus job={job} unit="evolutions" />
    </div>
  );
}
