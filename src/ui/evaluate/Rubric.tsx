import { JUDGE_RUBRIC_LEVELS } from '../../eval/judge';

/** The 1–5 scale people and the LLM judge rate with (one definition: src/eval/judge.ts). */
export function Rubric({ open = false }: { open?: boolean }) {
  return (
    <details className="details ev-rubric" open={open} data-testid="eval-rubric">
      <summary>Rating scale (1–5)</summary>
      <ol>
        {JUDGE_RUBRIC_LEVELS.map((l) => (
          <li key={l.score} value={l.score}>
            {l.meaning}
          </li>
        ))}
      </ol>
    </details>
  );
}
