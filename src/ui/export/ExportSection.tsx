import { useState } from 'react';
import { ADAPTER_CONFIG, ADAPTER_WEIGHTS } from '../../engine/adapter/peft';
import { Button } from '../components/Button';
import { Card } from '../components/Card';
import { formatBytes } from '../shell/format';
import { formatLoss } from '../model/format';
import { finalLossText } from '../train/lossStats';
import { routeHref } from '../shell/routes';
import { MODE_LABELS } from '../train/runConfig';
import { useRuns, withAdapters, type RunView } from '../train/runsView';
import { AdapterImport } from './AdapterImport';
import { ModelExport, exportableRuns } from './ModelExport';
import { HandoffCard } from './HandoffCard';
import { saveFile, slug } from './download';
import { peftSnippet } from './snippet';
import { zipStore } from './zip';
import '../train/form.css';
import '../model/model.css';
import './export.css';

function baseModelOf(run: RunView): string {
  try {
    const cfg = JSON.parse(run.adapter!.configText) as { base_model_name_or_path?: string };
    return cfg.base_model_name_or_path || run.modelName;
  } catch {
    return run.modelName;
  }
}

function AdapterFiles({ run }: { run: RunView }) {
  const a = run.adapter!;
  const folder = slug(run.name);
  const files: [string, Uint8Array | string, string][] = [
    [ADAPTER_CONFIG, a.configText, 'application/json'],
    [ADAPTER_WEIGHTS, a.weights, 'application/octet-stream'],
    ['README.md', a.readme, 'text/markdown'],
  ];
  const zip = () => saveFile(`${folder}.zip`, zipStore(files.map(([name, data]) => ({ name: `${folder}/${name}`, data }))), 'application/zip');
  const [copied, setCopied] = useState(false);
  const code = peftSnippet(baseModelOf(run), folder);
  const last = run.doneSteps > 0 ? { step: run.doneSteps } : null;
  const c = run.config;
  return (
    <>
      <dl className="kv exp-facts">
        <div className="kv__row"><dt>Base model</dt><dd>{baseModelOf(run)}</dd></div>
        {c && <div className="kv__row"><dt>Data</dt><dd>{run.datasetName} · {MODE_LABELS[c.label.mode]} · {run.examples.length} examples</dd></div>}
        {c?.lora && <div className="kv__row"><dt>LoRA</dt><dd>r = {c.lora.r}, α = {c.lora.alpha}{c.lora.useRslora ? ' (rsLoRA)' : ''}, targets {c.lora.targetModules === 'all-linear' ? 'all linear' : c.lora.targetModules === 'attention' ? 'attention projections' : c.lora.targetModules.join(', ')}</dd></div>}
        {last && <div className="kv__row"><dt>Training</dt><dd>{last.step} steps · {finalLossText(run.steps, formatLoss)}{run.evals.length ? ` · validation ${formatLoss(run.evals[run.evals.length - 1].loss)}` : ''}</dd></div>}
      </dl>
      <ul className="exp-files">
        {files.map(([name, data, type]) => (
          <li key={name}>
            <code>{name}</code>
            <span className="muted">{formatBytes(typeof data === 'string' ? new TextEncoder().encode(data).length : data.length)}</span>
            <Button size="sm" onClick={() => saveFile(name, data, type)} data-testid={`download-${name}`}>
              Download
            </Button>
          </li>
        ))}
      </ul>
      <div className="mdl-actions">
        <Button variant="primary" onClick={zip} data-testid="download-zip">
          Download all as {folder}.zip
        </Button>
      </div>
      <div className="exp-code">
        <div className="exp-code__head">
          <h4>Load it with PEFT</h4>
          <Button size="sm" variant="ghost" onClick={() => void navigator.clipboard?.writeText(code).then(() => setCopied(true))}>
            {copied ? 'Copied' : 'Copy'}
          </Button>
        </div>
        <pre className="code-block" data-testid="peft-snippet">{code}</pre>
      </div>
    </>
  );
}

/** The Export section: pick a run's adapter, download its PEFT files (or one .zip), see how to load it; import one. */
export function ExportSection() {
  const runs = useRuns();
  const adapters = withAdapters(runs);
  const [picked, setPicked] = useState<string | null>(null);
  const run = adapters.find((r) => r.id === picked) ?? adapters[0];
  return (
    <section aria-labelledby="export-title" className="page exp" data-testid="export-section">
      <header className="page__header">
        <div>
          <h2 id="export-title">Export</h2>
          <p className="page__lead">Your adapters as PEFT files, your fine-tuned models as Hugging Face folders or GGUF, and whole runs for a GPU cluster.</p>
        </div>
      </header>
      <Card title="Adapter" testId="export-card" aside={adapters.length ? `${adapters.length} available` : undefined}>
        {runs && adapters.length === 0 && (
          <p className="muted">
            No adapters yet. <a href={routeHref('train')}>Train one</a> (LoRA runs produce an adapter when they finish or are stopped), or import one below.
          </p>
        )}
        {adapters.length > 0 && (
          <div className="fld">
            <label className="fld__label" htmlFor="export-run">Run</label>
            <select id="export-run" className="sel" value={run?.id ?? ''} onChange={(e) => setPicked(e.target.value)} data-testid="export-run">
              {adapters.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name} — {r.status === 'imported' ? 'imported' : `${r.doneSteps} steps${r.status === 'nonfinite' ? ' (NaN stop)' : r.status === 'stopped' ? ' (stopped)' : ''}`}, {new Date(r.createdAt).toLocaleString()}
                </option>
              ))}
            </select>
          </div>
        )}
        {run && <AdapterFiles key={run.id} run={run} />}
      </Card>
      <ModelExport runs={exportableRuns(runs)} />
      <HandoffCard runs={(runs ?? []).filter((r) => !!r.config && r.examples.length > 0)} />
      <AdapterImport />
    </section>
  );
}
