import { useId, useState } from 'react';
import { deleteRating, putRating, type Rating } from '../../db/evals';

/** A 1–5 human rating of one output (radio buttons), stored at once; "Clear" removes it. */
export function RatingInput({ resultId, modelKey, exampleId, rating, label }: { resultId: string; modelKey: string; exampleId: string; rating: Rating | undefined; label: string }) {
  const name = useId();
  // The choice shows at once; the stored rating (a live query) follows a moment later.
  const [pending, setPending] = useState<{ score: number | null } | null>(null);
  const stored = rating?.score ?? null;
  const value = pending ? pending.score : stored;
  if (pending && pending.score === stored) setPending(null);
  const set = (score: number | null) => {
    setPending({ score });
    const write = score === null ? deleteRating(resultId, exampleId, 'human') : putRating({ resultId, modelKey, exampleId, source: 'human', score });
    write.catch(() => setPending(null));
  };
  return (
    <fieldset className="ev-rating" data-testid="eval-rating" data-value={value ?? ''}>
      <legend>Your rating of {label}</legend>
      {[1, 2, 3, 4, 5].map((k) => (
        <label key={k} className="ev-rating__opt">
          <input type="radio" name={name} value={k} checked={value === k} onChange={() => set(k)} data-testid={`eval-rate-${k}`} />
          {k}
        </label>
      ))}
      {value !== null && (
        <button type="button" className="ev-link" onClick={() => set(null)}>
          Clear
        </button>
      )}
    </fieldset>
  );
}
