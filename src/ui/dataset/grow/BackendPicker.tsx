import { useStudio } from '../../../store';
import type { Endpoint } from '../../../eval/endpoint';

export type BackendChoice = { kind: 'model' } | { kind: 'endpoint'; endpoint: Endpoint };

const KEY = 'studio.grow.endpoint';

/** The endpoint's address and model name are remembered in this browser; the API key never is. */
export function rememberedEndpoint(): Endpoint {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<Endpoint> | null;
    return { baseUrl: typeof v?.baseUrl === 'string' ? v.baseUrl : 'http://127.0.0.1:8080/v1', model: typeof v?.model === 'string' ? v.model : '', apiKey: '' };
  } catch {
    return { baseUrl: 'http://127.0.0.1:8080/v1', model: '', apiKey: '' };
  }
}

function remember(e: Endpoint): void {
  try {
    localStorage.setItem(KEY, JSON.stringify({ baseUrl: e.baseUrl, model: e.model }));
  } catch {
    // storage full or disabled: only the convenience is lost
  }
}

/** Why generation cannot start with this choice, or null. */
export function backendProblem(choice: BackendChoice, modelName: string | null, training: boolean): string | null {
  if (choice.kind === 'model') {
    if (!modelName) return 'Load a model first (Model page), or use an OpenAI-compatible endpoint.';
    if (training) return 'The model is busy training; wait for the run to finish or use an endpoint.';
    return null;
  }
  if (!choice.endpoint.baseUrl.trim()) return 'Enter the endpoint address.';
  return null;
}

export function BackendPicker({ value, onChange, disabled }: { value: BackendChoice; onChange: (v: BackendChoice) => void; disabled?: boolean }) {
  const modelName = useStudio((s) => s.modelInfo?.name ?? null);
  const set = (endpoint: Endpoint) => {
    remember(endpoint);
    onChange({ kind: 'endpoint', endpoint });
  };
  const ep = value.kind === 'endpoint' ? value.endpoint : null;
  return (
    <fieldset className="grow-backend" disabled={disabled}>
      <legend className="ds-field__label">Generate with</legend>
      <label className="ds-check">
        <input type="radio" name="grow-backend" checked={value.kind === 'model'} onChange={() => onChange({ kind: 'model' })} data-testid="grow-backend-model" />
        The loaded model{modelName ? ` (${modelName})` : ' (none loaded)'}
      </label>
      <label className="ds-check">
        <input type="radio" name="grow-backend" checked={value.kind === 'endpoint'} onChange={() => set(rememberedEndpoint())} data-testid="grow-backend-endpoint" />
        An OpenAI-compatible endpoint
      </label>
      {ep && (
        <div className="grow-row">
          <label className="ds-field">
            <span className="ds-field__label">Base URL</span>
            <input className="ds-input ds-input--sm" value={ep.baseUrl} onChange={(e) => set({ ...ep, baseUrl: e.target.value })} data-testid="grow-endpoint-url" />
          </label>
          <label className="ds-field">
            <span className="ds-field__label">Model</span>
            <input className="ds-input ds-input--sm" value={ep.model} onChange={(e) => set({ ...ep, model: e.target.value })} />
          </label>
          <label className="ds-field">
            <span className="ds-field__label">API key <span className="ds-field__hint">(not stored)</span></span>
            <input className="ds-input ds-input--sm" type="password" autoComplete="off" value={ep.apiKey ?? ''} onChange={(e) => onChange({ kind: 'endpoint', endpoint: { ...ep, apiKey: e.target.value } })} />
          </label>
        </div>
      )}
    </fieldset>
  );
}
