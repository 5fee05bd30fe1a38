/** The base model and both adapters on the same prompts, side by side, as the lesson generated them. */
import type { LessonPrompt } from './lessonData';
import { WHO, type Generation, type Who } from './lesson';

const TITLES: Record<Who, string> = { base: 'Base model', masked: 'Masked run', full: 'Full-sequence run' };

function lastUser(p: LessonPrompt): string {
  return [...p.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
}

/** `compact` (presenter mode): newlines shown as ↵ so each answer stays within a few lines. */
function Output({ g, who, testId, compact }: { g: Generation | undefined; who: Who; testId: string; compact: boolean }) {
  const text = g ? g.text || (g.done ? '(nothing: it ended its turn at once)' : '…') : 'waiting';
  const state = !g ? 'waiting' : g.error ? 'error' : g.done ? 'done' : 'running';
  return (
    <div className={`cls-gen__out cls-gen__out--${who}`} data-testid={testId} data-done={g?.done ? 'true' : 'false'} data-state={state}>
      <div className="cls-gen__who">{TITLES[who]}</div>
      {g?.error ? (
        <p className="ds-error">{g.error}</p>
      ) : (
        <pre className="cls-gen__text" data-testid={`${testId}-text`}>
          {compact ? text.trim().replace(/\s*\n\s*/g, ' ↵ ') : text}
        </pre>
      )}
      {!compact && g?.done && g.reason && <div className="cls-gen__reason">{g.reason === 'eos' ? 'ended its turn' : g.reason === 'max-tokens' ? 'cut at the token limit' : g.reason}</div>}
    </div>
  );
}

export function Generations({ prompts, generations, compact = false }: { prompts: LessonPrompt[]; generations: Partial<Record<Who, Generation>>[]; compact?: boolean }) {
  if (prompts.length === 0) return null;
  return (
    <ol className="cls-gens" data-testid="lesson-generations">
      {prompts.map((p, i) => (
        <li key={i} className="cls-gen" data-testid={`lesson-prompt-${i}`} data-held-out={p.heldOut}>
          <div className="cls-gen__prompt">
            <span className={`cls-tag${p.heldOut ? ' cls-tag--held' : ''}`}>{p.heldOut ? 'held out: neither run saw it' : 'seen in training'}</span>
            <span className="cls-gen__q">{lastUser(p)}</span>
            <span className="cls-gen__expected">dataset’s answer: {p.expected}</span>
          </div>
          <div className="cls-gen__row">
            {WHO.map((who) => (
              <Output key={who} who={who} g={generations[i]?.[who]} testId={`gen-${i}-${who}`} compact={compact} />
            ))}
          </div>
        </li>
      ))}
    </ol>
  );
}
