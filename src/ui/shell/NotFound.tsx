import { ROUTES, routeHref } from './routes';

/** Shown for an unknown #/… address (a typo or an old bookmark). */
export function NotFound() {
  const asked = window.location.hash;
  return (
    <section className="panel" aria-labelledby="not-found-title" data-testid="not-found">
      <h2 id="not-found-title" className="panel__title">
        There is no page at <code>{asked}</code>
      </h2>
      <p className="panel__lead">The address may have a typo, or come from an older version of the studio. Go to:</p>
      <ul className="link-list">
        {ROUTES.map((r) => (
          <li key={r.id}>
            <a href={routeHref(r.id)}>{r.label}</a> <span className="muted">— {r.hint}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
