import { useState } from 'react';
import { useStudio } from '../../store';
import { PHRASES, TRY_IT_NAME } from '../../data/starter/phrases';
import { normalizeAnswer, formatScore, isExactMatch, type ExactMatchScore } from '../../train/exactMatch';
import { Button } from '../components/Button';
import { Card } from '../components/Card';
import { useDatasets } from '../dataset/hooks';
import { BUILTIN_NAME } from '../model/sources';
import type { RunView } from './runsView';
import { checkTryIt, isTryItForm, latestTryItRun, setUpTryIt, stopTryItCheck, summarize, TRY_IT_FORM, useTryItCheck, type CheckAnswer } from './tryIt';
import './tryIt.css';

const TRAINED = PHRASES.filter((p) => p.split === 'train').length;
const HELD = PHRASES.length - TRAINED;

function Score({ label, score, testId }: { label: string; score: ExactMatchScore; testId: string }) {
  return (
    <div className="tryit__score" data-testid={testId} data-exact={score.exact} data-n={score.n} data-stopped={score.stopped}>
      <span className="tryit__score-label">{label}</span>
      <strong>{formatScore(score)}</strong>
    </div>
  );
}

function Reply({ answer, expected }: { answer?: CheckAnswer; expected: string }) {
  if (!answer) return <span className="ds-muted">…</span>;
  const ok = isExactMatch({ expected, generated: answer.text, reason: answer.reason });
  return (
    <span className={ok ? 'tryit__ok' : 'tryit__bad'}>
      {ok ? '✓ ' : '✗ '}
      {normalizeAnswer(answer.text) || '(nothing)'}
      {answer.reason !== 'eos' && <span className="ds-muted"> … (no end of turn)</span>}
    </span>
  );
}

/**
 * "Try it" for the built-in model: one click adds a dataset of phrase questions (a held-out part included) and sets
 * the Train form for it; after the run, "Check the answers" asks every question and scores exact matches.
 */
export function TryItCard({ runs }: { runs: RunView[] | undefined }) {
  const model = useStudio((s) => s.modelInfo);
  const form = useStudio((s) => s.trainForm);
  const live = useStudio((s) => s.liveRun);
  const datasets = useDatasets();
  const check = useTryItCheck();
  const [error, setError] = useState<string | null>(null);
  if (!model || model.name !== BUILTIN_NAME) return null;

  const datasetId = datasets?.find((d) => d.name === TRY_IT_NAME)?.id ?? null;
  const ready = isTryItForm(form, datasetId);
  const run = latestTryItRun(runs, datasetId);
  const shown = check.runId && run && check.runId === run.id ? check : null;
  const summary = shown && shown.phase !== 'idle' ? summarize(shown.rows) : null;
  const steps = TRY_IT_FORM.epochs * Math.ceil(TRAINED / TRY_IT_FORM.batchSize);

  return (
    <Card title="Try it: teach the built-in model to finish phrases" testId="try-it" aside={<span>{PHRASES.length} questions · {HELD} held out</span>}>
      <div className="tryit">
        <p>
          The built-in model learned English from the Brown corpus, so it knows which word tends to follow “able” or “instead”. It has never seen a
          chat, though: ask it “Finish the phrase: able” and it rambles on. A short LoRA run on {TRAINED} such questions ({steps} steps: seconds on a GPU,
          a few minutes without one) teaches it to answer and stop — and on the {HELD} held-out questions it answers from what it read.
        </p>
        <div className="tryit__actions">
          <Button
            variant={ready ? 'secondary' : 'primary'}
            disabled={!!live}
            data-testid="try-it-setup"
            onClick={() => {
              setError(null);
              setUpTryIt().catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
            }}
          >
            {ready ? 'Set up again' : 'Set up the dataset and settings'}
          </Button>
          {ready && !run && (
            <span className="tryit__hint" data-testid="try-it-ready">
              Ready: press <strong>Start training</strong>.
            </span>
          )}
          {run && check.phase !== 'checking' && (
            <Button variant="primary" disabled={!!live} data-testid="try-it-check" onClick={() => void checkTryIt(run)}>
              {shown ? 'Check again' : 'Check the answers'}
            </Button>
          )}
          {check.phase === 'checking' && (
            <>
              <span className="tryit__hint" data-testid="try-it-progress">
                Asking… {check.done} of {check.total}
              </span>
              <Button size="sm" onClick={stopTryItCheck}>
                Stop
              </Button>
            </>
          )}
        </div>
        {error && <p className="fld__hint fld__hint--bad">{error}</p>}
        {shown?.phase === 'failed' && <p className="fld__hint fld__hint--bad">{shown.error}</p>}
        {summary && (
          <div className="tryit__result" data-testid="try-it-result" data-phase={shown!.phase}>
            <Score label="Trained questions, tuned model" score={summary.trained} testId="try-it-trained" />
            <Score label="Held-out questions, tuned model" score={summary.heldTuned} testId="try-it-held-tuned" />
            <Score label="Held-out questions, base model" score={summary.heldBase} testId="try-it-held-base" />
            <p className="ds-muted tryit__note" data-testid="try-it-guess" data-rate={summary.guess.rate}>
              Exact match: the whole reply, trimmed, and the model ended its turn. Always answering “{summary.guess.answer}” (the most common trained
              answer) would get {Math.round(summary.guess.rate * 100)}% of the held-out questions.
            </p>
            <table className="tryit__table">
              <thead>
                <tr>
                  <th>Held-out question</th>
                  <th>Answer</th>
                  <th>Base model</th>
                  <th>Tuned</th>
                </tr>
              </thead>
              <tbody>
                {shown!.rows
                  .filter((r) => r.split === 'validation')
                  .map((r) => (
                    <tr key={r.question}>
                      <td>{r.question}</td>
                      <td>{normalizeAnswer(r.expected)}</td>
                      <td>
                        <Reply answer={r.base} expected={r.expected} />
                      </td>
                      <td>
                        <Reply answer={r.tuned} expected={r.expected} />
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </Card>
  );
}
