import { useState } from 'react';
import { useStudio } from '../../store';
import { Button } from '../components/Button';
import { Card } from '../components/Card';
import type { RunView } from '../train/runsView';
import { slug } from './download';
import { canWriteFolders, useExportJob } from './exportJob';
import { ExportStatus } from './ExportStatus';

/**
 * "Take this run to a GPU cluster": the run's data exactly as the trainer labels it (chat + pre-tokenized), train.py
 * with DDP / FSDP / DeepSpeed configs, a TRL script, an Axolotl config, and the first-batch loss train.py checks.
 */
export function HandoffCard({ runs }: { runs: RunView[] }) {
  const model = useStudio((s) => s.modelInfo);
  const [picked, setPicked] = useState('');
  const job = useExportJob();
  const run = runs.find((r) => r.id === picked) ?? runs[0];
  const wrongModel = run && model && run.modelName && run.modelName !== model.name;
  const go = (where: 'folder' | 'zip') => {
    if (!run?.config || !model) return;
    const name = `${slug(run.name)}-cluster`;
    void job.start({ type: 'exportRecipe', runName: run.name, examples: run.examples, config: run.config }, name, where);
  };
  return (
    <Card title="Take this run to a GPU cluster" testId="handoff">
      <p className="muted">
        One folder with the data as the studio trains on it (chat messages and the pre-tokenized input_ids / labels, so
        no template or mask can drift), <code>train.py</code> (transformers + PEFT; one GPU, DDP, FSDP or DeepSpeed with
        the configs beside it), a TRL script and an Axolotl config with the same settings, and the loss the engine
        computes on the first batch — which train.py prints again at step 0.
      </p>
      {runs.length === 0 ? (
        <p className="muted">No run yet: the hand-off takes a run's data and settings.</p>
      ) : (
        <>
          <div className="fld">
            <label className="fld__label" htmlFor="handoff-run">Run</label>
            <select id="handoff-run" className="sel" value={run?.id ?? ''} onChange={(e) => setPicked(e.target.value)} data-testid="handoff-run" disabled={job.busy}>
              {runs.map((r) => <option key={r.id} value={r.id}>{r.name} — {r.datasetName}, {r.examples.length} examples</option>)}
            </select>
          </div>
          {wrongModel && <p className="fld__error" role="alert">This run was set up on {run.modelName}, but {model.name} is loaded. Load that model to compute its first-batch loss.</p>}
          <div className="mdl-actions">
            {canWriteFolders() && (
              <Button variant="primary" onClick={() => go('folder')} disabled={job.busy || !model || !!wrongModel} data-testid="handoff-folder">
                Save into a folder…
              </Button>
            )}
            <Button variant={canWriteFolders() ? 'secondary' : 'primary'} onClick={() => go('zip')} disabled={job.busy || !model || !!wrongModel} data-testid="handoff-zip">
              Download as .zip
            </Button>
          </div>
        </>
      )}
      <ExportStatus id="handoff" {...job} />
    </Card>
  );
}
