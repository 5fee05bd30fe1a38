import { useRef, useState } from 'react';
import { putRating, type EvalResult, type Rating } from '../../db/evals';
import type { Endpoint } from '../../eval/endpoint';
import { judgeMany, type JudgeRow } from '../../eval/judge';
import { Button } from '../components/Button';
import { Card } from '../components/Card';
import { Rubric } from './Rubric';
import { plural } from '../shell/plural';
import { ratingMaps } from './evalData';

/** Where the judge settings live: this browser's localStorage, nowhere else. */
const STORAGE_KEY = 'studio.evalJudge';

function loadSettings(): Endpoint {
  try {
    const v = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Partial<Endpoint>;
    return { baseUrl: v.baseUrl ?? '', model: v.model ?? '', apiKey: v.apiKey ?? '' };
  } catch {
    return { baseUrl: '', model: '', apiKey: '' };
  }
}

interface Progress {
  done: number;
  total: number;
  running: boolean;
}

/**
 * The optional LLM judge: an OpenAI-compatible endpoint the user sets up grades every output 1–5 with the rubric
 * (src/eval/judge.ts). Nothing is sent anywhere until they fill this in and press the button. Each row's score or
 * error is stored as a 'judge' rating, so failures show per row while the rest go on.
 */
export function JudgeCard({ results, ratings }: { results: EvalResult[]; ratings: Rating[] | undefined }) {
  const [ep, setEp] = useState<Endpoint>(loadSettings);
  const [remember, setRemember] = useState(() => !!loadSettings().apiKey);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const { judge } = ratingMaps(ratings);

  // The address and model are kept in this browser; the key only when asked to.
  const save = (next: Endpoint, keepKey: boolean) =>
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ baseUrl: next.baseUrl, model: next.model, ...(keepKey && next.apiKey ? { apiKey: next.apiKey } : {}) }));
  const update = (patch: Partial<Endpoint>) => {
    const next = { ...ep, ...patch };
    setEp(next);
    save(next, remember);
  };
  const setRememberAndSave = (on: boolean) => {
    setRemember(on);
    save(ep, on);
  };

  async function run(onlyMissing: boolean) {
    const jobs = results.flatMap((res) =>
      res.rows.filter((r) => !onlyMissing || judge.get(`${res.id}|${r.exampleId}`)?.score == null).map((r) => ({ res, row: r })),
    );
    const rows: JudgeRow[] = jobs.map(({ row }) => ({ instruction: row.prompt, reference: row.reference, output: row.output }));
    const ac = (abort.current = new AbortController());
    setError(null);
    setProgress({ done: 0, total: rows.length, running: true });
    try {
      await judgeMany(rows, { baseUrl: ep.baseUrl.trim(), model: ep.model.trim(), ...(ep.apiKey ? { apiKey: ep.apiKey } : {}) }, {
        signal: ac.signal,
        onRow: (r, done, total) => {
          setProgress({ done, total, running: true });
          if (r.errorKind === 'cancelled') return;
          const { res, row } = jobs[r.index];
          void putRating({ resultId: res.id, modelKey: res.modelKey, exampleId: row.exampleId, source: 'judge', score: r.score, ...(r.error ? { error: r.error } : {}), ...(r.reason ? { note: r.reason } : {}) });
        },
      });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setProgress((p) => (p ? { ...p, running: false } : p));
    }
  }

  const running = progress?.running ?? false;
  const ready = ep.baseUrl.trim() !== '' && ep.model.trim() !== '';
  const perModel = results.map((res) => {
    const rs = res.rows.map((r) => judge.get(`${res.id}|${r.exampleId}`)).filter((r): r is Rating => !!r);
    const scores = rs.filter((r) => r.score != null).map((r) => r.score!);
    return { res, scored: scores.length, failed: rs.length - scores.length, mean: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null };
  });
  const failures = results.flatMap((res) => res.rows.map((r) => ({ res, r, j: judge.get(`${res.id}|${r.exampleId}`) }))).filter((x) => x.j && x.j.score == null);

  return (
    <Card title="LLM judge (optional)" testId="eval-judge" aside={<span>Another model grades each answer 1–5</span>}>
      <div className="ev-judge">
        <p className="ev-judge__note" data-testid="eval-judge-privacy">
          Nothing is sent anywhere unless you set this up. When you do, each prompt, reference and answer goes to the server you enter here (an
          OpenAI-compatible chat-completions endpoint: <code>npm run cli -- serve</code>, llama.cpp, vLLM, Ollama, or a hosted API). The
          address and model are kept in this browser only; the key too if you tick the box below, else only while the page is open.
        </p>
        <Rubric />
        <div className="grid-fields">
          <div className="fld">
            <label className="fld__label" htmlFor="judge-url">
              Base URL
            </label>
            <input id="judge-url" className="inp" value={ep.baseUrl} placeholder="http://127.0.0.1:8080/v1" onChange={(e) => update({ baseUrl: e.target.value })} data-testid="judge-url" />
          </div>
          <div className="fld">
            <label className="fld__label" htmlFor="judge-model">
              Model
            </label>
            <input id="judge-model" className="inp" value={ep.model} onChange={(e) => update({ model: e.target.value })} data-testid="judge-model" />
          </div>
          <div className="fld">
            <label className="fld__label" htmlFor="judge-key">
              API key (if it needs one)
            </label>
            <input id="judge-key" className="inp" type="password" autoComplete="off" value={ep.apiKey ?? ''} onChange={(e) => update({ apiKey: e.target.value })} data-testid="judge-key" />
          </div>
        </div>
        <label className="chk">
          <input type="checkbox" checked={remember} onChange={(e) => setRememberAndSave(e.target.checked)} data-testid="judge-remember" />
          Remember the API key in this browser (localStorage)
        </label>
        <div className="trn-controls">
          <Button variant="primary" disabled={!ready || running} onClick={() => void run(false)} data-testid="judge-run">
            Judge every answer
          </Button>
          <Button disabled={!ready || running || failures.length === 0} onClick={() => void run(true)} data-testid="judge-retry">
            Retry the failed ones
          </Button>
          <Button disabled={!running} onClick={() => abort.current?.abort()} data-testid="judge-cancel">
            Cancel
          </Button>
          {progress && (
            <span role="status" data-testid="judge-progress">
              {progress.running ? `Judging… ${progress.done} of ${progress.total}` : `Judged ${progress.done} of ${progress.total}.`}
            </span>
          )}
        </div>
        {error && <p className="fld__hint fld__hint--bad">{error}</p>}
        {perModel.some((m) => m.scored + m.failed > 0) && (
          <table className="table ev-table" data-testid="judge-summary">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col" className="num">Mean score</th>
                <th scope="col" className="num">Scored</th>
                <th scope="col" className="num">Failed</th>
              </tr>
            </thead>
            <tbody>
              {perModel.map((m) => (
                <tr key={m.res.id}>
                  <th scope="row">{m.res.modelLabel}</th>
                  <td className="num">{m.mean == null ? 'n/a' : m.mean.toFixed(2)}</td>
                  <td className="num">{m.scored}</td>
                  <td className="num">{m.failed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {failures.length > 0 && (
          <details className="details" data-testid="judge-failures">
            <summary>{plural(failures.length, 'answer')} could not be judged</summary>
            <ul>
              {failures.slice(0, 50).map(({ res, r, j }) => (
                <li key={`${res.id}|${r.exampleId}`}>
                  {res.modelLabel} · “{r.prompt.slice(0, 60)}”: {j!.error}
                </li>
              ))}
            </ul>
          </details>
        )}
      </div>
    </Card>
  );
}
