import { useStudio } from '../../store';
import { dismissModelError } from '../../store/slices/model';
import { Banner } from '../components/Banner';
import { Button } from '../components/Button';
import { loadErrorTitle } from './errors';

/** Why the last load failed (named file, what to do), and that the previous model is still there. */
export function LoadErrorBanner() {
  const error = useStudio((s) => s.modelError);
  const current = useStudio((s) => s.modelInfo?.name ?? null);
  if (!error) return null;
  const builtin = error.source.endsWith('(built-in)');
  return (
    <Banner
      tone="danger"
      role="alert"
      testId="load-error"
      title={`${loadErrorTitle(error.kind, builtin)}: ${error.source}`}
      actions={
        <Button variant="ghost" size="sm" onClick={dismissModelError}>
          Dismiss
        </Button>
      }
    >
      <p data-testid="load-error-message" data-kind={error.kind}>
        {error.message}
      </p>
      {error.file && (
        <p>
          File: <code data-testid="load-error-file">{error.file}</code>
        </p>
      )}
      <p className="muted" data-testid="load-error-previous">
        {current ? `${current} is still loaded and ready to use.` : 'No model is loaded yet.'}
      </p>
    </Banner>
  );
}
