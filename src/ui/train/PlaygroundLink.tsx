import { routeHref } from '../shell/routes';
import { withAdapters, type RunView } from './runsView';

/** Under the runs: the way to the Playground page once some run has an adapter to try. */
export function PlaygroundLink({ runs }: { runs: RunView[] | undefined }) {
  const n = withAdapters(runs).length;
  if (n === 0) return null;
  return (
    <p className="trn-pg-link">
      <a className="btn btn--secondary btn--sm" href={routeHref('playground')} data-testid="open-playground">
        Try the adapters in the Playground →
      </a>
    </p>
  );
}
