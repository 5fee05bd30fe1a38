import { useState } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import { abPair, abVotesFor, putAbVote, type EvalResult } from '../../db/evals';
import { Button } from '../components/Button';
import { Card } from '../components/Card';
import { shown } from '../playground/OutputPane';
import { SelectField } from '../train/fields';
import { plural } from '../shell/plural';

/** A random index below n (event handlers only: the blind order is drawn when a pair is shown). */
const randomIndex = (n: number) => Math.floor(Math.random() * n);

interface Shown {
  exampleId: string;
  /** Model keys in the order shown (Output 1, Output 2). */
  order: [string, string];
  /** The vote, once given: revealed. */
  winner: string | null;
}

/**
 * Blind A/B: two models' answers to the same example in random order, "which is better?", the names revealed after
 * the vote. Votes are stored per example and pair; the tally counts them.
 */
export function AbCard({ results, datasetId, setKey }: { results: EvalResult[]; datasetId: string; setKey: string }) {
  const votes = useLiveQuery(() => abVotesFor(datasetId, setKey), [datasetId, setKey]);
  const [a, setA] = useState(results[0].modelKey);
  const [b, setB] = useState(results[1].modelKey);
  const [cur, setCur] = useState<Shown | null>(null);
  const resA = results.find((r) => r.modelKey === a) ?? results[0];
  const resB = results.find((r) => r.modelKey === b && r.modelKey !== resA.modelKey) ?? results.find((r) => r !== resA)!;
  const pair = abPair(resA.modelKey, resB.modelKey);
  const pairVotes = (votes ?? []).filter((v) => v.pair[0] === pair[0] && v.pair[1] === pair[1]);
  const voted = new Set(pairVotes.map((v) => v.exampleId));
  const rowsB = new Map(resB.rows.map((r) => [r.exampleId, r]));
  const both = resA.rows.filter((r) => rowsB.has(r.exampleId));
  const label = (key: string) => results.find((r) => r.modelKey === key)?.modelLabel ?? key;
  const options = results.map((r) => ({ value: r.modelKey, label: r.modelLabel }));

  function next() {
    const todo = both.filter((r) => !voted.has(r.exampleId));
    const pick = todo[0] ?? both[randomIndex(both.length)];
    if (!pick) return setCur(null);
    const order: [string, string] = randomIndex(2) === 0 ? [resA.modelKey, resB.modelKey] : [resB.modelKey, resA.modelKey];
    setCur({ exampleId: pick.exampleId, order, winner: null });
  }

  async function vote(winner: string) {
    if (!cur) return;
    await putAbVote({ datasetId, setKey, exampleId: cur.exampleId, pair: [resA.modelKey, resB.modelKey], winner });
    setCur({ ...cur, winner });
  }

  const row = cur ? resA.rows.find((r) => r.exampleId === cur.exampleId) : null;
  const out = (key: string) => (key === resA.modelKey ? row : rowsB.get(cur!.exampleId))?.output ?? '';
  const stale = cur && !(cur.order.includes(resA.modelKey) && cur.order.includes(resB.modelKey));
  const winsA = pairVotes.filter((v) => v.winner === resA.modelKey).length;
  const winsB = pairVotes.filter((v) => v.winner === resB.modelKey).length;

  return (
    <Card title="Blind A/B" testId="eval-ab" aside={<span>Which answer is better, without knowing whose it is?</span>}>
      <div className="ev-ab">
        <div className="grid-fields">
          <SelectField label="Model A" testId="eval-ab-a" value={resA.modelKey} onChange={(v) => (setA(v), setCur(null))} options={options} />
          <SelectField label="Model B" testId="eval-ab-b" value={resB.modelKey} onChange={(v) => (setB(v), setCur(null))} options={options.filter((o) => o.value !== resA.modelKey)} />
        </div>
        <p data-testid="eval-ab-tally" data-a={winsA} data-b={winsB}>
          {plural(pairVotes.length, 'vote')} of {plural(both.length, 'example')}: {label(resA.modelKey)} preferred {winsA}, {label(resB.modelKey)} preferred {winsB},{' '}
          tie {pairVotes.length - winsA - winsB}.
        </p>
        {(!cur || stale) && (
          <Button variant="primary" onClick={next} disabled={both.length === 0} data-testid="eval-ab-start">
            {voted.size >= both.length && both.length > 0 ? 'Vote again on a random example' : 'Show a pair'}
          </Button>
        )}
        {cur && !stale && row && (
          <div data-testid="eval-ab-pair">
            <h4>Prompt</h4>
            <pre className="ev-pre">{row.prompt}</pre>
            {row.reference != null && (
              <details className="details">
                <summary>Reference answer</summary>
                <pre className="ev-pre">{row.reference}</pre>
              </details>
            )}
            <div className="ev-panes">
              {cur.order.map((key, i) => (
                <section className="ev-pane" key={key} data-testid={`eval-ab-output-${i + 1}`}>
                  <h4>
                    Output {i + 1}
                    {cur.winner && <span className="ev-reveal" data-testid="eval-ab-reveal"> — {label(key)}</span>}
                  </h4>
                  <pre className="ev-pre">{shown(out(key)) || <span className="muted">(nothing)</span>}</pre>
                </section>
              ))}
            </div>
            {!cur.winner ? (
              <div className="trn-controls" role="group" aria-label="Which is better?">
                <Button onClick={() => void vote(cur.order[0])} data-testid="eval-ab-vote-1">
                  Output 1 is better
                </Button>
                <Button onClick={() => void vote(cur.order[1])} data-testid="eval-ab-vote-2">
                  Output 2 is better
                </Button>
                <Button onClick={() => void vote('tie')} data-testid="eval-ab-vote-tie">
                  About the same
                </Button>
              </div>
            ) : (
              <div className="trn-controls">
                <span role="status">You preferred {cur.winner === 'tie' ? 'neither' : label(cur.winner)}.</span>
                <Button variant="primary" onClick={next} data-testid="eval-ab-next">
                  Next pair
                </Button>
              </div>
            )}
          </div>
        )}
      </div>
    </Card>
  );
}
