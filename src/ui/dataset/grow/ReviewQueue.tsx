import { useState } from 'react';
import type { PairBody } from '../../../data/types';
import { acceptQueued, rejectQueued, updateQueued, type QueueItem } from '../../../db/growQueue';
import { useStudio } from '../../../store';
import { Button } from '../../components/Button';
import { plural } from '../../shell/plural';

const PAGE = 50;

function originOf(tag: string): string {
  return tag.split(':')[0];
}

function QueueRow({ item, datasetId }: { item: QueueItem; datasetId: string }) {
  const guard = useStudio((s) => s.guard);
  const [draft, setDraft] = useState<PairBody | null>(null);
  const field = (key: 'instruction' | 'input' | 'output', label: string, rows: number) =>
    draft && (
      <label className="ds-field">
        <span className="ds-field__label">{label}</span>
        <textarea className="ds-textarea" rows={rows} value={draft[key]} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} />
      </label>
    );
  return (
    <li className="ds-preview__row grow-item" data-testid="queue-row" data-tag={item.tag}>
      <div className="ds-preview__meta">
        <span className="ds-tag">{item.tag}</span>
        {item.edited && <span className="ds-muted">edited</span>}
        {item.parent && <span className="ds-muted grow-item__parent" title={item.parent}>from: {item.parent}</span>}
      </div>
      {draft ? (
        <div className="grow-edit">
          {field('instruction', 'Instruction', 2)}
          {field('input', 'Input', 2)}
          {field('output', 'Response', 4)}
          <div className="grow-actions">
            <Button size="sm" onClick={() => setDraft(null)}>Cancel</Button>
            <Button
              size="sm"
              variant="primary"
              disabled={!draft.instruction.trim() || !draft.output.trim()}
              onClick={async () => {
                await guard(() => updateQueued(item, draft));
                setDraft(null);
              }}
              data-testid="queue-save"
            >
              Save
            </Button>
          </div>
        </div>
      ) : (
        <>
          <dl className="ds-preview__fields">
            <dt>Instruction</dt>
            <dd data-testid="queue-instruction">{item.body.instruction}</dd>
            {item.body.input && <><dt>Input</dt><dd>{item.body.input}</dd></>}
            <dt>Response</dt>
            <dd>{item.body.output}</dd>
          </dl>
          <div className="grow-actions">
            <Button size="sm" variant="primary" onClick={() => void guard(() => acceptQueued(datasetId, [item]))} data-testid="queue-accept">Accept</Button>
            <Button size="sm" onClick={() => setDraft(item.body)} data-testid="queue-edit">Edit</Button>
            <Button size="sm" variant="danger" onClick={() => void guard(() => rejectQueued([item]))} data-testid="queue-reject">Reject</Button>
          </div>
        </>
      )}
    </li>
  );
}

/** Generated rows wait here; nothing enters the dataset until accepted (one by one or all shown). */
export function ReviewQueue({ datasetId, queue }: { datasetId: string; queue: QueueItem[] | undefined }) {
  const [origin, setOrigin] = useState('all');
  const [limit, setLimit] = useState(PAGE);
  const guard = useStudio((s) => s.guard);
  const toast = useStudio((s) => s.toast);
  if (!queue) return <p className="ds-muted">Loading the review queue…</p>;
  const origins = [...new Set(queue.map((q) => originOf(q.tag)))].sort();
  const matching = origin === 'all' ? queue : queue.filter((q) => originOf(q.tag) === origin);
  const shown = matching.slice(0, limit);
  return (
    <div className="grow-panel" data-testid="review-queue" data-count={queue.length}>
      {queue.length === 0 ? (
        <p className="ds-muted" data-testid="queue-empty">The review queue is empty. Generated and templated rows wait here until you accept them.</p>
      ) : (
        <>
          <div className="grow-row grow-row--center">
            <label className="ds-field ds-field--inline">
              <span className="ds-field__label">Origin</span>
              <select className="ds-input ds-input--sm" value={origin} onChange={(e) => setOrigin(e.target.value)}>
                <option value="all">All ({queue.length})</option>
                {origins.map((o) => (
                  <option key={o} value={o}>{o} ({queue.filter((q) => originOf(q.tag) === o).length})</option>
                ))}
              </select>
            </label>
            <span className="ds-spacer" />
            <Button
              size="sm"
              variant="primary"
              onClick={async () => {
                const n = await guard(() => acceptQueued(datasetId, shown));
                if (n) toast(`${plural(n, 'row')} added to the dataset.`);
              }}
              data-testid="queue-accept-shown"
            >
              Accept all shown ({shown.length})
            </Button>
            <Button size="sm" variant="danger" onClick={() => void guard(() => rejectQueued(shown))} data-testid="queue-reject-shown">
              Reject all shown
            </Button>
          </div>
          <ul className="ds-preview grow-queue">
            {shown.map((item) => (
              <QueueRow key={item.id} item={item} datasetId={datasetId} />
            ))}
          </ul>
          {matching.length > shown.length && (
            <Button size="sm" onClick={() => setLimit(limit + PAGE)}>Show {Math.min(PAGE, matching.length - shown.length)} more</Button>
          )}
        </>
      )}
    </div>
  );
}
