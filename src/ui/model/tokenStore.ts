/**
 * The hub access token stays in this browser only: sessionStorage by default (gone when the tab closes), or
 * localStorage when the person ticks "remember on this device". It is sent only as a bearer token to the endpoint.
 */
const KEY = 'studio.hubToken';

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

export function readToken(): { token: string; remembered: boolean } {
  const remembered = safe(() => localStorage.getItem(KEY), null);
  if (remembered) return { token: remembered, remembered: true };
  return { token: safe(() => sessionStorage.getItem(KEY), null) ?? '', remembered: false };
}

export function saveToken(token: string, remember: boolean): void {
  safe(() => {
    localStorage.removeItem(KEY);
    sessionStorage.removeItem(KEY);
    if (!token) return;
    (remember ? localStorage : sessionStorage).setItem(KEY, token);
  }, undefined);
}

export function forgetToken(): void {
  saveToken('', false);
}

const SETTINGS = 'studio.hubSettings';

/** Endpoint and revision are not secret: remembered for next time. */
export function readHubSettings(): { endpoint: string; revision: string; repo: string } {
  const v = safe(() => JSON.parse(localStorage.getItem(SETTINGS) ?? '{}') as Record<string, unknown>, {});
  const str = (x: unknown) => (typeof x === 'string' ? x : '');
  return { endpoint: str(v.endpoint), revision: str(v.revision), repo: str(v.repo) };
}

export function saveHubSettings(s: { endpoint: string; revision: string; repo: string }): void {
  safe(() => localStorage.setItem(SETTINGS, JSON.stringify(s)), undefined);
}
