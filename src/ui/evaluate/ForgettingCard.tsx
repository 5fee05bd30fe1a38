/**
 * The forgetting meter: loss on general English text that no run trained on, under the base model and each chosen
 * run's adapter (one 'tokenLosses' forward pass per window in the Worker). A run whose loss there rose traded general
 * ability for its task; mixing general text into training (Train → Data) is the usual remedy.
 */
import { useRef, useState } from 'react';
import { Card } from '../components/Card';
import { Button } from '../components/Button';
import { useStudio } from '../../store';
import { engine } from '../../worker/client';
import { ensureAdapter } from '../playground/generate';
import { useModelAdapters } from '../dataset/useTokenLosses';
import { GENERAL_TEXT_FILES, forgetting, generalScore, scoreWindows, splitDocuments, type GeneralScore } from '../../eval/generalText';

const WINDOW_TOKENS = 128;
const WINDOW_CHOICES = [8, 16, 32] as const;

interface Row {
  id: string | null;
  name: string;
  score: GeneralScore;
}

type Status = { kind: 'idle' } | { kind: 'running'; done: number; total: number } | { kind: 'error'; message: string };

async function generalText(source: 'builtin' | 'own', own: string): Promise<string[]> {
  if (source === 'own') return splitDocuments(own);
  const r = await fetch(`${import.meta.env.BASE_URL}${GENERAL_TEXT_FILES.heldout}`);
  if (!r.ok) throw new Error(`Could not read the general text (${GENERAL_TEXT_FILES.heldout}: HTTP ${r.status})`);
  return splitDocuments(await r.text());
}

const pct = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} %`;

export function ForgettingCard() {
  const model = useStudio((s) => s.modelInfo);
  const tokenizer = useStudio((s) => s.tokenizer);
  const adapters = useModelAdapters(model?.name ?? null);
  const [source, setSource] = useState<'builtin' | 'own'>('builtin');
  const [own, setOwn] = useState('');
  const [count, setCount] = useState<number>(16);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [rows, setRows] = useState<Row[]>([]);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const cancel = useRef<{ stop: boolean } | null>(null);
  const runs = adapters ?? [];
  const chosen = runs.filter((r) => picked.has(r.id));

  async function measure() {
    if (!tokenizer || !model) return;
    const flag = { stop: false };
    cancel.current = flag;
    setRows([]);
    try {
      const docs = await generalText(source, own);
      const windows = scoreWindows(tokenizer, docs, WINDOW_TOKENS, count);
      if (windows.length === 0) throw new Error(`The text is shorter than one window of ${WINDOW_TOKENS} tokens: paste more text.`);
      const models: { id: string | null; name: string }[] = [{ id: null, name: `Base model (${model.name})` }, ...chosen.map((r) => ({ id: r.id, name: r.name }))];
      const total = models.length * windows.length;
      const out: Row[] = [];
      for (const [m, { id, name }] of models.entries()) {
        if (id) await ensureAdapter(id);
        const losses: Float32Array[] = [];
        for (const [w, win] of windows.entries()) {
          if (flag.stop) throw new Error('Cancelled.');
          setStatus({ kind: 'running', done: m * windows.length + w, total });
          const labels = win.inputIds.slice();
          const r = await engine().call({ type: 'tokenLosses', inputIds: win.inputIds, labels, adapter: id }, ['tokenLosses']);
          losses.push(r.losses);
        }
        out.push({ id, name, score: generalScore(windows, losses) });
        setRows([...out]);
      }
      setStatus({ kind: 'idle' });
    } catch (e) {
      setStatus({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
    } finally {
      cancel.current = null;
    }
  }

  const base = rows.find((r) => r.id === null)?.score;
  const running = status.kind === 'running';
  return (
    <Card title="Forgetting meter" aside="loss on general text, before and after tuning" testId="forgetting-card">
      <div className="ev-setup">
      <p className="fld__hint">
        Fine-tuning on a narrow task can cost general ability. This scores English text that no run trained on — by
        default 10 Brown corpus documents that the built-in model's pretraining also held out — under the base model and
        each run. A higher loss after tuning means the run forgot some of what it knew; mixing general text into training
        (Train → Data and masking) usually reduces it.
      </p>
      <fieldset className="ev-models" disabled={running}>
        <legend>Text</legend>
        <label className="chk">
          <input type="radio" name="forget-source" checked={source === 'builtin'} onChange={() => setSource('builtin')} /> General English (Brown corpus, held out)
        </label>
        <label className="chk">
          <input type="radio" name="forget-source" checked={source === 'own'} onChange={() => setSource('own')} data-testid="forget-own" /> My own text
        </label>
        {source === 'own' && (
          <textarea className="inp" rows={4} value={own} onChange={(e) => setOwn(e.target.value)} aria-label="Your general text" placeholder="Paste text the runs did not train on (a line holding only <doc> separates documents)" data-testid="forget-text" />
        )}
        <label>
          Windows of {WINDOW_TOKENS} tokens{' '}
          <select className="inp inp--sm" value={count} onChange={(e) => setCount(Number(e.target.value))} data-testid="forget-windows">
            {WINDOW_CHOICES.map((n) => (
              <option key={n} value={n}>{n}</option>
            ))}
          </select>
        </label>
      </fieldset>
      <fieldset className="ev-models" disabled={running}>
        <legend>Runs to compare with the base model</legend>
        {runs.length === 0 && <p className="fld__hint">No run of this model has an adapter yet: train one first.</p>}
        {runs.map((r) => (
          <label className="chk" key={r.id}>
            <input
              type="checkbox"
              checked={picked.has(r.id)}
              onChange={(e) => setPicked((p) => { const n = new Set(p); if (e.target.checked) n.add(r.id); else n.delete(r.id); return n; })}
              data-testid="forget-run"
            />{' '}
            {r.name}
          </label>
        ))}
      </fieldset>
      <div className="trn-controls">
        <Button variant="primary" onClick={measure} disabled={running || !tokenizer || !model} data-testid="forget-measure">
          Measure {chosen.length > 0 ? `base + ${chosen.length} run${chosen.length === 1 ? '' : 's'}` : 'the base model'}
        </Button>
        {running && (
          <>
            <span className="fld__hint" role="status" data-testid="forget-progress">{status.done} / {status.total} windows</span>
            <Button size="sm" onClick={() => { if (cancel.current) cancel.current.stop = true; }} data-testid="forget-cancel">Cancel</Button>
          </>
        )}
      </div>
      {status.kind === 'error' && <p className="fld__hint fld__hint--bad" role="alert" data-testid="forget-error">{status.message}</p>}
      {rows.length > 0 && (
        <div className="ev-scroll">
      <table className="ev-table" data-testid="forget-table">
          <thead>
            <tr><th scope="col">Model</th><th scope="col">nats / token</th><th scope="col">bits / byte</th><th scope="col">vs base</th></tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const d = base && r.id !== null ? forgetting(base, r.score) : null;
              return (
                <tr key={r.id ?? 'base'} data-testid="forget-row" data-nats={r.score.natsPerToken} data-change={d ?? undefined}>
                  <th scope="row">{r.name}</th>
                  <td>{r.score.natsPerToken.toFixed(3)}</td>
                  <td>{Number.isFinite(r.score.bitsPerByte) ? r.score.bitsPerByte.toFixed(3) : 'n/a'}</td>
                  <td>{d === null ? '—' : `${pct(d)} ${d > 0.02 ? '(forgot some)' : d < -0.02 ? '(better)' : '(about the same)'}`}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        </div>
      )}
      {rows.length > 0 && <p className="fld__hint">Scored {rows[0].score.tokens.toLocaleString()} tokens ({rows[0].score.bytes.toLocaleString()} bytes) per model.</p>}
      </div>
    </Card>
  );
}
