/**
 * Last-resort error screen for a crash outside every section boundary (header, navigation, startup). Built with
 * plain DOM and textContent so it works even when React itself is what failed, and never renders error text as HTML.
 */
export function showFatalError(error: unknown): void {
  console.error('The studio failed to start', error);
  const err = error instanceof Error ? error : new Error(String(error));
  const host = document.getElementById('root') ?? document.body;
  host.replaceChildren();

  const box = document.createElement('section');
  box.className = 'fatal';
  box.setAttribute('role', 'alert');
  box.dataset.testid = 'fatal-error';

  const h1 = document.createElement('h1');
  h1.textContent = 'The studio could not start';
  const lead = document.createElement('p');
  lead.textContent =
    'An unexpected error stopped the page. Your saved examples and adapters are stored in this browser and are not ' +
    'affected. Reload to try again; if it keeps happening, report the details below.';
  const message = document.createElement('p');
  message.className = 'error-message';
  message.textContent = `${err.name}: ${err.message}`;
  const reload = document.createElement('button');
  reload.type = 'button';
  reload.className = 'btn btn--primary';
  reload.textContent = 'Reload';
  reload.addEventListener('click', () => window.location.reload());
  const details = document.createElement('details');
  details.className = 'details';
  const summary = document.createElement('summary');
  summary.textContent = 'Technical details';
  const pre = document.createElement('pre');
  pre.className = 'details__pre';
  pre.textContent = err.stack ?? err.message;
  details.append(summary, pre);

  box.append(h1, lead, message, reload, details);
  host.append(box);
}
