import { useEffect, useRef, type MouseEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Example } from '../../data/types';
import type { DuplicateGroup } from '../../db';
import { bodyAnswer, bodyTitle } from '../../db/text';

const ROW_H = 62;
const KIND_LABEL = { pair: 'Pair', chat: 'Chat', text: 'Text' } as const;

function oneLine(s: string, max = 160): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

export interface ExampleListProps {
  visible: Example[];
  openId: string | null;
  selection: ReadonlySet<string>;
  groupOf: ReadonlyMap<string, number>;
  groups: DuplicateGroup[];
  onRowClick: (ex: Example, e: MouseEvent) => void;
  onToggle: (ex: Example) => void;
}

/** The virtualised example list: only the rows in view are in the DOM, so 20,000 rows scroll smoothly. */
export function ExampleList({ visible, openId, selection, groupOf, groups, onRowClick, onToggle }: ExampleListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is designed to be called per render
  const v = useVirtualizer({ count: visible.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_H, overscan: 8 });
  const openIndex = openId ? visible.findIndex((e) => e.id === openId) : -1;

  useEffect(() => {
    if (openIndex >= 0) v.scrollToIndex(openIndex, { align: 'auto' });
  }, [openIndex, v]);

  if (visible.length === 0) return <div className="ds-list ds-list--empty" data-testid="example-list"><p className="ds-muted">No examples match.</p></div>;

  return (
    <div ref={scroller} className="ds-list" data-testid="example-list" role="listbox" aria-multiselectable="true" aria-label="Examples (j / k to move)" tabIndex={0}>
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {v.getVirtualItems().map((item) => {
          const ex = visible[item.index];
          const g = groupOf.get(ex.id);
          const dup = g === undefined ? undefined : groups[g];
          const cls = ['ds-row', ex.id === openId ? 'is-open' : '', selection.has(ex.id) ? 'is-selected' : ''].filter(Boolean).join(' ');
          return (
            <div
              key={ex.id}
              role="option"
              aria-selected={selection.has(ex.id)}
              data-testid="example-row"
              data-index={item.index}
              className={cls}
              style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_H, transform: `translateY(${item.start}px)` }}
              onMouseDown={(e) => e.shiftKey && e.preventDefault()}
              onClick={(e) => onRowClick(ex, e)}
            >
              {/* The option carries the selection (aria-selected); this box is its mouse target, not a control nested in it. */}
              <span
                className={`ds-row__check${selection.has(ex.id) ? ' is-checked' : ''}`}
                aria-hidden="true"
                data-testid="row-check"
                onClick={(e) => {
                  e.stopPropagation();
                  onToggle(ex);
                }}
              />
              <div className="ds-row__main">
                <div className="ds-row__title">
                  <span className="ds-row__num">{item.index + 1}</span>
                  <span className="ds-row__text">{oneLine(bodyTitle(ex.body)) || <em className="ds-muted">empty</em>}</span>
                </div>
                <div className="ds-row__meta">
                  <span className={`ds-kind ds-kind--${ex.body.kind}`}>{KIND_LABEL[ex.body.kind]}</span>
                  {ex.split === 'validation' && <span className="ds-badge ds-badge--val">val</span>}
                  {dup && (
                    <span className="ds-badge ds-badge--dup" data-testid="dup-badge" title={dup.kind === 'exact' ? 'Exact duplicate of another example' : `Near duplicate (${Math.round(dup.similarity * 100)}% similar)`}>
                      {dup.kind === 'exact' ? 'duplicate' : 'near-dup'}
                    </span>
                  )}
                  {ex.tags.slice(0, 3).map((t) => (
                    <span key={t} className="ds-tag">{t}</span>
                  ))}
                  <span className="ds-row__answer">{oneLine(bodyAnswer(ex.body), 120)}</span>
                </div>
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}
