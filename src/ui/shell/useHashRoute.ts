import { useEffect, useSyncExternalStore } from 'react';
import { DEFAULT_ROUTE, parseHash, routeHref, type RouteDef } from './routes';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const readHash = () => window.location.hash;

/**
 * The current page from location.hash. Navigation is plain links (href="#/dataset"), so the back button and reload
 * work without a router. An empty hash is replaced (not pushed) by the default page.
 */
export function useHashRoute(): RouteDef | 'not-found' {
  const hash = useSyncExternalStore(subscribe, readHash, () => '');
  const parsed = parseHash(hash);
  useEffect(() => {
    if (parsed === null) {
      history.replaceState(null, '', routeHref(DEFAULT_ROUTE));
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    }
  }, [parsed]);
  return parsed ?? parseHash(routeHref(DEFAULT_ROUTE))!;
}
