import { useMemo, useState } from 'react';
import type { Dataset, Example } from '../../data/types';
import { buildLabels } from '../../data/labels';
import { bodyText, computeStats, splitByRatio, type Histogram } from '../../db';
import { useStudio } from '../../store';
import { Button } from '../components/Button';
import { Dialog } from './Dialog';
import { useLabelSettings } from './useLabelSettings';
import { plural } from '../shell/plural';

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
  const stats = useMemo(() => {
    const count =
      countTokens && tokenizer
        ? (ex: Example) => {
            try {
              return buildLabels(tokenizer, ex.body, { ...options, maxLength: undefined, systemPrompt: dataset.systemPrompt || undefined }).inputIds.length;
            } catch {
              return tokenizer.encode(bodyText(ex.body)).length;
            }
          }
        : undefined;
    return computeStats(examples, count);
  }, [examples, countTokens, tokenizer, options, dataset.systemPrompt]);
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
