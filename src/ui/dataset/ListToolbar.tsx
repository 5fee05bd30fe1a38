import { CHAR_BUCKETS } from '../../db/text';
import { useStudio } from '../../store';
import type { KindFilter, SortKey } from '../../store/slices/dataset';
import { isFiltered } from './filtering';
import { plural } from '../shell/plural';

/** Search, filters and sort above the example list. */
export function ListToolbar({ tags, shown, total, duplicates, checkingDuplicates }: { tags: string[]; shown: number; total: number; duplicates: number; checkingDuplicates: boolean }) {
  const filters = useStudio((s) => s.filters);
  const setFilters = useStudio((s) => s.setFilters);
  const sort = useStudio((s) => s.sort);
  const sortDesc = useStudio((s) => s.sortDesc);
  const setSort = useStudio((s) => s.setSort);
  return (
    <div className="ds-toolbar">
      <input
        type="search"
        className="ds-input ds-toolbar__search"
        placeholder="Search examples…  ( / )"
        aria-label="Search examples"
        data-testid="example-search"
        value={filters.query}
        onChange={(e) => setFilters({ query: e.target.value })}
      />
      <div className="ds-toolbar__row">
        <select className="ds-input ds-input--sm" aria-label="Filter by tag" data-testid="filter-tag" value={filters.tag ?? '*'} onChange={(e) => setFilters({ tag: e.target.value === '*' ? null : e.target.value })}>
          <option value="*">All tags</option>
          <option value="">Untagged</option>
          {tags.map((t) => (
            <option key={t} value={t}>{t}</option>
          ))}
        </select>
        <select className="ds-input ds-input--sm" aria-label="Filter by split" data-testid="filter-split" value={filters.split} onChange={(e) => setFilters({ split: e.target.value as typeof filters.split })}>
          <option value="all">All splits</option>
          <option value="train">Train</option>
          <option value="validation">Validation</option>
        </select>
        <select className="ds-input ds-input--sm" aria-label="Filter by kind" data-testid="filter-kind" value={filters.kind} onChange={(e) => setFilters({ kind: e.target.value as KindFilter })}>
          <option value="all">All kinds</option>
          <option value="pair">Pairs</option>
          <option value="chat">Chats</option>
          <option value="text">Text</option>
        </select>
        <select className="ds-input ds-input--sm" aria-label="Filter by length" data-testid="filter-length" value={filters.length ?? ''} onChange={(e) => setFilters({ length: e.target.value || null })}>
          <option value="">Any length</option>
          {CHAR_BUCKETS.map((b) => (
            <option key={b.id} value={b.id}>{b.label} chars</option>
          ))}
        </select>
        <button
          type="button"
          className={`ds-toggle${filters.duplicatesOnly ? ' is-on' : ''}`}
          aria-pressed={filters.duplicatesOnly}
          data-testid="filter-duplicates"
          title="Show only exact and near duplicates (≥ 90% similar)"
          onClick={() => setFilters({ duplicatesOnly: !filters.duplicatesOnly })}
        >
          Duplicates <span className="ds-count" data-testid="duplicate-count">{checkingDuplicates ? '…' : duplicates}</span>
        </button>
      </div>
      <div className="ds-toolbar__row ds-toolbar__row--meta">
        <span className="ds-muted" data-testid="shown-count" aria-live="polite">
          {isFiltered(filters) ? `${shown.toLocaleString()} of ${total.toLocaleString()} shown` : plural(total, 'example')}
        </span>
        {isFiltered(filters) && (
          <button type="button" className="ds-link" onClick={() => setFilters({ query: '', tag: null, split: 'all', kind: 'all', length: null, duplicatesOnly: false })}>
            Clear filters
          </button>
        )}
        <span className="ds-spacer" />
        <label className="ds-muted ds-sort">
          Sort
          <select className="ds-input ds-input--sm" aria-label="Sort by" data-testid="sort" value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
            <option value="order">Dataset order</option>
            <option value="updated">Last edited</option>
            <option value="length">Length</option>
          </select>
        </label>
        <button type="button" className="ds-icon-btn" aria-label={sortDesc ? 'Descending (click for ascending)' : 'Ascending (click for descending)'} onClick={() => setSort(sort, !sortDesc)}>
          {sortDesc ? '↓' : '↑'}
        </button>
      </div>
    </div>
  );
}
