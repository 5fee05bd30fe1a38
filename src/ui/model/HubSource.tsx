import { useState, type FormEvent } from 'react';
import { useStudio } from '../../store';
import { loadModel } from '../../store/slices/model';
import { Button } from '../components/Button';
import { SUGGESTED_REPOS } from './sources';
import { forgetToken, readHubSettings, readToken, saveHubSettings, saveToken } from './tokenStore';

const REPO_ID = /^[\w.-]+(\/[\w.-]+)?$/;

/** A Hugging Face repo id, with the endpoint (mirror or local server), revision and access token tucked away. */
export function HubSource() {
  const busy = useStudio((s) => s.modelLoading !== null);
  const [initial] = useState(() => ({ ...readHubSettings(), ...readToken() }));
  const [repo, setRepo] = useState(initial.repo);
  const [endpoint, setEndpoint] = useState(initial.endpoint);
  const [revision, setRevision] = useState(initial.revision);
  const [token, setToken] = useState(initial.token);
  const [remember, setRemember] = useState(initial.remembered);
  const [invalid, setInvalid] = useState<string | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const id = repo.trim().replace(/^https?:\/\/huggingface\.co\//, '').replace(/\/+$/, '');
    if (!REPO_ID.test(id) || id.includes('..')) {
      setInvalid(id ? `"${id}" is not a model id: expected owner/name, e.g. HuggingFaceTB/SmolLM2-135M-Instruct.` : 'Enter a model id.');
      return;
    }
    let ep = endpoint.trim().replace(/\/+$/, '');
    if (ep && !/^https?:\/\//.test(ep)) {
      setInvalid(`The endpoint "${ep}" must start with https:// (or http:// for a server on this machine).`);
      return;
    }
    ep = ep === 'https://huggingface.co' ? '' : ep;
    setInvalid(null);
    setRepo(id);
    saveHubSettings({ endpoint: ep, revision: revision.trim(), repo: id });
    saveToken(token.trim(), remember);
    void loadModel({ kind: 'hub', repo: id, endpoint: ep || undefined, revision: revision.trim() || undefined, token: token.trim() || undefined });
  };

  return (
    <form className="mdl-source" onSubmit={submit} data-testid="source-hub" noValidate>
      <label className="fld">
        <span className="fld__label">Model id on the Hugging Face hub</span>
        <input
          className="inp"
          value={repo}
          onChange={(e) => setRepo(e.target.value)}
          placeholder="owner/name, e.g. HuggingFaceTB/SmolLM2-135M-Instruct"
          spellCheck={false}
          autoComplete="off"
          data-testid="hub-repo"
          aria-invalid={invalid ? true : undefined}
        />
      </label>
      <div className="mdl-suggest" role="group" aria-label="Suggestions">
        <span className="fld__hint">Try:</span>
        {SUGGESTED_REPOS.map((s) => (
          <button type="button" key={s.repo} className="mdl-chip" onClick={() => setRepo(s.repo)} title={s.note}>
            {s.repo.split('/')[1]}
          </button>
        ))}
      </div>
      <details className="mdl-advanced" open={!!endpoint || !!revision || !!token || undefined}>
        <summary>Endpoint, revision and access token</summary>
        <div className="mdl-advanced__grid">
          <label className="fld">
            <span className="fld__label">Endpoint</span>
            <input className="inp" value={endpoint} onChange={(e) => setEndpoint(e.target.value)} placeholder="https://huggingface.co" spellCheck={false} data-testid="hub-endpoint" />
            <span className="fld__hint">A mirror or a local server with the hub&apos;s URL layout (it must allow cross-origin requests).</span>
          </label>
          <label className="fld">
            <span className="fld__label">Revision</span>
            <input className="inp" value={revision} onChange={(e) => setRevision(e.target.value)} placeholder="main" spellCheck={false} data-testid="hub-revision" />
            <span className="fld__hint">Branch, tag or commit.</span>
          </label>
          <label className="fld">
            <span className="fld__label">Access token (gated or private models)</span>
            <input className="inp" type="password" value={token} onChange={(e) => setToken(e.target.value)} placeholder="hf_…" autoComplete="off" data-testid="hub-token" />
            <span className="fld__hint">Kept only in this browser and sent only to the endpoint above.</span>
          </label>
          <div className="fld">
            <label className="chk">
              <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} data-testid="hub-remember" />
              Remember the token on this device
            </label>
            <span className="fld__hint">{remember ? 'Stored in localStorage until you forget it.' : 'Stored for this tab only (sessionStorage).'}</span>
            {token && (
              <Button size="sm" variant="ghost" onClick={() => { forgetToken(); setToken(''); setRemember(false); }}>
                Forget token
              </Button>
            )}
          </div>
        </div>
      </details>
      {invalid && (
        <p className="fld__error" role="alert" data-testid="hub-invalid">
          {invalid}
        </p>
      )}
      <div className="mdl-actions">
        <Button variant="primary" type="submit" disabled={busy} data-testid="hub-load">
          Load from the hub
        </Button>
      </div>
    </form>
  );
}
