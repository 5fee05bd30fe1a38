import { useRef, useState } from 'react';
import { useStudio } from '../../store';
import { TEMPLATE_PRESETS, getPreset } from '../../data/templates';
import type { GeneratePrompt } from '../../worker/protocol';
import { Button } from '../components/Button';
import { Card } from '../components/Card';
import { CheckField, SelectField } from '../train/fields';
import { withAdapters, type RunView } from '../train/runsView';
import { runOptionLabel } from '../train/runNames';
import { generateWith, stopGeneration } from './generate';
import { EMPTY_PANE, OutputPane, type PaneState } from './OutputPane';
import { DEFAULT_SAMPLING, SamplingControls, stopStrings, type SamplingForm } from './SamplingControls';
import './playground.css';

const BASE = '__base__';
type Template = 'auto' | 'model' | (typeof TEMPLATE_PRESETS)[number]['id'];

/** Left/right defaults: the latest comparison's two adapters, else base vs the latest adapter. */
function defaults(adapters: RunView[]): [string, string] {
  const latest = adapters[0];
  if (!latest) return [BASE, BASE];
  const partner = latest.compareGroup ? adapters.find((r) => r.compareGroup === latest.compareGroup && r.id !== latest.id) : undefined;
  return partner ? [partner.id, latest.id] : [BASE, latest.id];
}

/** Try the base model and the adapters on the same prompt, one or two side by side, streamed token by token. */
export function Playground({ runs }: { runs: RunView[] | undefined }) {
  const model = useStudio((s) => s.modelInfo);
  const training = useStudio((s) => s.liveRun !== null);
  const adapters = withAdapters(runs).filter((r) => !model || !r.modelName || r.modelName === model.name);
  const [picked, setPicked] = useState<[string, string] | null>(null);
  const [left, right] = picked ?? defaults(adapters);
  const [compare, setCompare] = useState(true);
  const [chat, setChat] = useState(true);
  const [prompt, setPrompt] = useState('');
  const [system, setSystem] = useState('');
  const [template, setTemplate] = useState<Template>('auto');
  const [sampling, setSampling] = useState(DEFAULT_SAMPLING);
  const [panes, setPanes] = useState<[PaneState, PaneState]>([EMPTY_PANE, EMPTY_PANE]);
  const [busy, setBusy] = useState(false);
  const cancelled = useRef(false);

  const runOf = (id: string) => adapters.find((r) => r.id === id);
  const nameOf = (id: string) => (id === BASE ? `Base model${model ? ` (${model.name})` : ''}` : (runOf(id)?.name ?? 'Adapter'));
  const options = [{ value: BASE, label: 'Base model (no adapter)' }, ...adapters.map((r) => ({ value: r.id, label: runOptionLabel(r) }))];

  function templateFor(): string | undefined {
    if (template === 'model') return undefined;
    if (template !== 'auto') return getPreset(template)?.template;
    const trained = [left, right].map(runOf).find((r) => r?.config);
    return trained?.config?.label.template;
  }

  async function generate() {
    cancelled.current = false;
    setBusy(true);
    const sides = compare ? [left, right] : [left];
    setPanes([{ ...EMPTY_PANE, busy: true }, compare ? { ...EMPTY_PANE } : EMPTY_PANE]);
    const messages = [...(system.trim() ? [{ role: 'system' as const, content: system }] : []), { role: 'user' as const, content: prompt }];
    const p: GeneratePrompt = chat ? { kind: 'chat', messages, template: templateFor() } : { kind: 'text', text: prompt };
    const req = { ...sampling, stopStrings: stopStrings(sampling.stopText) };
    for (let i = 0; i < sides.length && !cancelled.current; i++) {
      const update = (patch: Partial<PaneState>) => setPanes((ps) => (i === 0 ? [{ ...ps[0], ...patch }, ps[1]] : [ps[0], { ...ps[1], ...patch }]));
      update({ busy: true });
      try {
        const result = await generateWith(sides[i] === BASE ? null : sides[i], p, req, (text, tokens) => update({ text, tokens }));
        update({ busy: false, result, text: result.text });
      } catch (e) {
        update({ busy: false, error: e instanceof Error ? e.message : String(e) });
      }
    }
    setBusy(false);
  }

  const stop = () => {
    cancelled.current = true;
    stopGeneration();
  };
  const blocked = !model ? 'Load a model to try it.' : training ? 'The GPU is busy training; the playground works between runs.' : !prompt.trim() ? 'Write a prompt.' : null;

  return (
    <Card title="Playground" testId="playground" aside={<span>Same prompt, same seed: see what the adapter changed</span>}>
      <div className="pg-top">
        <div className="tabs" role="tablist" aria-label="Prompt format">
          <button type="button" role="tab" aria-selected={chat} className={`tabs__tab${chat ? ' is-active' : ''}`} onClick={() => setChat(true)} data-testid="pg-chat">
            Chat
          </button>
          <button type="button" role="tab" aria-selected={!chat} className={`tabs__tab${!chat ? ' is-active' : ''}`} onClick={() => setChat(false)} data-testid="pg-plain">
            Plain text
          </button>
        </div>
        {chat && (
          <input className="inp" value={system} onChange={(e) => setSystem(e.target.value)} placeholder="System prompt (optional)" aria-label="System prompt" />
        )}
        <textarea className="inp pg-prompt" rows={3} value={prompt} onChange={(e) => setPrompt(e.target.value)} placeholder={chat ? 'Your message to the model…' : 'Text for the model to continue…'} aria-label="Prompt" data-testid="pg-prompt" />
        <div className="grid-fields">
          <SelectField label={compare ? 'Left' : 'Model'} testId="pg-left" value={left} onChange={(v) => setPicked([v, right])} options={options} />
          {compare && <SelectField label="Right" testId="pg-right" value={right} onChange={(v) => setPicked([left, v])} options={options} />}
          {chat && (
            <SelectField<Template>
              label="Template"
              value={template}
              onChange={setTemplate}
              options={[{ value: 'auto', label: 'As the adapter was trained' }, { value: 'model', label: "Model's chat template" }, ...TEMPLATE_PRESETS.map((t) => ({ value: t.id, label: t.name }))]}
            />
          )}
          <CheckField label="Side by side" testId="pg-compare" checked={compare} onChange={setCompare} />
        </div>
        <details className="details">
          <summary>Sampling</summary>
          <SamplingControls value={sampling} onChange={setSampling as (v: SamplingForm) => void} disabled={busy} />
        </details>
        <div className="trn-controls">
          <Button variant="primary" disabled={busy || !!blocked} onClick={() => void generate()} data-testid="pg-generate">
            Generate
          </Button>
          <Button disabled={!busy} onClick={stop} data-testid="pg-stop-button">
            Stop
          </Button>
          {blocked && <span className="fld__hint">{blocked}</span>}
        </div>
      </div>
      <div className={`pg-panes${compare ? ' pg-panes--two' : ''}`}>
        <OutputPane title={nameOf(left)} pane={panes[0]} testId="pg-out-left" />
        {compare && <OutputPane title={nameOf(right)} pane={panes[1]} testId="pg-out-right" />}
      </div>
    </Card>
  );
}
