import { useMemo, useState } from 'react';
import type { Dataset, Example } from '../../data/types';
import { buildLabels } from '../../data/labels';
import { bodyText, computeStats, duplicateRate, findDuplicates, lengthHealth, sizeGuidance, splitByRatio, tagBalance, type Histogram, type LabelFacts } from '../../db';
import { useStudio } from '../../store';
import { Button } from '../components/Button';
import { Dialog } from './Dialog';
import { useLabelSettings } from './useLabelSettings';
import { plural } from '../shell/plural';
import './stats-health.css';

function Bars({ h, unit }: { h: Histogram; unit: string }) {
  const max = Math.max(1, ...h.buckets.map((b) => b.count));
  return (
    <div className="ds-hist">
      {h.buckets.map((b) => (
        <div key={b.id} className="ds-hist__row">
          <span className="ds-hist__label">{b.label}</span>
          <span className="ds-hist__bar"><span style={{ width: `${(100 * b.count) / max}%` }} /></span>
          <span className="ds-hist__count">{b.count.toLocaleString()}</span>
        </div>
      ))}
      <p className="ds-muted">
        median {Math.round(h.median).toLocaleString()} {unit} · mean {Math.round(h.mean).toLocaleString()} · max {h.max.toLocaleString()}
      </p>
    </div>
  );
}

/** Counts by split/kind/tag, length histograms, and the seeded train/validation split. */
export function StatsDialog({ dataset, examples, onClose }: { dataset: Dataset; examples: Example[]; onClose: () => void }) {
  const kinds = useMemo(() => new Set(examples.map((e) => e.body.kind)), [examples]);
  const { tokenizer, tokenizerName, options } = useLabelSettings(kinds);
  const [countTokens, setCountTokens] = useState(false);
  const maxLength = options.maxLength;
  const { stats, facts } = useMemo(() => {
    // One pass of the label builder per example, with the run's max length: the token histogram shows the full
    // (untruncated) length, and the health section what a run would truncate and train.
    const facts: (LabelFacts | null)[] = [];
    const count =
      countTokens && tokenizer
        ? (ex: Example) => {
            try {
              const l = buildLabels(tokenizer, ex.body, { ...options, systemPrompt: dataset.systemPrompt || undefined });
              facts.push({ untruncated: l.untruncatedLength, tokens: l.inputIds.length, trained: l.trainedCount, targets: l.targetCount });
              return l.untruncatedLength;
            } catch {
              facts.push(null);
              return tokenizer.encode(bodyText(ex.body)).length;
            }
          }
        : undefined;
    return { stats: computeStats(examples, count), facts: count ? facts : null };
  }, [examples, countTokens, tokenizer, options, dataset.systemPrompt]);
  const health = useMemo(
    () => ({ size: sizeGuidance(stats.bySplit.train), balance: tagBalance(examples), dups: duplicateRate(findDuplicates(examples), examples.length) }),
    [examples, stats.bySplit.train],
  );
  const lengths = facts && maxLength ? lengthHealth(facts, maxLength) : null;
  const overlong = useStudio((s) => s.trainForm.overlong);
  const pct = (x: number) => `${(100 * x).toFixed(x > 0 && x < 0.01 ? 1 : 0)}%`;
  const [ratio, setRatio] = useState(10);
  const [seed, setSeed] = useState(42);
  const guard = useStudio((s) => s.guard);
  const pushUndo = useStudio((s) => s.pushUndo);
  const restoreRows = useStudio((s) => s.restoreRows);
  return (
    <Dialog title={`Statistics · ${dataset.name}`} onClose={onClose} wide testId="stats-dialog">
      <div className="ds-stats">
        <div className="ds-stats__grid">
          <div><span className="ds-stat">{stats.total.toLocaleString()}</span> examples</div>
          <div><span className="ds-stat">{stats.bySplit.train.toLocaleString()}</span> train</div>
          <div><span className="ds-stat">{stats.bySplit.validation.toLocaleString()}</span> validation</div>
          <div><span className="ds-stat">{stats.byKind.pair}</span> pairs · {stats.byKind.chat} chats · {stats.byKind.text} text</div>
        </div>
        <h4>Health</h4>
        <ul className="ds-health" data-testid="dataset-health">
          <li data-testid="health-size" data-level={health.size.level}>
            <strong>Size:</strong> {plural(stats.bySplit.train, 'training example')}. {health.size.text}
          </li>
          <li data-testid="health-balance">
            <strong>Task balance:</strong>{' '}
            {health.balance.tags.length === 0
              ? 'no task tags yet (tag examples by task, e.g. qa or summarization, to see the balance).'
              : health.balance.tags.slice(0, 8).map((t) => `${t.tag} ${pct(t.share)}`).join(' · ')}
            {health.balance.note && <> — {health.balance.note}</>}
            {health.balance.generatedShare > 0 && <> · {pct(health.balance.generatedShare)} generated or templated (Grow data)</>}
          </li>
          <li data-testid="health-duplicates" data-rate={health.dups.rate} data-exact={health.dups.exactExtra} data-near={health.dups.nearExtra}>
            <strong>Duplicates:</strong> {pct(health.dups.rate)} of the examples repeat another ({health.dups.exactExtra} exact, {health.dups.nearExtra} near
            copies).{health.dups.rate > 0.05 ? ' Repeated rows weigh more in training; consider removing them (list filter "duplicates").' : ''}
          </li>
          <li data-testid="health-lengths" data-over={lengths?.over} data-trained-share={lengths?.trainedShare}>
            <strong>Length vs max length:</strong>{' '}
            {lengths ? (
              <>
                {plural(lengths.over, 'example')} longer than {lengths.maxLength.toLocaleString()} tokens (would be {overlong === 'skip' ? 'skipped' : 'truncated'})
                {' '}· {pct(lengths.trainedShare)} of the tokens are trained ({lengths.trainedTokens.toLocaleString()} of {lengths.totalTokens.toLocaleString()})
                {lengths.noTargets > 0 && <> · {plural(lengths.noTargets, 'example')} add nothing to the loss</>}
                {lengths.failed > 0 && <> · {plural(lengths.failed, 'example')} could not be labeled</>}
              </>
            ) : (
              'count tokens below to see how many a run would cut and what share of tokens is trained.'
            )}
          </li>
        </ul>
        <h4>Tags</h4>
        <p className="ds-stats__tags">
          {stats.byTag.map((t) => (
            <span key={t.tag} className="ds-tag">{t.tag} {t.count}</span>
          ))}
          {stats.untagged > 0 && <span className="ds-tag ds-tag--muted">untagged {stats.untagged}</span>}
        </p>
        <h4>Length (characters)</h4>
        <Bars h={stats.chars} unit="chars" />
        <h4>Length (tokens)</h4>
        {stats.tokens ? (
          <>
            <Bars h={stats.tokens} unit="tokens" />
            <p className="ds-muted">Formatted with the chat template of {tokenizerName ?? 'the loaded tokenizer'}.</p>
          </>
        ) : tokenizer ? (
          <p>
            <Button size="sm" onClick={() => setCountTokens(true)} data-testid="count-tokens">
              Count tokens of {plural(examples.length, 'example')}
            </Button>
          </p>
        ) : (
          <p className="ds-muted">Load a model (or the sample tokenizer in the token view) to count tokens.</p>
        )}
        <h4>Split into train / validation</h4>
        <form
          className="ds-split-form"
          onSubmit={async (e) => {
            e.preventDefault();
            const before = await guard(() => splitByRatio(dataset.id, ratio / 100, seed));
            if (before) pushUndo('re-split', () => restoreRows(before), `Re-split: ${plural(before.length, 'example')} changed split.`);
          }}
        >
          <label>
            Validation share
            <input className="ds-input ds-input--sm" type="number" min={0} max={90} value={ratio} onChange={(e) => setRatio(Number(e.target.value))} /> %
          </label>
          <label>
            Seed
            <input className="ds-input ds-input--sm" type="number" value={seed} onChange={(e) => setSeed(Math.trunc(Number(e.target.value)))} />
          </label>
          <Button type="submit">Apply split</Button>
          <span className="ds-muted">The same seed always gives the same split.</span>
        </form>
      </div>
      <div className="ds-dialog__actions">
        <Button variant="primary" onClick={onClose}>Close</Button>
      </div>
    </Dialog>
  );
}
