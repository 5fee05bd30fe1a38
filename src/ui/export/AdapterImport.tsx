import { useState } from 'react';
import { useStudio } from '../../store';
import { deleteRun, importAdapterRun } from '../../db/runs';
import { engine } from '../../worker/client';
import { markWorkerAdapter } from '../../store/slices/train';
import { ADAPTER_CONFIG, ADAPTER_WEIGHTS } from '../../engine/adapter/peft';
import { Card } from '../components/Card';
import { adapterReadmeFor } from './readme';

/**
 * Bring a PEFT adapter folder (adapter_config.json + adapter_model.safetensors) into the studio: the Worker checks it
 * against the loaded model (every mismatch named), then it is stored like a run so the playground and export list it.
 */
export function AdapterImport() {
  const model = useStudio((s) => s.modelInfo);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  const importFiles = async (files: File[]) => {
    if (!model || files.length === 0) return;
    const byName = new Map(files.map((f) => [f.name, f]));
    const cfg = byName.get(ADAPTER_CONFIG), weights = byName.get(ADAPTER_WEIGHTS);
    if (!cfg || !weights) {
      setResult({ ok: false, text: `Choose the adapter folder, or both ${ADAPTER_CONFIG} and ${ADAPTER_WEIGHTS}${!cfg ? ` (${ADAPTER_CONFIG} is missing)` : ` (${ADAPTER_WEIGHTS} is missing)`}.` });
      return;
    }
    setBusy(true);
    setResult(null);
    const folder = files[0].webkitRelativePath?.split('/')[0] || 'Imported adapter';
    try {
      const configText = await cfg.text();
      const bytes = new Uint8Array(await weights.arrayBuffer());
      const run = await importAdapterRun({ name: folder, modelName: model.name, adapter: { configText, weights: bytes, readme: adapterReadmeFor(configText, model.name) } });
      try {
        const copy = bytes.slice();
        await engine().call({ type: 'loadAdapter', runId: run.id, configText, weights: copy }, ['adapterLoaded'], undefined, [copy.buffer]);
      } catch (e) {
        await deleteRun(run.id);
        throw e;
      }
      markWorkerAdapter(run.id);
      setResult({ ok: true, text: `"${folder}" is loaded on ${model.name}: pick it in the playground (Train section) or export it here.` });
    } catch (e) {
      setResult({ ok: false, text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };

  const picker = (folder: boolean) => (
    <label className={`btn ${folder ? 'btn--primary' : 'btn--secondary'}${busy || !model ? ' is-disabled' : ''}`}>
      {folder ? 'Choose adapter folder…' : 'Choose the two files…'}
      <input
        type="file"
        className="visually-hidden"
        multiple
        disabled={busy || !model}
        {...(folder ? { webkitdirectory: '' } : { accept: '.json,.safetensors' })}
        data-testid={folder ? 'import-adapter-folder' : 'import-adapter-files'}
        onChange={(e) => {
          void importFiles([...(e.target.files ?? [])]);
          e.target.value = '';
        }}
      />
    </label>
  );

  return (
    <Card title="Import an adapter" testId="adapter-import">
      <p className="muted">
        A PEFT LoRA adapter for the loaded model ({model ? model.name : 'load one first'}) — one exported from here or
        trained with PEFT elsewhere — to try in the playground, re-export, or keep training from (Train → Method →
        “Start from”).
      </p>
      <div className="mdl-actions">
        {picker(true)}
        {picker(false)}
      </div>
      {result && (
        <p className={result.ok ? 'callout' : 'fld__error'} role={result.ok ? 'status' : 'alert'} data-testid="import-adapter-result" data-ok={result.ok}>
          {result.text}
        </p>
      )}
    </Card>
  );
}
