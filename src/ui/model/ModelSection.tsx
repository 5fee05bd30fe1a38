import { useState, type DragEvent } from 'react';
import { useStudio } from '../../store';
import { describeSource, loadModel, rememberedSource } from '../../store/slices/model';
import { Banner } from '../components/Banner';
import { Button } from '../components/Button';
import { Card } from '../components/Card';
import { BuiltinSource } from './BuiltinSource';
import { HubSource } from './HubSource';
import { LocalSource, loadLocalFiles } from './LocalSource';
import { droppedFiles } from './sources';
import { LoadProgress } from './LoadProgress';
import { LoadErrorBanner } from './LoadErrorBanner';
import { ModelCard } from './ModelCard';
import { StoredModels } from './StoredModels';
import { readToken } from './tokenStore';
import './model.css';
import '../train/form.css';

type Tab = 'builtin' | 'hub' | 'local';
const TABS: { id: Tab; label: string }[] = [
  { id: 'builtin', label: 'Built-in' },
  { id: 'hub', label: 'Hugging Face' },
  { id: 'local', label: 'Local files' },
];

/** Offers to load the model used last time (from browser storage when it came from the hub). */
function LoadAgain() {
  const loaded = useStudio((s) => s.modelInfo !== null);
  const busy = useStudio((s) => s.modelLoading !== null);
  const last = rememberedSource();
  if (loaded || !last) return null;
  const spec = last.kind === 'hub' ? { ...last, token: readToken().token || undefined } : last;
  return (
    <Banner
      tone="info"
      testId="load-again"
      title={`Last time you used ${describeSource(last)}`}
      actions={
        <Button variant="primary" size="sm" disabled={busy} onClick={() => void loadModel(spec)} data-testid="load-again-button">
          Load it again
        </Button>
      }
    />
  );
}

/** The Model section: pick the base model (built-in, hub or local files), watch it load, see what it is. */
export function ModelSection() {
  const [tab, setTab] = useState<Tab>(() => (rememberedSource()?.kind === 'hub' ? 'hub' : 'builtin'));
  const notice = useStudio((s) => s.modelNotice);
  const hasModel = useStudio((s) => s.modelInfo !== null);
  const busy = useStudio((s) => s.modelLoading !== null);
  const [dragging, setDragging] = useState(false);
  // A model folder (or its files) dropped anywhere on the page loads as local files. The DataTransfer is only
  // readable during the event, and droppedFiles reads its entries before its first await.
  const carriesFiles = (e: DragEvent) => [...e.dataTransfer.types].includes('Files');
  const onDragOver = (e: DragEvent) => {
    if (!carriesFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = busy ? 'none' : 'copy';
    setDragging(true);
  };
  const onDragLeave = (e: DragEvent) => {
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
  };
  const onDrop = (e: DragEvent) => {
    if (!carriesFiles(e)) return;
    e.preventDefault();
    setDragging(false);
    if (busy) return;
    setTab('local');
    void droppedFiles(e.dataTransfer).then(loadLocalFiles);
  };
  return (
    <section
      aria-labelledby="model-title"
      className={`page mdl${dragging ? ' is-dragging' : ''}`}
      data-testid="model-section"
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      {dragging && (
        <div className="mdl-drop-overlay" aria-hidden="true" data-testid="drop-overlay">
          {busy ? 'A model is loading; drop again when it is done.' : 'Drop the model folder or its files to load them'}
        </div>
      )}
      <header className="page__header">
        <div>
          <h2 id="model-title">Model</h2>
          <p className="page__lead">
            The base model your adapter is trained on. It runs on your GPU in this browser; your data never leaves the
            machine.
          </p>
        </div>
      </header>
      {notice && <Banner tone="warning" title="The model needs to be loaded again">{notice}</Banner>}
      <LoadAgain />
      <LoadErrorBanner />
      <LoadProgress />
      <div className="mdl-grid">
        <Card title={hasModel ? 'Load another model' : 'Load a model'} testId="model-sources">
          <div className="tabs" role="tablist" aria-label="Where the model comes from">
            {TABS.map((t) => (
              <button
                key={t.id}
                type="button"
                role="tab"
                id={`mdl-tab-${t.id}`}
                aria-selected={tab === t.id}
                aria-controls={`mdl-panel-${t.id}`}
                className={`tabs__tab${tab === t.id ? ' is-active' : ''}`}
                onClick={() => setTab(t.id)}
                data-testid={`tab-${t.id}`}
              >
                {t.label}
              </button>
            ))}
          </div>
          <div role="tabpanel" id={`mdl-panel-${tab}`} aria-labelledby={`mdl-tab-${tab}`}>
            {tab === 'builtin' && <BuiltinSource />}
            {tab === 'hub' && <HubSource />}
            {tab === 'local' && <LocalSource />}
          </div>
        </Card>
        {hasModel ? (
          <ModelCard />
        ) : (
          <Card title="Loaded model" testId="model-empty">
            <p className="muted">No model is loaded yet. Studio Base is the quickest start; any Llama, Mistral, Qwen2 or GPT-2 checkpoint in safetensors format works too.</p>
          </Card>
        )}
      </div>
      <StoredModels />
    </section>
  );
}
