import { useStudio } from '../../store';
import { ROUTES, routeHref, type RouteDef, type RouteId } from './routes';

function NavItem({ route, active, blocked }: { route: RouteDef; active: boolean; blocked: boolean }) {
  return (
    <li>
      <a
        className={`nav__link${active ? ' is-active' : ''}`}
        href={routeHref(route.id)}
        aria-current={active ? 'page' : undefined}
        data-testid={`nav-${route.id}`}
      >
        <span className="nav__marker" aria-hidden="true">
          {route.step ?? <DeviceGlyph />}
        </span>
        <span className="nav__text">
          <span className="nav__label">{route.label}</span>
          <span className="nav__hint">{blocked ? 'Needs WebGPU' : route.hint}</span>
        </span>
      </a>
    </li>
  );
}

function DeviceGlyph() {
  return (
    <svg viewBox="0 0 16 16" width="14" height="14" focusable="false">
      <rect x="3.5" y="3.5" width="9" height="9" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
      <rect x="6" y="6" width="4" height="4" rx="0.5" fill="currentColor" />
      <path d="M6 1.5v2M10 1.5v2M6 12.5v2M10 12.5v2M1.5 6h2M1.5 10h2M12.5 6h2M12.5 10h2" stroke="currentColor" strokeWidth="1.2" />
    </svg>
  );
}

/** Section navigation: plain links to #/… so the browser's history, reload and keyboard all just work. */
export function Nav({ current }: { current: RouteId | null }) {
  const unavailable = useStudio((s) => s.gpuStatus === 'unavailable');
  const steps = ROUTES.filter((r) => r.step !== undefined);
  const system = ROUTES.filter((r) => r.step === undefined);
  return (
    <nav className="nav" aria-label="Studio sections">
      <p className="nav__heading" id="nav-workflow">
        Workflow
      </p>
      <ul className="nav__list" aria-labelledby="nav-workflow">
        {steps.map((r) => (
          <NavItem key={r.id} route={r} active={r.id === current} blocked={unavailable && r.needsGpu} />
        ))}
      </ul>
      <p className="nav__heading" id="nav-system">
        System
      </p>
      <ul className="nav__list" aria-labelledby="nav-system">
        {system.map((r) => (
          <NavItem key={r.id} route={r} active={r.id === current} blocked={false} />
        ))}
      </ul>
    </nav>
  );
}
