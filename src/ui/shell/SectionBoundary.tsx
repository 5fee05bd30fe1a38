import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Button } from '../components/Button';

interface Props {
  /** The section's name, for the message. */
  name: string;
  children: ReactNode;
  /** Called once a crash has been caught (after React's own retry), e.g. to disarm the test crash probe. */
  onCaught?: () => void;
}

interface State {
  error: Error | null;
  componentStack: string | null;
}

/**
 * Catches a crash in one section and shows what happened with a retry, instead of unmounting the whole studio.
 * Keyed by route in App, so moving to another section also starts fresh.
 */
export class SectionBoundary extends Component<Props, State> {
  override state: State = { error: null, componentStack: null };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    this.setState({ componentStack: info.componentStack ?? null });
    console.error(`The ${this.props.name} section crashed`, error);
    this.props.onCaught?.();
  }

  private retry = () => {
    this.setState({ error: null, componentStack: null });
  };

  override render() {
    const { error, componentStack } = this.state;
    if (!error) return this.props.children;
    const details = [error.stack ?? `${error.name}: ${error.message}`, componentStack ?? ''].join('\n').trim();
    return (
      <section className="panel panel--danger" role="alert" data-testid="section-error">
        <h2 className="panel__title">The {this.props.name} section stopped working</h2>
        <p className="panel__lead">
          Something went wrong while showing this section. Your saved data is not affected, and the other sections still
          work. Try again; if it keeps happening, reload the page and include the details below in a bug report.
        </p>
        <p className="error-message">
          <strong>{error.name}:</strong> {error.message}
        </p>
        <div className="panel__actions">
          <Button variant="primary" onClick={this.retry}>
            Try again
          </Button>
          <Button variant="secondary" onClick={() => window.location.reload()}>
            Reload page
          </Button>
        </div>
        <details className="details">
          <summary>Technical details</summary>
          <pre className="details__pre">{details}</pre>
        </details>
      </section>
    );
  }
}
