import { useState } from 'react';
import { TASK_TAGS } from '../../data/types';

/** Tag chips with a free-text input; suggestions are the task tags plus the dataset's own tags. */
export function TagInput({ tags, known, onChange }: { tags: string[]; known: string[]; onChange: (tags: string[]) => void }) {
  const [text, setText] = useState('');
  const add = (raw: string) => {
    const t = raw.trim().replace(/\s+/g, '-').toLowerCase();
    if (t && !tags.includes(t)) onChange([...tags, t]);
    setText('');
  };
  const suggestions = [...new Set([...TASK_TAGS, ...known])].filter((t) => !tags.includes(t));
  return (
    <div className="ds-tags">
      <span className="ds-field__label" id="ds-tags-label">Tags</span>
      <div className="ds-tags__box">
        {tags.map((t) => (
          <span key={t} className="ds-tag ds-tag--chip">
            {t}
            <button type="button" aria-label={`Remove tag ${t}`} onClick={() => onChange(tags.filter((x) => x !== t))}>×</button>
          </span>
        ))}
        <input
          className="ds-tags__input"
          list="ds-tag-suggestions"
          aria-labelledby="ds-tags-label"
          data-testid="tag-input"
          placeholder={tags.length ? 'Add tag' : 'Add a tag (qa, summarization…)'}
          value={text}
          onChange={(e) => {
            const v = e.target.value;
            if (v.endsWith(',')) add(v.slice(0, -1));
            else setText(v);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add(text);
            } else if (e.key === 'Backspace' && text === '' && tags.length) onChange(tags.slice(0, -1));
          }}
          onBlur={() => text.trim() && add(text)}
        />
        <datalist id="ds-tag-suggestions">
          {suggestions.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
      </div>
    </div>
  );
}
