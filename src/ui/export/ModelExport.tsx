import { useState } from 'react';
import { useStudio } from '../../store';
import type { ExportFormat } from '../../engine/export/plan';
import type { WeightDtype } from '../../engine/io/safetensors';
import { Button } from '../components/Button';
import { Card } from '../components/Card';
import { ensureAdapter } from '../playground/generate';
import type { RunView } from '../train/runsView';
import { slug } from './download';
import { canWriteFolders, useExportJob } from './exportJob';
import { ExportStatus } from './ExportStatus';

const FORMATS: { id: ExportFormat; label: string; hint: string }[] = [
  { id: 'hf', label: 'Hugging Face folder (merged)', hint: 'config.json, safetensors shards + index, tokenizer, generation_config.json, README: loads with AutoModelForCausalLM, vLLM, TGI.' },
  { id: 'gguf', label: 'GGUF (merged) + Modelfile', hint: 'One GGUF for llama.cpp / LM Studio, and an Ollama Modelfile.' },
  { id: 'gguf-adapter', label: 'GGUF adapter + base + Modelfile', hint: 'The LoRA as a llama.cpp adapter GGUF beside the base model GGUF; the Modelfile uses FROM + ADAPTER.' },
];

/** Runs whose model can be exported: LoRA runs with an adapter, and finished full-parameter runs. */
export function exportableRuns(runs: RunView[] | undefined): RunView[] {
  return (runs ?? []).filter((r) => !!r.adapter || (r.config?.lora === null && r.doneSteps > 0));
}

/**
 * Export a run's model as full weights: base + adapter folded in (W + s·B·A in f32, stored in the base checkpoint's
 * dtype), or a full-parameter run's weights, as a Hugging Face folder or GGUF — streamed into a folder the user picks,
 * or a .zip download where the browser cannot write folders.
 */
export function ModelExport({ runs }: { runs: RunView[] }) {
  const model = useStudio((s) => s.modelInfo);
  const [picked, setPicked] = useState<string>('');
  const [format, setFormat] = useState<ExportFormat>('hf');
  const [dtype, setDtype] = useState<'' | WeightDtype>('');
  const job = useExportJob();
  const run = runs.find((r) => r.id === picked) ?? runs[0];
  const isFull = run?.config?.lora === null;
  const formats = FORMATS.filter((f) => !(isFull && f.id === 'gguf-adapter'));
  const chosen = formats.some((f) => f.id === format) ? format : 'hf';
  const wrongModel = run && model && run.modelName && run.modelName !== model.name;

  const go = (where: 'folder' | 'zip') => {
    if (!run || !model) return;
    const name = `${slug(run.name)}-${chosen === 'hf' ? 'merged' : chosen === 'gguf' ? 'gguf' : 'gguf-adapter'}`;
    const facts: [string, string][] = [['run', `${run.name}: ${run.doneSteps} steps${run.finalLoss !== null ? `, final loss ${run.finalLoss.toFixed(4)}` : ''}`]];
    void job.start(
      { type: 'exportModel', runId: run.id, format: chosen, ...(dtype ? { dtype } : {}), name, runFacts: facts },
      name, where, isFull ? undefined : () => ensureAdapter(run.id),
    );
  };

  return (
    <Card title="Merged model & GGUF" testId="model-export">
      {!model && <p className="muted">Load the run's base model first (Model section): the export reads its weights again.</p>}
      {runs.length === 0 && <p className="muted">No run to export yet: LoRA runs with an adapter and finished full-parameter runs appear here.</p>}
      {runs.length > 0 && (
        <>
          <div className="exp-choices">
            <div className="fld">
              <label className="fld__label" htmlFor="model-export-run">Run</label>
              <select id="model-export-run" className="sel" value={run?.id ?? ''} onChange={(e) => setPicked(e.target.value)} data-testid="model-export-run" disabled={job.busy}>
                {runs.map((r) => (
                  <option key={r.id} value={r.id}>{r.name} — {r.config?.lora === null ? 'full fine-tune' : 'LoRA'}, {r.doneSteps} steps</option>
                ))}
              </select>
            </div>
            <div className="fld">
              <label className="fld__label" htmlFor="model-export-format">Format</label>
              <select id="model-export-format" className="sel" value={chosen} onChange={(e) => setFormat(e.target.value as ExportFormat)} data-testid="model-export-format" disabled={job.busy}>
                {formats.map((f) => <option key={f.id} value={f.id}>{f.label}</option>)}
              </select>
            </div>
            <div className="fld">
              <label className="fld__label" htmlFor="model-export-dtype">Weights</label>
              <select id="model-export-dtype" className="sel" value={dtype} onChange={(e) => setDtype(e.target.value as '' | WeightDtype)} data-testid="model-export-dtype" disabled={job.busy}>
                <option value="">{chosen === 'hf' ? 'As the base checkpoint stores them' : 'F16 (default)'}</option>
                <option value="F32">F32</option>
                <option value="F16">F16</option>
                <option value="BF16">BF16</option>
              </select>
            </div>
          </div>
          <p className="muted">{formats.find((f) => f.id === chosen)?.hint}</p>
          {wrongModel && <p className="fld__error" role="alert">This run was trained on {run.modelName}, but {model.name} is loaded. Load that model to export it.</p>}
          <div className="mdl-actions">
            {canWriteFolders() && (
              <Button variant="primary" onClick={() => go('folder')} disabled={job.busy || !model || !!wrongModel} data-testid="model-export-folder">
                Save into a folder…
              </Button>
            )}
            <Button variant={canWriteFolders() ? 'secondary' : 'primary'} onClick={() => go('zip')} disabled={job.busy || !model || !!wrongModel} data-testid="model-export-zip">
              Download as .zip
            </Button>
          </div>
        </>
      )}
      <ExportStatus id="model-export" {...job} />
    </Card>
  );
}
