import { useStudio } from '../../store';
import { Banner } from '../components/Banner';
import { routeHref } from '../shell/routes';
import { useRuns } from '../train/runsView';
import { Playground } from './Playground';

/** The Playground page (#/playground): the base model and the trained adapters on the same prompt. */
export function PlaygroundPage() {
  const model = useStudio((s) => s.modelInfo);
  const runs = useRuns();
  return (
    <section aria-labelledby="playground-title" className="page" data-testid="playground-section">
      <header className="page__header">
        <div>
          <h2 id="playground-title">Playground</h2>
          <p className="page__lead">Ask the base model and your adapters the same thing, side by side, and see what training changed.</p>
        </div>
      </header>
      {!model && (
        <Banner tone="info" title="No model loaded" testId="playground-no-model" actions={<a className="btn btn--primary btn--sm" href={routeHref('model')}>Choose a model</a>}>
          <p>The playground generates with the base model loaded in the Model section, with or without an adapter.</p>
        </Banner>
      )}
      <Playground runs={runs} />
    </section>
  );
}
